"""A tiny real training run, its saved folder, and bad training data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eventclass import LABELS, DataError, EventClassifier, ModelLoadError
from eventclass.data import read_examples
from eventclass.metrics import apply_thresholds, labels_to_matrix, multilabel_report
from eventclass.training import TrainingConfig, train

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "training" / "data"


def small_split(tmp_path, n_train=48, n_validation=24):
    """A few dozen sentences of the project corpus as train/validation files."""
    paths = {}
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, n in (("train", n_train), ("validation", n_validation)):
        lines = (CORPUS / f"{name}.jsonl").read_text().splitlines()[:n]
        paths[name] = tmp_path / f"{name}.jsonl"
        paths[name].write_text("\n".join(lines) + "\n")
    return paths


def tiny_config(tmp_path, output, **overrides):
    paths = small_split(tmp_path)
    options = dict(train=[str(paths["train"])], validation=[str(paths["validation"])], output=str(output),
                   epochs=1, max_steps=2, batch_size=8, max_length=64, patience=0)
    options.update(overrides)
    return TrainingConfig(**options)


def held_out_file(folder: Path, n=40) -> Path:
    """Corpus sentences outside the small split, grouped by story as the VOA file is by article."""
    records = [json.loads(line) for line in (CORPUS / "validation.jsonl").read_text().splitlines()[200 : 200 + n]]
    path = folder / "held.jsonl"
    path.write_text("".join(json.dumps({"article": r["topic"], "text": r["text"], "labels": r["labels"]}) + "\n" for r in records))
    return path


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tiny")
    # one whole epoch (6 steps) so the trainer evaluates and selects a checkpoint
    return train(tiny_config(tmp, tmp / "models" / "default", max_steps=-1, held_out=[str(held_out_file(tmp))]))


def test_saved_folder_is_a_standard_hf_folder_that_describes_itself(tiny_model):
    names = {p.name for p in tiny_model.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "eventclass.json", "README.md"} <= names
    assert not any(name.endswith((".bin", ".pt", ".pkl")) for name in names)
    config = json.loads((tiny_model / "config.json").read_text())
    assert sorted(config["id2label"].values()) == sorted(LABELS)
    meta = json.loads((tiny_model / "eventclass.json").read_text())
    assert meta["labels"] == list(LABELS)
    assert set(meta["thresholds"]) == set(LABELS)
    assert meta["data_fingerprint"].startswith("sha256:")
    assert meta["max_length"] == 64 and meta["versions"]["torch"]
    assert "micro_f1" in meta["metrics"]["validation"]
    assert "| attack |" in (tiny_model / "README.md").read_text()


def test_held_out_file_is_scored_with_the_saved_thresholds_and_shown_on_the_card(tiny_model):
    meta = json.loads((tiny_model / "eventclass.json").read_text())
    (source, held), = meta["metrics"]["held_out"].items()
    examples = read_examples(source)
    assert held["n"] == len(examples) == 40
    assert held["intervals"]["unit"] == "group" and held["intervals"]["units"] == len({json.loads(l)["article"] for l in open(source)})
    classifier = EventClassifier.load(tiny_model, precision="fp32")
    predicted = apply_thresholds(classifier.score([e.text for e in examples]), classifier.thresholds)
    again = multilabel_report(labels_to_matrix([e.labels for e in examples]), predicted)
    assert (again["micro_f1"], again["macro_f1"]) == pytest.approx((held["micro_f1"], held["macro_f1"]))
    assert "## Held out: held.jsonl (40 sentences, never trained on" in (tiny_model / "README.md").read_text()


def test_a_held_out_file_that_overlaps_the_training_data_is_refused_before_training(tmp_path):
    config = tiny_config(tmp_path, tmp_path / "m")
    config.held_out = [config.train[0]]
    with pytest.raises(DataError, match=r"train\.jsonl: 48 held-out sentence\(s\) are also in the training"):
        train(config)
    assert not (tmp_path / "m").exists()


def test_checkpoint_selection_scores_validation_in_the_right_order(tiny_model):
    """The trainer's F1 (used to pick the best checkpoint) must match the saved validation report.

    Length-grouped batches reorder the evaluation set; scoring those predictions
    against labels in file order once gave near-random F1 and a wrong checkpoint.
    """
    meta = json.loads((tiny_model / "eventclass.json").read_text())
    during = meta["training"]["best_checkpoint_micro_f1"]
    assert during is not None
    assert abs(during - meta["metrics"]["validation"]["micro_f1"]) < 0.1


def test_eventclassifier_and_plain_pipeline_give_identical_scores(tiny_model):
    from transformers import pipeline

    texts = ["Rockets struck the US embassy in Baghdad on Friday.", "The EU froze the assets of three generals."]
    clf = EventClassifier.load(tiny_model, precision="fp32")
    assert clf.mode == "fine-tuned" and clf.model_path == str(tiny_model)
    ours = clf.classify(texts)
    pipe = pipeline("text-classification", model=str(tiny_model), top_k=None, device="cpu")
    for prediction, theirs in zip(ours, pipe(texts)):
        as_dict = {item["label"]: item["score"] for item in theirs}
        assert as_dict == pytest.approx(prediction.scores, abs=1e-5)


def test_classify_switches_to_fine_tuned_when_models_default_exists(tiny_model, no_default_model, monkeypatch):
    from eventclass import classifier, classify

    monkeypatch.chdir(tiny_model.parent.parent)  # the folder holding models/default
    classifier.reset_default_classifier()
    prediction = classify("Drones hit the base.")
    assert prediction.mode == "fine-tuned"
    assert classifier.default_classifier().model_path.endswith(os.path.join("models", "default"))


def test_a_crash_while_saving_leaves_no_loadable_folder(tmp_path, monkeypatch):
    import eventclass.training as training

    def broken_card(metadata):
        raise OSError("disk full while writing the model card")

    monkeypatch.setattr(training, "model_card", broken_card)
    output = tmp_path / "models" / "default"
    with pytest.raises(OSError, match="disk full"):
        train(tiny_config(tmp_path, output))
    assert not output.exists()
    assert [p.name for p in (tmp_path / "models").iterdir()] == []
    with pytest.raises(ModelLoadError):
        EventClassifier.load(output)


def test_training_is_deterministic_for_a_fixed_seed_on_cpu(tmp_path):
    from safetensors.torch import load_file

    first = train(tiny_config(tmp_path / "a", tmp_path / "a" / "model", device="cpu"))
    second = train(tiny_config(tmp_path / "b", tmp_path / "b" / "model", device="cpu"))
    weights_a, weights_b = load_file(first / "model.safetensors"), load_file(second / "model.safetensors")
    assert weights_a.keys() == weights_b.keys()
    assert all(weights_a[k].equal(weights_b[k]) for k in weights_a)


@pytest.mark.parametrize(
    "content,message",
    [
        ('{"text": "Drones hit the base.", "labels": ["atack"]}\n', r"bad\.jsonl line 1: unknown label 'atack'"),
        ('{"text": "ok", "labels": []}\n{"text": "  ", "labels": []}\n', r"bad\.jsonl line 2: 'text' must be a non-empty string"),
        ('{"sentence": "Drones hit the base.", "labels": []}\n', r"bad\.jsonl line 1: missing column 'text'"),
        ('{"text": "ok", "labels": []}\nthis is not json\n', r"bad\.jsonl line 2: not valid JSON"),
        ('{"text": "ok", "labels": "attack;bogus"}\n', r"bad\.jsonl line 1: unknown label 'bogus'"),
    ],
)
def test_bad_training_data_names_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        read_examples(path)


def test_csv_training_data_is_read_with_line_numbers(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text('text,labels\n"Drones hit the base.",attack\n"It rained.",\n"Bad row",["nope"]\n')
    with pytest.raises(DataError, match=r"data\.csv line 4: unknown label 'nope'"):
        read_examples(path)
    path.write_text('text,labels\n"Drones hit the base.",attack;retaliation\n"It rained.",\n')
    assert [e.labels for e in read_examples(path)] == [("attack", "retaliation"), ()]


def test_train_command_fails_at_once_on_bad_data(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Drones hit the base.", "labels": ["attack"]}\n{"text": "x", "labels": ["bombing"]}\n')
    result = subprocess.run(
        [sys.executable, str(REPO / "training" / "train.py"), "--train", str(bad), "--validation", str(bad), "--output", str(tmp_path / "m")],
        capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=300,
    )
    assert result.returncode == 1
    assert "bad.jsonl line 2: unknown label 'bombing'" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "m").exists()


def test_project_corpus_passes_its_check_script():
    result = subprocess.run([sys.executable, str(REPO / "training" / "check_data.py")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    assert result.stdout.rstrip().endswith("OK")


def test_agreement_script_scores_a_second_annotation_against_the_corpus():
    script, validation = REPO / "training" / "agreement.py", REPO / "training" / "data" / "validation.jsonl"
    second = REPO / "training" / "data" / "agreement" / "validation_second_annotation.jsonl"
    itself = subprocess.run([sys.executable, str(script), str(validation), str(validation)], capture_output=True, text=True, timeout=120)
    assert itself.returncode == 0, itself.stderr
    assert "micro-F1 1.000" in itself.stdout and "macro-F1 1.000" in itself.stdout
    other = subprocess.run([sys.executable, str(script), str(validation), str(second)], capture_output=True, text=True, timeout=120)
    assert other.returncode == 0, other.stderr
    micro = float(other.stdout.split("micro-F1 ")[1].split()[0])
    assert 0.5 < micro < 1.0  # two careful readers agree often, not always
