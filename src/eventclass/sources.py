"""Reading articles to score from files, folders and streams.

Everything is read lazily, one record at a time, so a corpus of millions of
articles never has to fit in memory. A record that cannot be used (missing
text field, non-string or empty text, undecodable bytes, bad JSON) comes out
as a :class:`BadRecord` with the reason, so the caller can report it and go on.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet",)
#: Rows read from a Parquet file at a time.
PARQUET_BATCH = 1_024


@dataclass(frozen=True)
class Article:
    """An article to score: its id, its text, and where it came from."""

    id: str
    text: str
    where: str


#: The reason given, by every engine, for an article in which no sentence was found.
NO_SENTENCES = "no sentences found in article text"


@dataclass(frozen=True)
class BadRecord:
    """A record that was skipped, and why."""

    where: str
    reason: str
    id: str | None = None


def record_to_article(record: object, where: str, id_field: str, text_field: str) -> Article | BadRecord:
    """Check one input record (a dict or a plain string) and make it an :class:`Article`."""
    if isinstance(record, str):
        record = {text_field: record}
    if not isinstance(record, dict):
        return BadRecord(where, f"expected an object with a {text_field!r} field, got {type(record).__name__}")
    raw_id = record.get(id_field)
    article_id = str(raw_id) if raw_id not in (None, "") else where
    if text_field not in record:
        return BadRecord(where, f"missing text field {text_field!r} (fields: {sorted(record)})", article_id)
    text = record[text_field]
    if not isinstance(text, str):
        return BadRecord(where, f"text field {text_field!r} is {type(text).__name__}, not a string", article_id)
    if not text.strip():
        return BadRecord(where, "empty article", article_id)
    return Article(article_id, text, where)


def _decode_lines(handle, name: str) -> Iterator[tuple[int, str | None, str]]:
    """``(line number, text or None, reason)`` for each line of a binary stream."""
    for number, raw in enumerate(handle, start=1):
        try:
            yield number, raw.decode("utf-8"), ""
        except UnicodeDecodeError as err:
            yield number, None, f"undecodable bytes ({err.reason} at byte {err.start})"


def _read_jsonl(handle, name: str, id_field: str, text_field: str) -> Iterator[Article | BadRecord]:
    for number, line, problem in _decode_lines(handle, name):
        where = f"{name}:{number}"
        if line is None:
            yield BadRecord(where, problem)
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as err:
            yield BadRecord(where, f"not valid JSON ({err})")
            continue
        yield record_to_article(record, where, id_field, text_field)


def _read_csv(path: Path, id_field: str, text_field: str) -> Iterator[Article | BadRecord]:
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
        reader = csv.DictReader(text)
        number = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as err:
                yield BadRecord(f"{path}:{number + 1}", f"undecodable bytes ({err.reason}); rest of file skipped")
                return
            number = reader.line_num
            yield record_to_article(row, f"{path}:{number}", id_field, text_field)


def _read_parquet(path: Path, id_field: str, text_field: str) -> Iterator[Article | BadRecord]:
    import pyarrow.parquet as pq

    row = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH):
        for record in batch.to_pylist():
            row += 1
            yield record_to_article(record, f"{path}:{row}", id_field, text_field)


def _read_text_file(path: Path, root: Path | None) -> Article | BadRecord:
    article_id = str(path.relative_to(root)) if root else path.name
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        return BadRecord(str(path), f"undecodable bytes ({err.reason} at byte {err.start})", article_id)
    return record_to_article({"id": article_id, "text": text}, str(path), "id", "text")


def read_articles(inputs: Iterable[str | Path], id_field: str = "id", text_field: str = "text") -> Iterator[Article | BadRecord]:
    """Articles from files, folders of ``.txt`` files, JSONL, CSV, Parquet or ``-`` (JSONL on stdin).

    Example:
        >>> for item in read_articles(["news.jsonl"]):  # doctest: +SKIP
        ...     print(item.id)
    """
    for source in inputs:
        if str(source) == "-":
            yield from _read_jsonl(sys.stdin.buffer, "<stdin>", id_field, text_field)
            continue
        path = Path(source)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file()):
                yield _read_text_file(file, path)
        elif not path.is_file():
            raise FileNotFoundError(f"input not found: {path}")
        elif path.suffix.lower() in JSONL_SUFFIXES:
            with open(path, "rb") as handle:
                yield from _read_jsonl(handle, str(path), id_field, text_field)
        elif path.suffix.lower() in CSV_SUFFIXES:
            yield from _read_csv(path, id_field, text_field)
        elif path.suffix.lower() in PARQUET_SUFFIXES:
            yield from _read_parquet(path, id_field, text_field)
        else:
            yield _read_text_file(path, None)


def count_records(inputs: Iterable[str | Path]) -> int | None:
    """Number of records in ``inputs`` for a progress bar's ETA; ``None`` when unknown (stdin)."""
    total = 0
    for source in inputs:
        path = Path(source)
        if str(source) == "-" or not path.exists():
            return None
        if path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file())
        elif path.suffix.lower() in JSONL_SUFFIXES:
            with open(path, "rb") as handle:
                total += sum(1 for line in handle if line.strip())
        elif path.suffix.lower() in CSV_SUFFIXES:
            return None  # quoted newlines make line counts wrong
        elif path.suffix.lower() in PARQUET_SUFFIXES:
            import pyarrow.parquet as pq

            total += pq.ParquetFile(path).metadata.num_rows
        else:
            total += 1
    return total
