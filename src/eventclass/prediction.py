"""The one result type every mode returns: :class:`Prediction`."""

from __future__ import annotations

from dataclasses import dataclass, field

from .labels import LABELS

MODES = ("fine-tuned", "zero-shot")


@dataclass(frozen=True)
class Prediction:
    """What one sentence reports.

    Attributes:
        labels: labels whose score reaches that label's threshold, best first;
            ``()`` when the sentence reports no event.
        scores: a score in [0, 1] for each of the five labels.
        mode: ``"fine-tuned"`` or ``"zero-shot"``: which kind of model scored it.
        text: the input text (left out of ``repr`` because it may be long).

    Example:
        >>> p = Prediction.from_scores({"attack": 0.9, "retaliation": 0.1,
        ...     "condemnation": 0.0, "sanction": 0.0, "diplomatic message": 0.6},
        ...     thresholds=dict.fromkeys(LABELS, 0.5), mode="zero-shot")
        >>> p.labels, p.label
        (('attack', 'diplomatic message'), 'attack')
    """

    labels: tuple[str, ...]
    scores: dict[str, float]
    mode: str
    text: str = field(default="", repr=False, compare=False)

    @property
    def label(self) -> str | None:
        """The best label the sentence carries, or ``None`` when it carries none."""
        return self.labels[0] if self.labels else None

    @classmethod
    def from_scores(
        cls, scores: dict[str, float], thresholds: dict[str, float], mode: str, text: str = ""
    ) -> Prediction:
        """Build a prediction by applying per-label thresholds to ``scores``."""
        passing = [label for label in LABELS if scores[label] >= thresholds[label]]
        passing.sort(key=lambda label: scores[label], reverse=True)
        return cls(labels=tuple(passing), scores=dict(scores), mode=mode, text=text)

    @classmethod
    def empty(cls, mode: str, text: str = "") -> Prediction:
        """The prediction for empty or whitespace-only text: no labels, zero scores."""
        return cls(labels=(), scores=dict.fromkeys(LABELS, 0.0), mode=mode, text=text)

    def to_dict(self) -> dict:
        """A JSON-ready dict: ``labels``, ``label``, ``scores`` and ``mode``."""
        return {
            "labels": list(self.labels),
            "label": self.label,
            "scores": {label: round(score, 6) for label, score in self.scores.items()},
            "mode": self.mode,
        }
