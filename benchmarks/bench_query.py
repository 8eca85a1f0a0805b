"""Warm search latency (with and without dense), query embedding, context assembly and
CLI cold-query time on an existing index.

    python benchmarks/bench_query.py INDEX_DIR [--repeat 3] [--synthetic-vectors]

Every timed query is new to the searcher: its edge cache and query-embedding cache are
cleared before each call, so repeats measure the same work, not a cache hit. Prints
medians and p95 with the corpus (lines, items) and the machine (cores, load average).
Run it on an index of >= 500k lines and say the machine was shared.

`--synthetic-vectors` writes random unit vectors for every indexed item into the
index's dense snapshot when it has none, for *timing only*: the query is embedded by
the real model and scored against them, but the ranking means nothing. Use it on a copy
of an index whose real embedding has not run (65k items take over an hour on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rustrag.api import Workspace
from rustrag.index.embedders import load_embedder
from rustrag.index.vectors import VectorIndex
from rustrag.retrieve import layout
from rustrag.retrieve.graph import EdgeCache
from rustrag.retrieve.searcher import Searcher, searcher_for

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
    "Deserializer",
    "how do I add a subcommand",
    "tokio::sync::mpsc::channel",
    "parse a Rust expression from a token stream",
    "serialize a struct as a map",
    "timeout for a future",
    "syn::parse_macro_input",
    "demangle a C++ symbol",
    "open a memory mapped file",
    "ArgMatches::get_one",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(name: str, times: tuple[list[float], list[float]]) -> str:
    wall, cpu = times
    return (
        f"{name:36} n={len(wall):3} wall p50={statistics.median(wall):6.1f} ms "
        f"p95={percentile(wall, 0.95):6.1f} ms | cpu p50={statistics.median(cpu):6.1f} ms "
        f"p95={percentile(cpu, 0.95):6.1f} ms"
    )


def write_synthetic_vectors(ws: Workspace, searcher: Searcher) -> None:
    embedder = load_embedder("default")
    ids = [i for r, i in enumerate(searcher.lexical.ids) if searcher.rows.live[r]]
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((len(ids), embedder.dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(embedder.dim, embedder.name)
    index.add(ids, vectors)
    index.save(layout.vectors_dir(ws.index_dir))
    print(f"wrote {len(ids)} SYNTHETIC vectors (timing only) to {layout.vectors_dir(ws.index_dir)}")


def timed(
    repeat: int, searcher: Searcher, run: Callable[[str], object]
) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per call. On a shared, oversubscribed machine the wall
    time includes waiting for a core; the process's CPU time (all its threads) does not,
    and approximates the wall time on an idle machine for this mostly serial work."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        for query in QUERIES:
            searcher.edges = EdgeCache()
            searcher.dense.forget_queries()
            started, started_cpu = time.perf_counter(), time.process_time()
            run(query)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--synthetic-vectors", action="store_true")
    args = parser.parse_args()
    ws = Workspace(Path("/"), args.index_dir)
    searcher = searcher_for(ws)
    stats = ws.store.stats()
    lines = sum(
        len(path.read_bytes().splitlines())
        for stored in ws.crates().values()
        for path in Path(stored.crate.root).rglob("*.rs")
    )
    print(
        f"corpus: {args.index_dir}: {stats.crates} crates, {lines} lines of .rs under their "
        f"roots, {stats.items} items, {stats.edges} edges"
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f} at start (shared with other work)"
    )
    has_vectors = (layout.vectors_dir(ws.index_dir) / "manifest.json").is_file()
    if args.synthetic_vectors and not has_vectors:
        write_synthetic_vectors(ws, searcher)
        has_vectors = True
    ws.search("warm up", k=10, dense=has_vectors or False)
    ws.context("warm up", budget=2000, dense=False)
    print(
        line(
            "search lexical+graph (new query)",
            timed(args.repeat, searcher, lambda q: ws.search(q, k=10, dense=False)),
        )
    )
    if has_vectors:
        embed = searcher.dense.embed
        print(line("query embedding alone", timed(args.repeat, searcher, embed)))
        print(
            line(
                "search hybrid+graph incl. embedding",
                timed(args.repeat, searcher, lambda q: ws.search(q, k=10, dense=True)),
            )
        )
    print(
        line(
            "context 2000 tokens (lexical+graph)",
            timed(args.repeat, searcher, lambda q: ws.context(q, budget=2000, dense=False)),
        )
    )
    cold: list[float] = []
    cold_cpu: list[float] = []
    for query in QUERIES[:5]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cold_cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    print(
        f"{'CLI cold query (lexical+graph)':36} n=  5 wall median {statistics.median(cold):.2f} s"
        f" | cpu median {statistics.median(cold_cpu):.2f} s"
    )


if __name__ == "__main__":
    main()
