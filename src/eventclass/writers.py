"""Result files that survive interruption: JSONL, CSV and Parquet writers with resume.

The unit of work is the article. Beside the output, a progress file lists
each committed article id with the output's size after it. Output is always
flushed before its progress line, so on restart the output is cut back to
the last committed size (dropping a half-written article or line) and every
listed article is skipped: no article scored twice, none skipped, no
truncated line, whether the run ended by Ctrl-C, ``kill -9`` or a crash.

* JSONL and CSV: one file, appended article by article; progress in ``OUT.progress``.
* Parquet: a folder of part files (Parquet cannot be appended to), each
  written to a temporary name and renamed; progress in ``OUT/_progress.jsonl``
  names the part holding each article, and unlisted parts are removed on resume.

Skipped records go to ``OUT.errors.jsonl`` (or ``OUT/_errors.jsonl``) with the reason.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from .errors import EventclassError
from .labels import LABELS

FORMATS = ("jsonl", "csv", "parquet")
#: Rows buffered before a Parquet part is written.
PARQUET_PART_ROWS = 20_000


def format_for(path: str | Path, requested: str | None = None) -> str:
    """The output format: as requested, else from the file suffix, else JSONL."""
    if requested:
        if requested not in FORMATS:
            raise EventclassError(f"unknown output format {requested!r}; choose one of {FORMATS}")
        return requested
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "jsonl"


def score_column(label: str, prefix: str = "score_") -> str:
    """Column name of a label's score (or count) in flat outputs: ``score_diplomatic_message``."""
    return prefix + label.replace(" ", "_")


def flat_row(record: dict, lists_as_text: bool) -> dict:
    """A record with nested values spread into columns, for CSV and Parquet."""
    row = {}
    for key, value in record.items():
        if key in ("scores", "counts"):
            prefix = "score_" if key == "scores" else "count_"
            row.update({score_column(label, prefix): value.get(label) for label in LABELS})
        elif key == "labels":
            row[key] = ";".join(value) if lists_as_text else list(value)
        elif isinstance(value, (dict, list)):
            row[key] = json.dumps(value, ensure_ascii=False)
        else:
            row[key] = value
    return row


def _read_progress(path: Path) -> list[dict]:
    """Complete progress lines; a torn last line (crash mid-write) is cut off the file."""
    if not path.exists():
        return []
    raw = path.read_bytes()
    keep = raw[: raw.rfind(b"\n") + 1]
    if len(keep) != len(raw):
        with open(path, "r+b") as handle:
            handle.truncate(len(keep))
    return [json.loads(line) for line in keep.decode("utf-8").splitlines() if line.strip()]


class ResultWriter:
    """Appends scored articles to ``path`` and remembers which are done.

    Args:
        path: output file (folder for Parquet).
        fmt: ``jsonl``, ``csv`` or ``parquet``.
        overwrite: start afresh instead of resuming.
        part_rows: Parquet rows per part file (the unit a crash can cost).

    Attributes:
        done: ids of articles (and skipped records) already committed.

    Example:
        >>> with ResultWriter("results.jsonl", "jsonl") as writer:  # doctest: +SKIP
        ...     writer.write_article("a1", records)
    """

    def __init__(self, path: str | Path, fmt: str, overwrite: bool = False, part_rows: int = PARQUET_PART_ROWS):
        self.path, self.fmt, self.part_rows = Path(path), fmt, part_rows
        if fmt == "parquet":
            self.progress_path, self.errors_path = self.path / "_progress.jsonl", self.path / "_errors.jsonl"
        else:
            self.progress_path = self.path.with_name(self.path.name + ".progress")
            self.errors_path = self.path.with_name(self.path.name + ".errors.jsonl")
        if overwrite:
            self._remove_previous()
        elif self.path.exists() and not self.progress_path.exists():
            raise EventclassError(
                f"{self.path} exists but was not written by a resumable run (no {self.progress_path.name}); "
                "pass --overwrite to replace it or choose another --out"
            )
        entries = _read_progress(self.progress_path)
        self.done = {entry["id"] for entry in entries if entry.get("id") is not None}
        self.errors = sum(1 for entry in entries if entry.get("skipped"))
        self._buffer: list[dict] = []  # Parquet rows not yet in a part
        self._pending: list[dict] = []  # their progress entries
        if fmt == "parquet":
            self._open_parquet(entries)
        else:
            self._open_file(entries)
        self._progress = open(self.progress_path, "ab")
        self._errors = open(self.errors_path, "ab")

    def _remove_previous(self) -> None:
        import shutil

        if self.path.is_dir():
            shutil.rmtree(self.path)
        else:
            for path in (self.path, self.progress_path, self.errors_path):
                path.unlink(missing_ok=True)

    def _open_file(self, entries: list[dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        committed = entries[-1]["offset"] if entries else 0
        size = self.path.stat().st_size if self.path.exists() else 0
        if size < committed:
            raise EventclassError(
                f"{self.path} is shorter ({size} bytes) than its progress file records ({committed}); it was changed "
                "outside eventclass, so resuming could lose results: pass --overwrite or choose another --out"
            )
        self._out = open(self.path, "ab")
        self._out.truncate(committed)  # drop anything written after the last committed article
        self._out.seek(committed)
        self._csv_columns: list[str] | None = None
        if self.fmt == "csv" and committed:
            with open(self.path, encoding="utf-8", newline="") as handle:
                self._csv_columns = next(csv.reader(handle))

    def _open_parquet(self, entries: list[dict]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        listed = {entry.get("part") for entry in entries}
        for part in self.path.glob("part-*"):
            if part.name not in listed:  # a part renamed before its progress lines were written
                part.unlink()
        self._next_part = 1 + max((int(p.stem.split("-")[1]) for p in self.path.glob("part-*.parquet")), default=-1)

    # writing -------------------------------------------------------------

    def _encode(self, records: list[dict]) -> bytes:
        if self.fmt == "jsonl":
            return b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)
        rows = [flat_row(r, lists_as_text=True) for r in records]
        text = io.StringIO()
        if self._csv_columns is None:
            self._csv_columns = list(rows[0])
            csv.writer(text).writerow(self._csv_columns)
        writer = csv.DictWriter(text, fieldnames=self._csv_columns, extrasaction="ignore")
        writer.writerows(rows)
        return text.getvalue().encode("utf-8")

    def _commit(self, lines: list[dict]) -> None:
        self._progress.write(b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines))
        self._progress.flush()

    def write_article(self, article_id: str, records: list[dict]) -> None:
        """Append one article's records and mark it done (buffered for Parquet)."""
        self.done.add(article_id)
        if self.fmt == "parquet":
            self._buffer.extend(records)
            self._pending.append({"id": article_id})
            if len(self._buffer) >= self.part_rows:
                self._write_part()
            return
        if records:
            self._out.write(self._encode(records))
        self._out.flush()
        self._commit([{"id": article_id, "offset": self._out.tell()}])

    def _write_part(self) -> None:
        if not self._pending:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        name = None
        if self._buffer:
            name = f"part-{self._next_part:05d}.parquet"
            tmp = self.path / f".{name}.tmp"
            pq.write_table(pa.Table.from_pylist([flat_row(r, lists_as_text=False) for r in self._buffer]), tmp)
            os.replace(tmp, self.path / name)
            self._next_part += 1
        self._commit([{**entry, "part": name} for entry in self._pending])
        self._buffer, self._pending = [], []

    def write_error(self, where: str, reason: str, article_id: str | None = None) -> None:
        """Record a skipped input record, with the reason, in the errors file."""
        self.errors += 1
        self._errors.write(json.dumps({"record": where, "id": article_id, "reason": reason}, ensure_ascii=False).encode() + b"\n")
        self._errors.flush()
        key = article_id or where
        self.done.add(key)
        if self.fmt == "parquet":
            self._pending.append({"id": key, "skipped": reason})
        else:
            self._commit([{"id": key, "offset": self._out.tell(), "skipped": reason}])

    def close(self) -> None:
        """Write what is buffered and close the files."""
        if self.fmt == "parquet":
            self._write_part()
        else:
            self._out.close()
        self._progress.close()
        self._errors.close()

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
