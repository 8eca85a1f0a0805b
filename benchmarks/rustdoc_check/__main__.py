"""`python -m benchmarks.rustdoc_check CRATE-VERSION ...`: same as check_extraction.py."""

import sys

from .cli import main

sys.exit(main())
