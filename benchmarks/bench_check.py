"""`rustrag check` speed on a 500-line file (target: <= 200 ms warm).

Builds a workspace on Debian's clap 4.0.32 and nom 7.1.1, indexes it, then checks a
500-line file assembled from the evaluation cases (renamed so items do not clash).
"cold" opens a fresh Workspace per run (export tables read again); "warm" reuses one.

    python benchmarks/bench_check.py
"""

from __future__ import annotations

import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "check_eval"))
from run_eval import CASES, make_workspace

from rustrag.api import Workspace


def five_hundred_lines() -> str:
    lines: list[str] = []
    uses: set[str] = set()
    n = 0
    while len(lines) < 500:
        for case in sorted(CASES.glob("*.rs")):
            for line in case.read_text().splitlines():
                if line.startswith("use "):
                    uses.add(line)
                elif not line.startswith(("#[macro_use]", "extern crate")):
                    lines.append(re.sub(r"\bfn (\w+)", rf"fn \1_{n}", line))
            n += 1
    return "\n".join(["#[macro_use]", "extern crate nom;", *sorted(uses), *lines[:490]]) + "\n"


def main() -> None:
    source = five_hundred_lines()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        make_workspace(root)
        Workspace(root, Path(tmp) / "index").index()
        cold = []
        for _ in range(5):
            started = time.perf_counter()
            with Workspace(root, Path(tmp) / "index") as ws:
                report = ws.check(source)
            cold.append(time.perf_counter() - started)
        warm = []
        with Workspace(root, Path(tmp) / "index") as ws:
            ws.check(source)
            for _ in range(10):
                started = time.perf_counter()
                report = ws.check(source)
                warm.append(time.perf_counter() - started)
    print(f"machine: {platform.machine()} {platform.python_version()}, shared with other jobs")
    print(
        f"file: {source.count(chr(10))} lines, {report.checked} references, "
        f"{len(report.findings)} findings"
    )
    print(f"check cold (new Workspace): median {statistics.median(cold) * 1000:.0f} ms")
    print(
        f"check warm (same Workspace): median {statistics.median(warm) * 1000:.0f} ms "
        "(target <= 200 ms)"
    )


if __name__ == "__main__":
    main()
