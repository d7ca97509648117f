"""The five event labels of the codebook (`CODEBOOK.md`), in one fixed order.

Every other module takes its label names and order from here, so a model
folder, a zero-shot scorer and a training file can be checked against the
same definition.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import DataError

LABELS: tuple[str, ...] = (
    "attack",
    "retaliation",
    "condemnation",
    "sanction",
    "diplomatic message",
)

#: One-sentence definitions written from the codebook. They are the NLI
#: hypotheses in NLI zero-shot mode and the label glossary of model cards.
LABEL_DEFINITIONS: dict[str, str] = {
    "attack": "This sentence reports an attack: armed force such as a strike, bombing, "
    "shelling, raid, shooting or killing that happened.",
    "retaliation": "This sentence reports an action taken in retaliation or in response "
    "to an earlier hostile act by the other side.",
    "condemnation": "This sentence reports that someone condemned, criticised, denounced "
    "or accused another actor over its conduct.",
    "sanction": "This sentence reports sanctions, an embargo, asset freezes, a blacklisting, "
    "export controls or expelled diplomats imposed on a foreign target.",
    "diplomatic message": "This sentence reports a diplomatic message: a government or "
    "official talking to, meeting, calling on, warning or appealing to another party.",
}


def check_labels(labels: Iterable[object], where: str) -> tuple[str, ...]:
    """Return ``labels`` in canonical order, or raise naming the unknown one.

    Args:
        labels: label names as read from a file or passed by a user.
        where: what to name in the error, e.g. ``"train.jsonl line 12"``.

    Example:
        >>> check_labels(["sanction", "attack"], "example")
        ('attack', 'sanction')
    """
    seen = set()
    for label in labels:
        if not isinstance(label, str) or label not in LABELS:
            raise DataError(
                f"{where}: unknown label {label!r}; labels must be drawn from {list(LABELS)}"
            )
        seen.add(label)
    return tuple(label for label in LABELS if label in seen)
