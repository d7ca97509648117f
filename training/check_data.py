"""Check labelled data files and print the counts the data card reports.

Every record is validated (JSON, label names, non-empty text); duplicates
within and across files are reported; quotas of the project corpus are
checked. Exit status 1 when anything is wrong.

Usage: python training/check_data.py [FILE ...]   (default: training/data/train.jsonl validation.jsonl)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

from eventclass import LABELS
from eventclass.data import label_counts, read_examples
from eventclass.errors import DataError

DATA = Path(__file__).resolve().parent / "data"
MIN_SENTENCES = 4000
MIN_POSITIVES = 500
MIN_NO_LABEL_SHARE = 1 / 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=[str(DATA / "train.jsonl"), str(DATA / "validation.jsonl")])
    args = parser.parse_args()
    problems, everything, where_seen = [], [], {}
    for name in args.files:
        try:
            examples = read_examples(name)
        except DataError as err:
            print(f"FAIL {err}")
            return 1
        for example in examples:
            key = " ".join(example.text.lower().split())
            if key in where_seen:
                problems.append(f"duplicate: {example.where} repeats {where_seen[key]}")
            where_seen.setdefault(key, example.where)
        counts = label_counts(examples)
        print(f"{name}: {len(examples)} sentences; " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        everything.extend(examples)

    counts = label_counts(everything)
    pairs = Counter(pair for e in everything for pair in combinations(e.labels, 2))
    print(f"\nall: {len(everything)} sentences, no label {counts['(none)']} ({counts['(none)'] / len(everything):.1%})")
    print("| label | positives |\n| --- | --- |")
    for label in LABELS:
        print(f"| {label} | {counts[label]} |")
    print("\n| overlap | sentences |\n| --- | --- |")
    for (a, b), n in pairs.most_common():
        print(f"| {a} + {b} | {n} |")
    if len(everything) < MIN_SENTENCES:
        problems.append(f"only {len(everything)} sentences (< {MIN_SENTENCES})")
    problems += [f"{label}: {counts[label]} positives (< {MIN_POSITIVES})" for label in LABELS if counts[label] < MIN_POSITIVES]
    if counts["(none)"] / len(everything) < MIN_NO_LABEL_SHARE:
        problems.append(f"no-label share {counts['(none)'] / len(everything):.1%} < 33%")
    for problem in problems:
        print(f"FAIL {problem}")
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
