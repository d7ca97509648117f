"""Evaluating a classifier on labelled sentences: report, error listing, PR curves.

Figures come from the project's local `evaluate` module
(``metric/eventclass_multilabel.py``), loaded by path because hub metrics
cannot be downloaded offline; it computes them with scikit-learn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .classifier import EventClassifier
from .data import GROUP_FIELD, groups_of, read_examples
from .labels import LABELS
from .metrics import BOOTSTRAP_RESAMPLES, apply_thresholds, bootstrap_intervals, format_interval, labels_to_matrix

#: Characters of a sentence shown in the text report's error listing.
SHOWN_CHARS = 300
METRIC_MODULE = Path(__file__).resolve().parent / "metric" / "eventclass_multilabel.py"


def load_metric():
    """The project's multi-label metric as an ``evaluate`` module (offline)."""
    import evaluate

    return evaluate.load(str(METRIC_MODULE))


def error_listing(texts, y_true, scores, thresholds, limit: int) -> dict:
    """Per label, the ``limit`` most confident false positives and false negatives."""
    listing = {}
    for j, label in enumerate(LABELS):
        predicted = scores[:, j] >= thresholds[label]
        false_pos = np.where(predicted & (y_true[:, j] == 0))[0]
        false_neg = np.where(~predicted & (y_true[:, j] == 1))[0]
        listing[label] = {
            "false_positives": [{"text": texts[i], "score": round(float(scores[i, j]), 4)} for i in false_pos[np.argsort(-scores[false_pos, j])][:limit]],
            "false_negatives": [{"text": texts[i], "score": round(float(scores[i, j]), 4)} for i in false_neg[np.argsort(scores[false_neg, j])][:limit]],
        }
    return listing


def plot_precision_recall(y_true, scores, thresholds, path: str | Path) -> Path:
    """Write a PNG with one precision-recall curve per label, its threshold marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    figure, axes = plt.subplots(1, len(LABELS), figsize=(4 * len(LABELS), 4), sharey=True)
    for j, (label, axis) in enumerate(zip(LABELS, axes)):
        axis.set_title(f"{label} (n={int(y_true[:, j].sum())})")
        axis.set_xlabel("recall")
        axis.set_xlim(0, 1.02)
        axis.set_ylim(0, 1.02)
        axis.grid(alpha=0.3)
        if y_true[:, j].sum() == 0:
            axis.text(0.5, 0.5, "no positives", ha="center")
            continue
        precision, recall, _ = precision_recall_curve(y_true[:, j], scores[:, j])
        axis.plot(recall, precision)
        predicted = scores[:, j] >= thresholds[label]
        tp = int((predicted & (y_true[:, j] == 1)).sum())
        p_at = tp / max(int(predicted.sum()), 1)
        r_at = tp / int(y_true[:, j].sum())
        axis.plot([r_at], [p_at], "o", color="crimson", label=f"threshold {thresholds[label]:.2f}")
        axis.legend(loc="lower left")
    axes[0].set_ylabel("precision")
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def evaluate_classifier(
    classifier: EventClassifier,
    data: str | Path,
    errors: int = 0,
    plot: str | Path | None = None,
    text_field: str = "text",
    labels_field: str = "labels",
    bootstrap: int = BOOTSTRAP_RESAMPLES,
    group_field: str = GROUP_FIELD,
) -> dict:
    """Score ``classifier`` on a labelled file and report how it did.

    Args:
        classifier: from :meth:`EventClassifier.load` or :meth:`EventClassifier.zero_shot`.
        data: JSONL/CSV with text and labels (e.g. the VOA validation file).
        errors: list up to this many false positives/negatives per label.
        plot: write per-label precision-recall curves to this PNG.
        bootstrap: resamples for 95% confidence intervals (0: none).
        group_field: when every record has this column (the VOA file's
            ``article``), whole groups are resampled, else single sentences.

    Returns:
        ``micro_f1``, ``macro_f1``, ``exact_match``, ``n``, ``per_label`` (precision,
        recall, F1, support), ``intervals`` (see
        :func:`eventclass.metrics.bootstrap_intervals`) unless ``bootstrap=0``,
        plus ``mode``, ``model``, ``thresholds`` and ``errors`` when asked.

    Example:
        >>> report = evaluate_classifier(EventClassifier.load(), "dev.jsonl")  # doctest: +SKIP
        >>> round(report["micro_f1"], 3)  # doctest: +SKIP
        0.812
    """
    examples = read_examples(data, text_field, labels_field, group_field=group_field)
    texts = [e.text for e in examples]
    y_true = labels_to_matrix([e.labels for e in examples])
    scores = classifier.score(texts)
    predicted = apply_thresholds(scores, classifier.thresholds)
    report = load_metric().compute(predictions=predicted.tolist(), references=y_true.tolist())
    report.update({"mode": classifier.mode, "model": classifier.model_path, "data": str(data), "thresholds": classifier.thresholds})
    if bootstrap:
        report["intervals"] = bootstrap_intervals(y_true, predicted, groups_of(examples), resamples=bootstrap, group_field=group_field)
    if errors:
        report["errors"] = error_listing(texts, y_true, scores, classifier.thresholds, errors)
    if plot:
        report["plot"] = str(plot_precision_recall(y_true, scores, classifier.thresholds, plot))
    return report


def format_report(report: dict) -> str:
    """A plain-text table of a report from :func:`evaluate_classifier`."""
    intervals = report.get("intervals") or {}
    lines = [
        f"{report['mode']} model {report['model']} on {report['data']} ({report['n']} sentences)",
        f"micro-F1 {report['micro_f1']:.3f}{format_interval(intervals.get('micro_f1'))}  "
        f"macro-F1 {report['macro_f1']:.3f}{format_interval(intervals.get('macro_f1'))}  exact match {report['exact_match']:.3f}",
    ]
    if intervals:
        unit = f"the {intervals['units']} distinct {intervals['group_field']!r} values" if intervals["unit"] == "group" else f"{intervals['units']} sentences"
        lines.append(f"[low, high]: {intervals['confidence']:.0%} percentile-bootstrap interval, {intervals['resamples']} resamples of {unit}")
    lines += ["", f"{'label':20s} {'precision':>9s} {'recall':>7s} {'F1':>6s} {'F1 interval':>13s} {'support':>8s} {'threshold':>9s}"]
    for label, m in report["per_label"].items():
        span = format_interval(intervals.get("per_label", {}).get(label)).strip() or "-"
        lines.append(f"{label:20s} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {span:>13s} {m['support']:8d} {report['thresholds'][label]:9.3f}")
    for label, kinds in report.get("errors", {}).items():
        for kind, items in kinds.items():
            for item in items:
                text = item["text"] if len(item["text"]) <= SHOWN_CHARS else item["text"][:SHOWN_CHARS] + " ..."
                lines.append(f"  [{label} {kind[:-1].replace('_', ' ')} {item['score']:.2f}] {text}")
    if "plot" in report:
        lines.append(f"\nprecision-recall curves: {report['plot']}")
    return "\n".join(lines)
