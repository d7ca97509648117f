"""Tune the zero-shot prototype scorer on the VOA validation sentences.

Prints micro/macro/per-label F1 of the shipped settings, then refits the
per-label centres (the raw score where each label's probability is 0.5). Centres are fitted on the
validation file itself (calibration, which the project allows); to show how
much of the figure is fitting, a second figure fits centres on half of the
articles and scores the other half, both ways round.

Usage: python benchmarks/tune_zero_shot.py [--gold ../shared/data/voa_dev_gold.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from eventclass import EventClassifier, LABELS
from eventclass import zeroshot
from eventclass.metrics import apply_thresholds, best_threshold, labels_to_matrix, multilabel_report

DEFAULT_GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "voa_dev_gold.jsonl"


def fit_centres(raw, y):
    """Centre per label = raw score at the F1-best threshold (probability 0.5)."""
    return np.array([best_threshold(y[:, j], raw[:, j], default=raw[:, j].max() + 1) for j in range(len(LABELS))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(DEFAULT_GOLD))
    parser.add_argument("--precision", default="fp32")
    args = parser.parse_args()
    if not Path(args.gold).is_file():
        sys.exit(f"validation file not found: {args.gold}")
    rows = [json.loads(line) for line in open(args.gold)]
    y = labels_to_matrix([r["labels"] for r in rows])
    articles = np.array([r["article"] for r in rows])
    clf = EventClassifier.zero_shot(precision=args.precision)
    embeddings = clf.runner.run([r["text"] for r in rows])
    scorer = zeroshot.PrototypeScorer(clf.runner.run)

    shipped = clf.score([r["text"] for r in rows])
    report = multilabel_report(y, apply_thresholds(shipped, clf.thresholds))
    print(f"shipped settings: micro-F1 {report['micro_f1']:.3f}  macro-F1 {report['macro_f1']:.3f}")
    for label, m in report["per_label"].items():
        print(f"  {label:20s} P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f} (n={m['support']})")

    raw = scorer.raw_scores(embeddings)
    centres = fit_centres(raw, y)
    fitted = multilabel_report(y, (raw >= centres).astype(int))
    # cross-fitted: centres from one half of the articles, scored on the other half
    unique = sorted(set(articles))
    half = np.isin(articles, unique[::2])
    crossed = np.zeros_like(y)
    for fit_rows, test_rows in ((half, ~half), (~half, half)):
        crossed[test_rows] = raw[test_rows] >= fit_centres(raw[fit_rows], y[fit_rows])
    print(f"\ncentres fitted on all: micro-F1 {fitted['micro_f1']:.3f} macro-F1 {fitted['macro_f1']:.3f}")
    print(f"cross-fitted by article halves: micro-F1 {multilabel_report(y, crossed)['micro_f1']:.3f}")
    print("LABEL_CENTRES =", json.dumps({label: round(float(c), 4) for label, c in zip(LABELS, centres)}, indent=4))


if __name__ == "__main__":
    main()
