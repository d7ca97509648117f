"""Labelled sentences: reading, checking and fingerprinting training data.

Every record is checked as it is read, so bad data fails at once with the
file, the line and the problem, before minutes of training are spent.
Accepted sources: JSON lines, CSV (labels as a JSON list or separated by
``;``), or anything ``datasets.load_dataset`` can load (a local folder or a
dataset in the local cache).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError
from .labels import LABELS, check_labels

TEXT_FIELD = "text"
LABELS_FIELD = "labels"
CSV_LABEL_SEPARATOR = ";"
#: Column naming the article a sentence comes from (the VOA file's); whole articles are resampled for intervals.
GROUP_FIELD = "article"


@dataclass(frozen=True)
class Example:
    """One labelled sentence; ``where`` is its ``file line N`` for messages.

    ``group`` is the value of an optional grouping column (e.g. the article
    id), which evaluation uses to resample whole articles.
    """

    text: str
    labels: tuple[str, ...]
    where: str = ""
    group: str | None = None


def _check_record(record: object, where: str, text_field: str, labels_field: str, group_field: str | None = None) -> Example:
    if not isinstance(record, dict):
        raise DataError(f"{where}: expected an object with {text_field!r} and {labels_field!r}, got {type(record).__name__}")
    for name in (text_field, labels_field):
        if name not in record:
            raise DataError(f"{where}: missing column {name!r} (columns: {sorted(record)})")
    text, labels = record[text_field], record[labels_field]
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{where}: {text_field!r} must be a non-empty string, got {text!r}")
    if isinstance(labels, str):
        labels = _split_label_string(labels)
    if not isinstance(labels, (list, tuple)):
        raise DataError(f"{where}: {labels_field!r} must be a list of labels, got {labels!r}")
    group = record.get(group_field) if group_field else None
    return Example(text=text.strip(), labels=check_labels(labels, where), where=where, group=None if group is None else str(group))


def _split_label_string(value: str) -> list[str]:
    """CSV cells: ``["attack", "sanction"]`` or ``attack;sanction`` or empty."""
    value = value.strip()
    if value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            pass
    return [part.strip() for part in value.split(CSV_LABEL_SEPARATOR) if part.strip()]


def _read_jsonl(path: Path) -> Iterator[tuple[object, str]]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line), f"{path} line {number}"
            except ValueError as err:
                raise DataError(f"{path} line {number}: not valid JSON ({err}); expected one JSON object a line") from err


def _read_csv(path: Path) -> Iterator[tuple[object, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            yield row, f"{path} line {number}"


def _read_datasets(source: str, split: str) -> Iterator[tuple[object, str]]:
    import datasets

    try:
        dataset = datasets.load_dataset(source, split=split)
    except Exception as err:  # datasets raises many types; report them all the same way
        raise DataError(f"cannot load {source!r} with datasets.load_dataset ({err})") from err
    for number, row in enumerate(dataset):
        yield row, f"{source} row {number}"


def read_examples(
    source: str | Path,
    text_field: str = TEXT_FIELD,
    labels_field: str = LABELS_FIELD,
    split: str = "train",
    group_field: str | None = None,
) -> list[Example]:
    """Read and check labelled sentences from one source.

    Args:
        source: a ``.jsonl``/``.json`` or ``.csv`` file, or a ``datasets`` source.
        text_field, labels_field: column names.
        split: the split to take from a ``datasets`` source.
        group_field: optional column kept as :attr:`Example.group` where present.

    Raises:
        DataError: naming the file and line of the first bad record.

    Example:
        >>> examples = read_examples("training/data/train.jsonl")  # doctest: +SKIP
        >>> examples[0].labels  # doctest: +SKIP
        ('attack', 'retaliation')
    """
    path = Path(source)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".jsonl", ".json", ".ndjson"):
            rows = _read_jsonl(path)
        elif suffix in (".csv", ".tsv"):
            rows = _read_csv(path)
        else:
            raise DataError(f"{path}: unknown file type {suffix!r}; use .jsonl or .csv")
    elif path.suffix.lower() in (".jsonl", ".json", ".csv") or path.is_dir() and not any(path.iterdir()):
        raise DataError(f"{path}: no such data file")
    else:
        rows = _read_datasets(str(source), split)
    examples = [_check_record(record, where, text_field, labels_field, group_field) for record, where in rows]
    if not examples:
        raise DataError(f"{source}: no labelled sentences found")
    return examples


def fingerprint(examples: Iterable[Example]) -> str:
    """Stable SHA-256 of texts and labels, saved with a model to name its data."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps([example.text, list(example.labels)], ensure_ascii=False).encode())
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()


def groups_of(examples: list[Example]) -> list[str] | None:
    """Each example's group, or ``None`` unless every example has one.

    A partly grouped file cannot be resampled by group, so callers fall back
    to single sentences rather than treating ungrouped sentences as one group.
    """
    groups = [example.group for example in examples]
    return None if None in groups else groups


def label_counts(examples: Iterable[Example]) -> dict[str, int]:
    """Positives per label, plus ``"(none)"`` for sentences with no label."""
    counts = dict.fromkeys([*LABELS, "(none)"], 0)
    for example in examples:
        for label in example.labels:
            counts[label] += 1
        if not example.labels:
            counts["(none)"] += 1
    return counts
