"""Multi-label metrics and threshold selection, computed with scikit-learn.

The evaluation report, the trainer's validation step, threshold calibration
and the local `evaluate` metric module all use these functions, so every
figure the project prints is computed the same way.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score, precision_recall_curve, precision_recall_fscore_support

from .labels import LABELS

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
