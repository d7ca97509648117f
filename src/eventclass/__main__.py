"""`python -m eventclass` is the `eventclass` command."""

import sys

from .cli import main

if __name__ == "__main__":  # guarded: the sentence-splitting process re-imports the main module
    sys.exit(main())
