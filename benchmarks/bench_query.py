"""Warm search latency, context assembly and CLI cold-query time on an existing index.

    python benchmarks/bench_query.py INDEX_DIR [--repeat 3]

Prints medians and p95 per mode (lexical+graph; context pack). Run it on an index of
>= 500k lines (see the README for the corpus) and say the machine was shared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rustrag.api import Workspace

QUERIES = [
    "Command",
    "clap::App",
    "spawn a blocking task on the runtime",
    "parse a string into a regex",
    'let m = Command::new("x").arg(Arg::new("v")).get_matches();',
    "take_while1",
    "read a DWARF compilation unit",
    "HashMap::with_capacity_and_hasher",
    "parallel iterator that zips two iterators",
    "graph shortest path dijkstra",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ws = Workspace(Path("/"), args.index_dir)
    ws.search("warm up", k=10, dense=False)
    for name, run in (
        ("search lexical+graph", lambda q: ws.search(q, k=10, dense=False)),
        ("context 2000 tokens", lambda q: ws.context(q, budget=2000, dense=False)),
    ):
        times: list[float] = []
        for _ in range(args.repeat):
            for query in QUERIES:
                started = time.perf_counter()
                run(query)
                times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:24} n={len(times)} p50={statistics.median(times):.1f} ms "
            f"p95={percentile(times, 0.95):.1f} ms"
        )
    cold: list[float] = []
    for query in QUERIES[:3]:
        started = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).with_name("rustrag")),
                "search",
                query,
                "--index-dir",
                str(args.index_dir),
                "--json",
            ],
            check=True,
            capture_output=True,
        )
        cold.append(time.perf_counter() - started)
    print(f"CLI cold query (lexical+graph) median {statistics.median(cold):.2f} s")


if __name__ == "__main__":
    main()
