"""Precision and recall of `rustrag check` on code written for older crate versions.

Cases (cases/*.rs) are small programs: clap3_* and nom4_* are written against clap 3 /
nom 4 and checked in a project locked to clap 4.0.32 / nom 7.1.1; clap4_* and nom7_* are
correct code for those versions (false-positive probes). Each line a checker should flag
ends with `//~` (labelled by hand). A finding (error or warning; `info` is not counted)
on a labelled line is a true positive; on any other line a false positive; a labelled
line without a finding a false negative.

With --verify, cargo compiles every case against the Debian crates (ground truth: the
correct cases must compile and the old-API cases must not). Cargo runs only here, in the
benchmark, never inside rustrag.

    python benchmarks/check_eval/run_eval.py [--verify]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.debian_project import lock_against_debian, write_files

from rustrag.api import Workspace

HERE = Path(__file__).parent
CASES = HERE / "cases"
OUT = HERE.parent / "out" / "check_eval.json"

MANIFEST = """[package]
name = "check-eval"
version = "0.1.0"
edition = "2021"

[dependencies]
clap = { version = "4", default-features = false, features = [
    "std", "help", "usage", "error-context"] }
nom = "7"
"""
MARK = "//~"


def make_workspace(root: Path) -> None:
    write_files(root, {"Cargo.toml": MANIFEST, "src/main.rs": "fn main() {}\n"})
    (root / "src" / "bin").mkdir(parents=True)
    lock_against_debian(root)


def labels(source: str) -> set[int]:
    return {n for n, line in enumerate(source.splitlines(), 1) if line.rstrip().endswith(MARK)}


def verify(root: Path, cases: list[Path]) -> dict[str, bool]:
    """case name -> compiles against the locked versions."""
    for case in cases:
        shutil.copy(case, root / "src" / "bin" / case.name)
    compiles = {}
    for case in cases:
        done = subprocess.run(
            ["cargo", "check", "--offline", "--quiet", "--bin", case.stem],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=600,
        )
        compiles[case.stem] = done.returncode == 0
    return compiles


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verify", action="store_true", help="compile every case with cargo")
    args = parser.parse_args()
    cases = sorted(CASES.glob("*.rs"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        make_workspace(root)
        workspace = Workspace(root, Path(tmp) / "index")
        started = time.perf_counter()
        workspace.index()
        index_seconds = time.perf_counter() - started
        compiles = verify(root, cases) if args.verify else {}
        rows = []
        tp = fp = fn = 0
        for case in cases:
            source = case.read_text()
            expected = labels(source)
            report = workspace.check(source, file=str(case))
            flagged = {f.line for f in report.findings if f.severity != "info"}
            case_tp, case_fp, case_fn = (
                len(expected & flagged),
                len(flagged - expected),
                len(expected - flagged),
            )
            tp, fp, fn = tp + case_tp, fp + case_fp, fn + case_fn
            rows.append(
                {
                    "case": case.stem,
                    "old_api": case.stem.startswith(("clap3", "nom4")),
                    "compiles": compiles.get(case.stem),
                    "expected_lines": sorted(expected),
                    "flagged_lines": sorted(flagged),
                    "tp": case_tp,
                    "fp": case_fp,
                    "fn": case_fn,
                    "findings": [f.to_json() for f in report.findings],
                }
            )
            status = (
                ""
                if case.stem not in compiles
                else (" compiles" if compiles[case.stem] else " does-not-compile")
            )
            print(
                f"{case.stem:22} expected {sorted(expected)!s:22} flagged {sorted(flagged)!s:22}"
                f" tp={case_tp} fp={case_fp} fn={case_fn}{status}"
            )
            for finding in report.findings:
                print(f"    {finding}")
        workspace.close()
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    bad_truth = [
        r["case"] for r in rows if r["compiles"] is not None and r["compiles"] == r["old_api"]
    ]
    summary = {
        "cases": len(rows),
        "old_api_cases": sum(r["old_api"] for r in rows),
        "labelled_lines": tp + fn,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "false_positive_cases": [r["case"] for r in rows if r["fp"]],
        "ground_truth_mismatches": bad_truth if args.verify else None,
        "index_seconds": round(index_seconds, 1),
        "machine": f"{platform.machine()} {platform.processor() or ''} (shared, 2 cores)".strip(),
    }
    print(json.dumps(summary, indent=2))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"summary": summary, "cases": rows}, indent=2) + "\n")
    print(f"saved {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
