"""Benchmark article scoring against the plain transformers pipeline.

Scores every article of ../shared/data/voa_stories.jsonl with
(a) eventclass ``score_articles`` (sentence splitting included), and
(b) ``transformers.pipeline("text-classification")`` at its default settings
over the same sentences with the same weights (splitting not counted),
then prints sentences/second for both, the ratio, peak memory, and how often
bf16 and fp32 give the same label set.

Timings on a shared 2-core VM drift by tens of percent between minutes, so
(a) and (b) run alternately ``--repeat`` times and the medians are compared.
Each side gets one warm-up call first; shape-specific kernel builds on the
first real pass are left in (a)'s first timing, not hidden.

Usage: python benchmarks/bench_scoring.py [--model models/default] [--stories FILE] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from eventclass import LABELS, EventClassifier
from eventclass.modeling import resolve_default_model
from eventclass.scoring import score_articles
from eventclass.segment import split_sentences

DEFAULT_STORIES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "voa_stories.jsonl"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="fine-tuned folder (default: models/default)")
    parser.add_argument("--stories", default=str(DEFAULT_STORIES))
    parser.add_argument("--repeat", type=int, default=3, help="alternating timed runs of (a) and (b); medians are compared")
    args = parser.parse_args()
    model = args.model or resolve_default_model()[0]
    if not model or not Path(args.stories).is_file():
        sys.exit("needs a fine-tuned model (run `eventclass train`) and ../shared/data/voa_stories.jsonl")
    import torch

    articles = [{"id": s["id"], "text": s["text"]} for s in map(json.loads, open(args.stories))]
    print(f"{len(articles)} articles, torch threads {torch.get_num_threads()}, model {model}")

    fast = EventClassifier.load(model)  # precision auto: bf16 where native
    fast.classify("warm-up sentence.")
    start = time.perf_counter()
    sentences = [s.text for a in articles for s in split_sentences(a["text"])]
    split_seconds = time.perf_counter() - start

    from transformers import pipeline

    pipe = pipeline("text-classification", model=model, top_k=None, device="cpu")
    pipe("warm-up sentence.")
    ours_times, plain_times = [], []
    for round_number in range(max(1, args.repeat)):
        start = time.perf_counter()
        ours = list(score_articles(articles, fast))
        ours_times.append(time.perf_counter() - start)
        if round_number == 0:
            ours_peak = peak_mb()
        start = time.perf_counter()
        plain = pipe(sentences)
        plain_times.append(time.perf_counter() - start)
        print(f"  round {round_number + 1}: (a) {ours_times[-1]:.2f} s  (b) {plain_times[-1]:.2f} s", flush=True)
    ours_seconds, plain_seconds = statistics.median(ours_times), statistics.median(plain_times)
    print(f"(a) eventclass score_articles [{fast.runner.precision}]: {len(ours)} sentences in {ours_seconds:.2f} s (median) "
          f"= {len(ours) / ours_seconds:.1f} sentences/s, splitting included (splitting alone {split_seconds:.2f} s); "
          f"peak RSS {ours_peak:.0f} MB")
    print(f"(b) transformers pipeline, default settings [fp32]: {len(sentences)} sentences in {plain_seconds:.2f} s (median) "
          f"= {len(sentences) / plain_seconds:.1f} sentences/s; peak RSS of the whole process {peak_mb():.0f} MB")
    print(f"speed-up (a)/(b), medians of {len(ours_times)}: {(len(ours) / ours_seconds) / (len(sentences) / plain_seconds):.1f}x "
          f"(first-round ratio {plain_times[0] / ours_times[0]:.1f}x)")

    exact = EventClassifier.load(model, precision="fp32")
    fp32 = list(score_articles(articles, exact))
    same = sum(set(a["labels"]) == set(b["labels"]) for a, b in zip(ours, fp32))
    drift = max(abs(a["scores"][l] - b["scores"][l]) for a, b in zip(ours, fp32) for l in LABELS)
    print(f"bf16 vs fp32 label sets: {same}/{len(fp32)} identical ({same / len(fp32):.2%}); max score difference {drift:.4f}")

    pipe_labels = [{l for l in LABELS if {d["label"]: d["score"] for d in row}[l] >= exact.thresholds[l]} for row in plain]
    agree = sum(set(r["labels"]) == p for r, p in zip(fp32, pipe_labels))
    cut = sum(len(ids) >= exact.runner.max_length for ids in exact.runner.tokenize(sentences)[0])
    print(f"fp32 eventclass vs pipeline label sets (same thresholds): {agree}/{len(fp32)} identical "
          f"({cut} sentences exceed eventclass's {exact.runner.max_length}-token window; the pipeline reads up to 512)")
    labelled = sum(bool(r["labels"]) for r in ours)
    print(f"sentences with at least one label: {labelled} ({labelled / len(ours):.1%})")


if __name__ == "__main__":
    main()
