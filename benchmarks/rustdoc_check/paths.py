"""Where the check keeps its outputs (benchmarks/out/, gitignored)."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS_DIR = Path(__file__).resolve().parents[1]
OUT_DIR = BENCHMARKS_DIR / "out"
TRUTH_DIR = OUT_DIR / "truth"
