"""Peak memory of score_articles on a 1,000,000-sentence generator.

Streams 100,000 synthetic articles of 10 sentences through the real
classifier (the default model, bf16 where native) and prints peak RSS after
every 100,000 sentences: flat numbers mean bounded buffers.

Usage: python benchmarks/bench_memory.py [--sentences 1000000]
"""

from __future__ import annotations

import argparse
import resource
import time

from eventclass import EventClassifier
from eventclass.scoring import score_articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1_000_000)
    args = parser.parse_args()
    classifier = EventClassifier.load()
    words = "Officials said the convoy was hit near the border town on Friday evening".split()
    article = " ".join(f"{' '.join(words[k % 5:])} number {k}." for k in range(10))
    stream = ({"id": str(n), "text": article} for n in range(args.sentences // 10))
    started = time.perf_counter()
    print(f"model {classifier.model_path} ({classifier.mode})")
    for n, _ in enumerate(score_articles(stream, classifier), start=1):
        if n % 100_000 == 0:
            rate = n / (time.perf_counter() - started)
            print(f"{n:>9,} sentences  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MB  {rate:6.0f} sentences/s")


if __name__ == "__main__":
    main()
