"""The `eventclass` command line. It owns the terminal: logging goes to stderr,
results go to stdout as JSON lines, so commands pipe into each other and jq.

Exit status: 0 success, 1 error (message on stderr), 2 bad usage,
3 finished but some records were skipped (see the errors file).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from .errors import EventclassError

EXIT_ERROR = 1
EXIT_RECORD_ERRORS = 3


def add_model_options(parser: argparse.ArgumentParser) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eventclass", description="Which political-military events news sentences report.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    commands = parser.add_subparsers(dest="command", required=True)

    classify = commands.add_parser("classify", help="classify sentences (arguments, or one per line on stdin); JSON lines out")
    classify.add_argument("text", nargs="*", help="sentences; none reads stdin")
    add_model_options(classify)
    classify.set_defaults(run=cmd_classify)

    info = commands.add_parser("info", help="mode, model path, labels and thresholds of the model that would be used")
    add_model_options(info)
    info.set_defaults(run=cmd_info)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(message)s", stream=sys.stderr)
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
