"""Parse-stage throughput on real crates, one core.

Usage: python benchmarks/bench_parse.py [crate_dir ...]
Defaults to the Debian-packaged syn 1.0.107 and tokio 1.24.2. Prints, per corpus and in
total: files, lines, items, lines/s for full extraction, lines/s for the bare tree-sitter
parse (the floor), and the median per-file time. Files are read into memory first so
only parsing is timed. Rates use CPU time of this process (one core), so other work on
a shared machine does not count against them; wall-clock rates are printed too.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

from rustrag.parse import parse_bytes
from rustrag.parse.grammar import file_parser

REGISTRY = Path("/usr/share/cargo/registry")
DEFAULT_CORPORA = [REGISTRY / "syn-1.0.107", REGISTRY / "tokio-1.24.2"]


def rust_files(root: Path) -> list[tuple[str, bytes]]:
    found = sorted(p for p in root.rglob("*.rs") if p.is_file())
    return [(str(p), p.read_bytes()) for p in found]


def bench(name: str, files: list[tuple[str, bytes]]) -> tuple[int, float, float, int]:
    lines = sum(data.count(b"\n") for _, data in files)
    parser = file_parser()
    start = time.process_time()
    for _, data in files:
        parser.parse(data)
    bare = time.process_time() - start

    items = 0
    per_file: list[float] = []
    start = time.process_time()
    wall_start = time.perf_counter()
    for path, data in files:
        began = time.process_time()
        parsed = parse_bytes(data, path, path)
        per_file.append(time.process_time() - began)
        items += len(parsed.items)
    full = time.process_time() - start
    wall = time.perf_counter() - wall_start

    median_ms = statistics.median(per_file) * 1000 if per_file else 0.0
    print(
        f"{name:<14} files={len(files):<5} lines={lines:<7} items={items:<6} "
        f"full={lines / full:>9,.0f} lines/s  bare-parse={lines / bare:>9,.0f} lines/s  "
        f"median/file={median_ms:.2f} ms  (wall: {lines / wall:,.0f} lines/s)"
    )
    return lines, full, bare, items


def machine() -> str:
    cpu = platform.processor() or "unknown cpu"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, one process"


def main(argv: list[str]) -> None:
    corpora = [Path(arg) for arg in argv] or DEFAULT_CORPORA
    print(f"machine: {machine()}")
    total_lines = total_items = 0
    total_full = total_bare = 0.0
    for root in corpora:
        lines, full, bare, items = bench(root.name, rust_files(root))
        total_lines += lines
        total_items += items
        total_full += full
        total_bare += bare
    if total_full:
        print(
            f"{'total':<14} lines={total_lines} items={total_items} "
            f"full={total_lines / total_full:,.0f} lines/s  "
            f"bare-parse={total_lines / total_bare:,.0f} lines/s"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
