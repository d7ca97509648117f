"""Fine-tune an eventclass model: `python training/train.py --help`.

Same as `eventclass train`; defaults train the shipped recipe on
training/data/ and write models/default.
"""

import sys

from eventclass.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
