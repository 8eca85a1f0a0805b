"""Entry point: check rustrag's extraction against rustdoc JSON for real crates.

    python benchmarks/check_extraction.py semver-1.0.14 [...] [--export FILE]

See benchmarks/rustdoc_check/cli.py for the options.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the repo root importable so `benchmarks` is a package.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.rustdoc_check.cli import main

if __name__ == "__main__":
    sys.exit(main())
