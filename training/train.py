"""Fine-tune an eventclass model: `python training/train.py --help`.

Same as `eventclass train`; defaults train the shipped recipe on
training/data/ and write models/default. When the VOA validation file is
beside the checkout (../shared/data/voa_dev_gold.jsonl) and no --held-out is
given, the run also scores it, so the model card shows real-news figures
next to the project's own validation split. It is never trained on.
"""

import sys
from pathlib import Path

from eventclass.cli import main

REAL_NEWS_VALIDATION = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "voa_dev_gold.jsonl"

if __name__ == "__main__":
    arguments = sys.argv[1:]
    if REAL_NEWS_VALIDATION.is_file() and "--held-out" not in arguments and not {"-h", "--help"} & set(arguments):
        arguments += ["--held-out", str(REAL_NEWS_VALIDATION)]
    sys.exit(main(["train", *arguments]))
