"""The inference engine's process-level CPU setting: on by default, off on request."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = "from eventclass.inference import keep_freed_memory_for_reuse as k; print(k(), k())"


def _probe(**env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env={**os.environ, **env}, capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc tuning is Linux-only")
def test_malloc_tuning_applies_once_and_honours_the_opt_out():
    assert _probe() == "True True"
    assert _probe(EVENTCLASS_MALLOC_TUNING="0") == "False False"
