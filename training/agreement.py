"""How far two labellings of the same sentences agree: the ceiling a model can be held to.

Scores the second file against the first as if it were a model's output
(per-label precision/recall/F1, micro and macro F1, with bootstrap intervals),
matching sentences by text. Why: a validation figure means little without
knowing how well two careful readers of the codebook agree on the same
sentences. See the data card for the figures measured on this corpus and on
the VOA validation file.

Usage: python training/agreement.py REFERENCE.jsonl SECOND.jsonl [--group-field topic]
Example: python training/agreement.py training/data/validation.jsonl training/data/agreement/validation_second_annotation.jsonl
"""

from __future__ import annotations

import argparse
import sys

from eventclass.data import groups_of, read_examples
from eventclass.metrics import bootstrap_intervals, format_interval, labels_to_matrix, multilabel_report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference")
    parser.add_argument("second")
    parser.add_argument("--group-field", default="topic", help="column naming each sentence's article, resampled whole")
    args = parser.parse_args()
    reference = {e.text: e for e in read_examples(args.reference, group_field=args.group_field)}
    second = read_examples(args.second, group_field=args.group_field)
    unmatched = [e.where for e in second if e.text not in reference]
    if unmatched:
        print(f"{len(unmatched)} sentence(s) of {args.second} are not in {args.reference}, e.g. {unmatched[0]}", file=sys.stderr)
        return 1
    y_ref = labels_to_matrix([reference[e.text].labels for e in second])
    y_two = labels_to_matrix([e.labels for e in second])
    report = multilabel_report(y_ref, y_two)
    spans = bootstrap_intervals(y_ref, y_two, groups_of(second))
    micro, macro = (f"{report[k]:.3f}{format_interval(spans[k])}" for k in ("micro_f1", "macro_f1"))
    print(f"{len(second)} sentences: micro-F1 {micro}  macro-F1 {macro} (95% intervals)")
    for label, m in report["per_label"].items():
        print(f"  {label:20s} P {m['precision']:.2f}  R {m['recall']:.2f}  F1 {m['f1']:.2f}  support {m['support']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
