"""Multi-label metrics and threshold selection, computed with scikit-learn.

The evaluation report, the trainer's validation step, threshold calibration
and the local `evaluate` metric module all use these functions, so every
figure the project prints is computed the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import bootstrap
from sklearn.metrics import f1_score, precision_recall_curve, precision_recall_fscore_support

from .labels import LABELS

#: Resamples behind the confidence intervals of an evaluation report.
BOOTSTRAP_RESAMPLES = 1000

#: Thresholds are never set below this, so a label with no positives in the
#: calibration data does not fire on everything.
MIN_THRESHOLD = 0.05


def multilabel_report(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Per-label precision/recall/F1/support, micro and macro F1, exact match.

    Args:
        y_true, y_pred: 0/1 arrays of shape (n, 5) in :data:`LABELS` order.

    Example:
        >>> multilabel_report(np.eye(5, dtype=int), np.eye(5, dtype=int))["micro_f1"]
        1.0
    """
    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    return {
        "micro_f1": float(f1_score(y_true, y_pred, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "exact_match": float((y_true == y_pred).all(axis=1).mean()) if len(y_true) else 0.0,
        "n": int(len(y_true)),
        "per_label": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(LABELS, precision, recall, f1, support)
        },
    }


def best_threshold(y_true: np.ndarray, scores: np.ndarray, default: float = 0.5) -> float:
    """Threshold on ``scores`` that maximises F1 for one label.

    Returns the midpoint between the chosen score and the next lower one, so
    a small score shift (bf16, another machine) does not flip the decision.
    """
    y_true = np.asarray(y_true, dtype=int)
    if y_true.sum() == 0:
        return default
    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    f1 = 2 * precision * recall / np.clip(precision + recall, 1e-12, None)
    best = int(np.argmax(f1[:-1]))
    chosen = thresholds[best]
    lower = scores[scores < chosen]
    if lower.size:
        chosen = (chosen + lower.max()) / 2
    return float(max(chosen, MIN_THRESHOLD))


def best_thresholds(y_true: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """:func:`best_threshold` for each label (columns in :data:`LABELS` order)."""
    return {label: best_threshold(y_true[:, j], scores[:, j]) for j, label in enumerate(LABELS)}


def apply_thresholds(scores: np.ndarray, thresholds: dict[str, float]) -> np.ndarray:
    """0/1 decisions, shape (n, 5)."""
    return (scores >= np.array([thresholds[label] for label in LABELS])).astype(int)


def labels_to_matrix(label_lists) -> np.ndarray:
    """``[["attack"], []]`` -> 0/1 array of shape (n, 5)."""
    matrix = np.zeros((len(label_lists), len(LABELS)), dtype=int)
    for i, labels in enumerate(label_lists):
        for label in labels:
            matrix[i, LABELS.index(label)] = 1
    return matrix


def _f1_figures(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """[micro-F1, macro-F1, F1 of each label], as scikit-learn computes them with zero_division=0."""
    tp = (y_true & y_pred).sum(axis=0)
    wrong = (y_true ^ y_pred).sum(axis=0)  # false positives + false negatives
    per_label = np.divide(2 * tp, 2 * tp + wrong, out=np.zeros(len(tp)), where=(2 * tp + wrong) > 0)
    total = 2 * tp.sum() + wrong.sum()
    micro = 2 * tp.sum() / total if total else 0.0
    return np.concatenate([[micro, per_label.mean()], per_label])


def bootstrap_intervals(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    groups: Sequence | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    confidence: float = 0.95,
    seed: int = 0,
    group_field: str | None = None,
) -> dict:
    """Percentile-bootstrap confidence intervals for micro-F1, macro-F1 and each label's F1.

    Why: labelled real news is scarce, so validation files are small (the
    VOA file has five retaliation sentences) and a point F1 hides how far it
    would move on another sample of the same news. Sentences of one article
    share topic and wording, so with ``groups`` (article ids) whole articles
    are resampled; resampling sentences alone would give intervals that are
    too narrow.

    Args:
        group_field: the column ``groups`` came from, recorded as
            ``group_field`` when groups are resampled, so reports can name it.

    Returns:
        ``micro_f1``/``macro_f1`` as ``[low, high]``, ``per_label`` ``{label:
        [low, high]}``, and ``confidence``, ``resamples``, ``unit``
        ("group" or "sentence") and ``units`` (how many were resampled).

    Example:
        >>> y = np.eye(5, dtype=int).repeat(4, axis=0)
        >>> bootstrap_intervals(y, y, resamples=50)["micro_f1"]
        [1.0, 1.0]
    """
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    if groups is None:
        members = [np.array([i]) for i in range(len(y_true))]
    else:
        ids = {}
        for i, group in enumerate(groups):
            ids.setdefault(group, []).append(i)
        members = [np.array(rows) for rows in ids.values()]

    def figures(units: np.ndarray) -> np.ndarray:
        rows = np.concatenate([members[u] for u in units])
        return _f1_figures(y_true[rows], y_pred[rows])

    if len(members) < 2:
        point = _f1_figures(y_true, y_pred)
        low = high = point  # one unit: nothing to resample
    else:
        result = bootstrap(
            (np.arange(len(members)),), figures, vectorized=False, n_resamples=resamples,
            confidence_level=confidence, method="percentile", rng=np.random.default_rng(seed),
        )
        low, high = result.confidence_interval
    pairs = [[round(float(lo), 4), round(float(hi), 4)] for lo, hi in zip(low, high)]
    intervals = {
        "micro_f1": pairs[0],
        "macro_f1": pairs[1],
        "per_label": dict(zip(LABELS, pairs[2:])),
        "confidence": confidence,
        "resamples": resamples,
        "unit": "sentence" if groups is None else "group",
        "units": len(members),
    }
    if groups is not None and group_field:
        intervals["group_field"] = group_field
    return intervals


def format_interval(pair: Sequence[float] | None) -> str:
    """`` [0.57, 0.77]`` for an interval from :func:`bootstrap_intervals`; ``""`` for none.

    Example:
        >>> format_interval([0.5712, 0.7731]) + "|" + format_interval(None)
        ' [0.57, 0.77]|'
    """
    return f" [{pair[0]:.2f}, {pair[1]:.2f}]" if pair else ""
