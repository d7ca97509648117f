"""`python -m eventclass` is the `eventclass` command."""

import sys

from .cli import main

sys.exit(main())
