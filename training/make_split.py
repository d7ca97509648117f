"""Build the fixed train/validation split from the hand-written corpus drafts.

Whole topics (the sentences of one imagined story) go to one side, chosen by
a stable hash of the topic name, so near-duplicate sentences of one story
never straddle the split. Re-running gives the same files.

Usage: python training/make_split.py [--drafts training/data/drafts] [--validation-share 0.18]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from eventclass.data import read_examples

DATA = Path(__file__).resolve().parent / "data"


def topic_bucket(topic: str) -> float:
    """A stable number in [0, 1) for a topic name (hashlib, not hash())."""
    return int(hashlib.sha256(topic.encode()).hexdigest()[:8], 16) / 16**8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", default=str(DATA / "drafts"))
    parser.add_argument("--validation-share", type=float, default=0.18)
    args = parser.parse_args()
    seen, sides = set(), {"train": [], "validation": []}
    for path in sorted(Path(args.drafts).glob("*.jsonl")):
        examples = read_examples(path)  # fails on the first bad record, naming file and line
        topics = [json.loads(line)["topic"] for line in open(path, encoding="utf-8") if line.strip()]
        for example, topic in zip(examples, topics):
            key = " ".join(example.text.lower().split())
            if key in seen:
                continue
            seen.add(key)
            side = "validation" if topic_bucket(topic) < args.validation_share else "train"
            sides[side].append({"text": example.text, "labels": list(example.labels), "topic": topic})
    for side, records in sides.items():
        with open(DATA / f"{side}.jsonl", "w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"{side}: {len(records)} sentences, {len({r['topic'] for r in records})} topics")


if __name__ == "__main__":
    main()
