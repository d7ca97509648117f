"""evaluate_classifier() and `eventclass evaluate` on real models and files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.metrics import f1_score

from eventclass import LABELS
from eventclass.evaluation import evaluate_classifier, format_report, load_metric
from eventclass.metrics import _f1_figures, apply_thresholds, bootstrap_intervals, labels_to_matrix

from .conftest import voa_file

SENTENCES = [
    {"text": "Rockets struck the US embassy in Baghdad on Friday.", "labels": ["attack"]},
    {"text": "The Treasury imposed sanctions on six shipping firms.", "labels": ["sanction"]},
    {"text": "The foreign ministry condemned the raid as a violation of international law.", "labels": ["condemnation", "attack"]},
    {"text": "The foreign minister spoke by phone with his Iraqi counterpart.", "labels": ["diplomatic message"]},
    {"text": "Heavy rain is expected across the north this weekend.", "labels": []},
    {"text": "The central bank kept interest rates unchanged.", "labels": []},
]


@pytest.fixture
def labelled_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in SENTENCES))
    return path


def test_report_matches_scikit_learn_and_lists_errors(zero_shot, labelled_file, tmp_path):
    report = evaluate_classifier(zero_shot, labelled_file, errors=2, plot=tmp_path / "pr.png")
    y_true = labels_to_matrix([row["labels"] for row in SENTENCES])
    y_pred = apply_thresholds(zero_shot.score([row["text"] for row in SENTENCES]), zero_shot.thresholds)
    assert report["micro_f1"] == pytest.approx(f1_score(y_true, y_pred, average="micro", zero_division=0))
    assert report["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, average="macro", zero_division=0))
    assert report["n"] == len(SENTENCES) and set(report["per_label"]) == set(LABELS)
    assert report["per_label"]["attack"]["support"] == 2
    assert set(report["errors"]) == set(LABELS)
    intervals = report["intervals"]  # no article column here: single sentences are resampled
    assert intervals["unit"] == "sentence" and intervals["units"] == len(SENTENCES)
    low, high = intervals["micro_f1"]
    assert 0.0 <= low <= report["micro_f1"] <= high <= 1.0
    png = (tmp_path / "pr.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_metric_is_a_local_evaluate_module():
    metric = load_metric()
    result = metric.compute(predictions=[[1, 0, 0, 0, 0], [0, 0, 1, 0, 1]], references=[[1, 0, 0, 0, 0], [0, 0, 0, 0, 1]])
    assert result["micro_f1"] == pytest.approx(0.8) and result["exact_match"] == 0.5


def test_evaluate_command_json(labelled_file, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "eventclass", "evaluate", "--zero-shot", "--data", str(labelled_file), "--json", "--errors", "1"],
        capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=300, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["mode"] == "zero-shot" and 0.0 <= report["micro_f1"] <= 1.0 and "errors" in report
    assert len(report["intervals"]["micro_f1"]) == 2


def test_zero_shot_clears_its_floor_on_the_voa_validation_sentences(zero_shot):
    """Guards the tuned zero-shot calibration (issue: micro-F1 >= 0.55 on the VOA validation file)."""
    path = voa_file("voa_dev_gold.jsonl")
    report = evaluate_classifier(zero_shot, path)
    assert report["micro_f1"] >= 0.55, report["micro_f1"]
    articles = {json.loads(line)["article"] for line in path.read_text().splitlines() if line.strip()}
    intervals = report["intervals"]  # whole articles are resampled, and the text report says so
    assert intervals["unit"] == "group" and intervals["units"] == len(articles) and intervals["group_field"] == "article"
    for name in ("micro_f1", "macro_f1"):
        low, high = intervals[name]
        assert low < report[name] < high, (name, low, report[name], high)
    for label, (low, high) in intervals["per_label"].items():
        assert low <= report["per_label"][label]["f1"] <= high
    assert f"the {len(articles)} distinct 'article' values" in format_report(report)


def test_bootstrap_figures_are_scikit_learns(tmp_path):
    """The fast resampling arithmetic gives exactly scikit-learn's F1s, zero_division=0 included."""
    rng = np.random.default_rng(7)
    y_true = (rng.random((300, 5)) < 0.2).astype(int)
    y_pred = (rng.random((300, 5)) < 0.2).astype(int)
    y_true[:, 1] = y_pred[:, 1] = 0  # a label with no positives at all
    figures = _f1_figures(y_true.astype(bool), y_pred.astype(bool))
    assert figures[0] == pytest.approx(f1_score(y_true, y_pred, average="micro", zero_division=0))
    assert figures[1] == pytest.approx(f1_score(y_true, y_pred, average="macro", zero_division=0))
    assert figures[2:] == pytest.approx(f1_score(y_true, y_pred, average=None, zero_division=0))
    perfect = bootstrap_intervals(y_true, y_true, groups=np.arange(300) // 10, resamples=200)
    assert perfect["micro_f1"] == [1.0, 1.0] and perfect["units"] == 30
