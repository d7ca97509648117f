"""Shared fixtures: real models, real files, no hub access."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def zero_shot():
    """The real zero-shot classifier on the bundled encoder (fp32 for exact comparisons)."""
    from eventclass import EventClassifier

    return EventClassifier.zero_shot(precision="fp32")


@pytest.fixture
def no_default_model(monkeypatch, tmp_path):
    """Run with no fine-tuned model resolvable: no env var, cwd and checkout without models/default."""
    from eventclass import classifier, modeling

    monkeypatch.delenv("EVENTCLASS_MODEL", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(modeling, "checkout_root", lambda: None)
    classifier.reset_default_classifier()
    yield
    classifier.reset_default_classifier()


def voa_file(name: str) -> Path:
    """A file of ../shared/data, or skip the test cleanly when it is absent."""
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path
