"""Print comparison results as a table and write them as JSON for engineers to dig into."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from .compare import CrateComparison, overall


def _pct(value: float | None) -> str:
    return "  -   " if value is None else f"{value * 100:6.2f}"


def table(results: list[CrateComparison]) -> str:
    header = (
        f"{'crate':<16} {'plain%':>7} {'macro%':>7} {'gen%':>7} {'path R%':>8} {'path P%':>8}"
        f" {'truth':>6} {'ours':>6} {'FP':>5}  status"
    )
    rows = [header, "-" * len(header)]
    for r in results:
        status = (
            "ok"
            if all(r.checks().values())
            else "FAIL: " + ", ".join(name for name, ok in r.checks().items() if not ok)
        )
        rows.append(
            f"{r.crate:<16} {_pct(r.recall['plain'].recall):>7} {_pct(r.recall['macro'].recall):>7}"
            f" {_pct(r.recall['generated'].recall):>7} {_pct(r.path_recall):>8}"
            f" {_pct(r.path_precision):>8} {r.truth_summary['items']:>6} {r.ours_items:>6}"
            f" {r.false_positive_count:>5}  {status}"
        )
    total = overall(results)
    rows.append("-" * len(header))
    rows.append(
        f"{'overall':<16} {_pct(total['recall']['plain']['recall']):>7}"
        f" {_pct(total['recall']['macro']['recall']):>7}"
        f" {_pct(total['recall']['generated']['recall']):>7} {_pct(total['path_recall']):>8}"
        f" {_pct(total['path_precision']):>8}"
    )
    return "\n".join(rows)


def details(result: CrateComparison, out: TextIO, shown: int) -> None:
    """Per-kind counts and the first misses, so the failing stage is obvious."""
    print(f"\n== {result.crate}", file=out)
    for kind, counts in result.per_kind.items():
        print(f"  {kind:<13} {json.dumps(counts, sort_keys=True)}", file=out)
    for klass, misses in result.misses.items():
        for miss in misses[:shown]:
            print(f"  missed {klass}: {json.dumps(miss)}", file=out)
    for fp in result.false_positives[:shown]:
        print(f"  not in truth: {json.dumps(fp)}", file=out)
    for path in result.path_misses[:shown]:
        print(f"  path missing: {path}", file=out)
    for path in result.path_extras[:shown]:
        print(f"  path extra:   {path}", file=out)


def write_json(results: list[CrateComparison], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"overall": overall(results), "crates": [r.to_json() for r in results]}
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
