"""The mutation run in small: ~300 damaged copies of real crate files through the real
`rustrag index` subprocess. The 10,000-file run is `python -m benchmarks.fuzz_index`."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `benchmarks` lives at the repo root, outside src/
    sys.path.insert(0, str(REPO))

from benchmarks.fuzz_index import FIXED, SHARES, fuzz  # noqa: E402


def test_three_hundred_mutated_files_index_without_loss(tmp_path: Path) -> None:
    outcome = fuzz(300, tmp_path, seed=7, jobs=2)
    assert outcome.crashes == 0, outcome.stderr_tail
    assert outcome.exit_code == 0
    assert outcome.mutated == 300 and outcome.files_tried > 300
    assert outcome.files_lost == 0, outcome.lost_examples
    assert outcome.corrupt_indexes == 0, outcome.corruption
    assert outcome.controls > 0 and outcome.controls_matching == outcome.controls
    assert set(outcome.by_kind) == {*SHARES, *FIXED, "control"}
    # the hostile kinds must be named in the report, not just survived
    for kind in ("huge", "unlinked", "invalid_utf8"):
        counts = outcome.by_kind[kind]
        assert counts["reported"] == sum(v for k, v in counts.items() if k != "reported"), kind
    assert outcome.by_kind["deep"]["reported"] >= 3  # mods, use trees, bounds
    # an empty file is valid Rust: indexed (a file row), with nothing to report
    assert outcome.by_kind["empty"].get("not_indexed", 0) == 0
