"""Model resolution: env var, default folder, missing and broken folders."""

from __future__ import annotations

import json
import shutil

import pytest

from eventclass import EventClassifier, ModelLoadError
from eventclass.modeling import bundled_encoder_path, resolve_default_model, save_atomically


def test_no_model_anywhere_means_zero_shot(no_default_model, caplog):
    with caplog.at_level("INFO"):
        clf = EventClassifier.load()
    assert clf.mode == "zero-shot"
    assert "no fine-tuned model found" in caplog.text


def test_env_var_wins_and_a_missing_path_is_a_clear_error(no_default_model, monkeypatch, tmp_path):
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("EVENTCLASS_MODEL", str(missing))
    assert resolve_default_model() == (str(missing), "$EVENTCLASS_MODEL")
    with pytest.raises(ModelLoadError, match="nowhere"):
        EventClassifier.load()


def test_models_default_in_cwd_is_found(no_default_model, tmp_path):
    (tmp_path / "models" / "default").mkdir(parents=True)
    path, reason = resolve_default_model()
    assert path == str(tmp_path / "models" / "default") and reason == "default model folder"


def broken_copy(tmp_path, name):
    """A copy of the bundled encoder folder to break in different ways."""
    folder = tmp_path / name
    shutil.copytree(bundled_encoder_path(), folder)
    return folder


def test_folder_without_weights_is_named_in_the_error(tmp_path):
    folder = broken_copy(tmp_path, "noweights")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match=r"noweights.*no model weights"):
        EventClassifier.load(folder)


def test_unreadable_config_is_named_in_the_error(tmp_path):
    folder = broken_copy(tmp_path, "badconfig")
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match=r"badconfig.*config.json"):
        EventClassifier.load(folder)


def test_model_whose_labels_are_not_the_five_is_refused(tmp_path):
    folder = broken_copy(tmp_path, "otherlabels")
    config = json.loads((folder / "config.json").read_text())
    config["id2label"] = {"0": "positive", "1": "negative"}
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="not the five eventclass labels"):
        EventClassifier.load(folder)


def test_broken_default_folder_is_an_error_not_a_silent_fallback(no_default_model, tmp_path):
    (tmp_path / "models" / "default").mkdir(parents=True)
    (tmp_path / "models" / "default" / "config.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="no model weights"):
        EventClassifier.load()


def test_save_atomically_leaves_nothing_loadable_when_writing_fails(tmp_path):
    destination = tmp_path / "models" / "default"

    def write_half_then_crash(folder):
        (folder / "config.json").write_text("{}")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        save_atomically(write_half_then_crash, destination)
    assert not destination.exists()
    assert list((tmp_path / "models").iterdir()) == []


def test_save_atomically_replaces_an_existing_folder(tmp_path):
    destination = tmp_path / "out"
    save_atomically(lambda f: (f / "a.txt").write_text("one"), destination)
    save_atomically(lambda f: (f / "b.txt").write_text("two"), destination)
    assert sorted(p.name for p in destination.iterdir()) == ["b.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
