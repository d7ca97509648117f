"""The `eventclass` command line. It owns the terminal: logging goes to stderr,
results go to stdout as JSON lines, so commands pipe into each other and jq.

Exit status: 0 success, 1 error (message on stderr), 2 bad usage,
3 finished but some records were skipped (see the errors file).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys

from .errors import EventclassError

EXIT_ERROR = 1
EXIT_RECORD_ERRORS = 3


def add_logging_options(parser: argparse.ArgumentParser, default=False) -> None:
    """-v/-q accepted before or after the command; SUPPRESS keeps a subcommand from resetting them."""
    parser.add_argument("-v", "--verbose", action="store_true", default=default, help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", default=default, help="warnings and errors only; no progress bar")


def add_model_options(parser: argparse.ArgumentParser) -> None:
    add_logging_options(parser, default=argparse.SUPPRESS)
    parser.add_argument("--model", help="fine-tuned folder or HF model id (default: $EVENTCLASS_MODEL, models/default, else zero-shot)")
    parser.add_argument("--zero-shot", action="store_true", help="force zero-shot mode")
    parser.add_argument("--device", default=None, help="auto (default), cpu, cuda, cuda:1 ...")
    parser.add_argument("--precision", default="auto", choices=("auto", "bf16", "fp32"), help="auto: bf16 where the hardware has it")


def load_classifier(args: argparse.Namespace):
    from .classifier import EventClassifier

    if args.zero_shot:
        return EventClassifier.zero_shot(device=args.device, precision=args.precision)
    return EventClassifier.load(args.model, device=args.device, precision=args.precision)


def cmd_classify(args: argparse.Namespace) -> int:
    texts = args.text or [line.rstrip("\n") for line in sys.stdin if line.strip()]
    classifier = load_classifier(args)
    for text, prediction in zip(texts, classifier.classify(texts)):
        print(json.dumps({"text": text, **prediction.to_dict()}, ensure_ascii=False))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    print(json.dumps(load_classifier(args).info(), indent=2))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from .metrics import format_interval
    from .training import TrainingConfig, train

    given = {name: value for name, value in vars(args).items() if value is not None}
    given["progress"] = not getattr(args, "quiet", False)
    config = TrainingConfig(**{f.name: given[f.name] for f in dataclasses.fields(TrainingConfig) if f.name in given})
    saved = train(config)
    metrics = json.loads((saved / "eventclass.json").read_text())["metrics"]
    print(json.dumps({"model": str(saved), **metrics["validation"]}, indent=2))
    for source, held in metrics.get("held_out", {}).items():
        spans = held["intervals"]
        print(f"held out {source}: micro-F1 {held['micro_f1']:.3f}{format_interval(spans['micro_f1'])}  "
              f"macro-F1 {held['macro_f1']:.3f}{format_interval(spans['macro_f1'])}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate_classifier, format_report

    report = evaluate_classifier(
        load_classifier(args), args.data, errors=args.errors, plot=args.plot,
        text_field=args.text_field, labels_field=args.labels_field, bootstrap=args.bootstrap, group_field=args.group_field,
    )
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.engine == "ray":
        from .ray_engine import score_with_ray

        result = score_with_ray(
            args.inputs, args.out, model=args.model, zero_shot=args.zero_shot, fmt=args.format,
            id_field=args.id_field, text_field=args.text_field, num_actors=args.num_actors, address=args.ray_address,
            precision=args.precision,
        )
        print(json.dumps(result), file=sys.stderr)
        return 0
    from .scoring import run_scoring

    stats = run_scoring(
        args.inputs, args.out, classifier=load_classifier(args), fmt=args.format, id_field=args.id_field,
        text_field=args.text_field, summary=args.summary, events_only=args.events_only,
        overwrite=args.overwrite, progress=not args.quiet, parquet_part_rows=args.parquet_part_rows,
    )
    rate = stats.sentences / max(stats.seconds, 1e-9)
    logging.getLogger("eventclass").info(
        "scored %d articles, %d sentences in %.1f s (%.0f sentences/s); %d resumed, %d skipped",
        stats.articles, stats.sentences, stats.seconds, rate, stats.resumed, stats.skipped,
    )
    if stats.skipped:
        print(f"eventclass: {stats.skipped} record(s) skipped, reasons in the errors file beside {args.out}", file=sys.stderr)
        return EXIT_RECORD_ERRORS
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eventclass", description="Which political-military events news sentences report.")
    add_logging_options(parser)
    commands = parser.add_subparsers(dest="command", required=True)

    classify = commands.add_parser("classify", help="classify sentences (arguments, or one per line on stdin); JSON lines out")
    classify.add_argument("text", nargs="*", help="sentences; none reads stdin")
    add_model_options(classify)
    classify.set_defaults(run=cmd_classify)

    info = commands.add_parser("info", help="mode, model path, labels and thresholds of the model that would be used")
    add_model_options(info)
    info.set_defaults(run=cmd_info)

    from .data import GROUP_FIELD
    from .metrics import BOOTSTRAP_RESAMPLES
    from .training import TrainingConfig

    d = TrainingConfig()
    train = commands.add_parser("train", help="fine-tune a model on labelled sentences and save a model folder")
    add_logging_options(train, default=argparse.SUPPRESS)
    train.add_argument("--train", nargs="+", help="JSONL/CSV files or datasets sources (default: training/data/train.jsonl)")
    train.add_argument("--validation", nargs="+", help="validation data; thresholds are chosen on it (default: training/data/validation.jsonl)")
    train.add_argument("--base-model", help="HF model id or path (default: the bundled all-MiniLM-L6-v2)")
    train.add_argument("--output", default=d.output, help=f"model folder to write (default: {d.output})")
    train.add_argument("--epochs", type=float, default=d.epochs)
    train.add_argument("--learning-rate", type=float, default=d.learning_rate)
    train.add_argument("--batch-size", type=int, default=d.batch_size)
    train.add_argument("--max-length", type=int, default=d.max_length)
    train.add_argument("--seed", type=int, default=d.seed)
    train.add_argument("--patience", type=int, default=d.patience, help="early stopping: epochs without validation gain (0: off)")
    train.add_argument("--max-steps", type=int, default=d.max_steps, help="stop after this many steps (smoke tests)")
    train.add_argument("--device", default=None, help="auto (CUDA when present), cpu, cuda")
    train.add_argument("--bf16", default="auto", choices=("auto", "yes", "no"), help="auto: where the hardware has native bf16")
    train.add_argument("--held-out", nargs="+", help="labelled files (e.g. real news) scored after training for the record: never trained on, not used for thresholds")
    train.add_argument("--text-field", default="text")
    train.add_argument("--labels-field", default="labels")
    train.set_defaults(run=cmd_train)

    evaluate = commands.add_parser("evaluate", help="per-label precision/recall/F1 of a model on a labelled file")
    evaluate.add_argument("--data", required=True, help="JSONL/CSV with text and labels")
    evaluate.add_argument("--errors", type=int, default=0, metavar="N", help="list N false positives/negatives per label")
    evaluate.add_argument("--json", action="store_true", help="JSON instead of a table")
    evaluate.add_argument("--plot", metavar="PNG", help="write per-label precision-recall curves here")
    evaluate.add_argument("--bootstrap", type=int, default=BOOTSTRAP_RESAMPLES, metavar="N",
                          help=f"resamples for 95%% confidence intervals (0: none; default {BOOTSTRAP_RESAMPLES})")
    evaluate.add_argument("--group-field", default=GROUP_FIELD,
                          help="column naming each sentence's article; whole articles are resampled where every record has it")
    evaluate.add_argument("--text-field", default="text")
    evaluate.add_argument("--labels-field", default="labels")
    add_model_options(evaluate)
    evaluate.set_defaults(run=cmd_evaluate)

    score = commands.add_parser("score", help="split articles into sentences, score them, write results (resumable)")
    score.add_argument("inputs", nargs="+", help=".txt files, folders of .txt, .jsonl, .csv, .parquet, or - for JSONL on stdin")
    score.add_argument("--out", required=True, help="results file (.jsonl, .csv) or folder (.parquet); rerun to resume")
    score.add_argument("--format", choices=("jsonl", "csv", "parquet"), help="default: from --out's suffix, else jsonl")
    score.add_argument("--id-field", default="id", help="article id field of JSONL/CSV/Parquet input (default: id)")
    score.add_argument("--text-field", default="text", help="article text field (default: text)")
    score.add_argument("--summary", action="store_true", help="one record per article instead of one per sentence")
    score.add_argument("--events-only", action="store_true", help="leave out sentences that carry no label")
    score.add_argument("--overwrite", action="store_true", help="start afresh instead of resuming")
    score.add_argument("--parquet-part-rows", type=int, default=None, help="rows per Parquet part file (default 20000)")
    score.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    score.add_argument("--engine", choices=("local", "ray"), default="local", help="ray: Ray Data on a local or remote cluster")
    score.add_argument("--num-actors", type=int, default=None, help="ray: model actors (default: one per GPU, else half the CPUs)")
    score.add_argument("--ray-address", default=None, help="ray: cluster address (default: $RAY_ADDRESS or a local instance)")
    add_model_options(score)
    score.set_defaults(run=cmd_score)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(message)s", stream=sys.stderr)
    if args.command != "train" or args.quiet:  # weight-loading bars are noise; training keeps its bars unless -q
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    if args.command == "train" and args.quiet:
        import datasets

        datasets.disable_progress_bars()

    try:
        return args.run(args)
    except (EventclassError, FileNotFoundError) as err:
        print(f"eventclass: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("eventclass: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
