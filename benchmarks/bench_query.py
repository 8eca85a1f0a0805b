"""Warm search latency (with and without dense), query embedding, context assembly,
outdated-name queries and CLI cold-query time on an existing index.

    python benchmarks/bench_query.py INDEX_DIR [--repeat 5] [--cold-runs 15]
        [--synthetic-vectors] [--cli PATH]

Every timed query is new to the searcher: its edge cache and query-embedding cache are
cleared before each call, so repeats measure the same work, not a cache hit. The process
is warmed first by one pass over the queries (model, snapshots and name index loaded),
as a long-lived server would be. Prints medians and p95 with the corpus (lines, items)
and the machine (cores, load average at start and end). Run it on an index of >= 500k
lines and say the machine was shared: on an oversubscribed machine the wall time
includes waiting for a core, the CPU time (all of the process's threads) does not.

Outdated-name queries (`App` on a corpus with clap 3 and 4) are reported with the number
of Cozo round trips each makes. The CLI cold query runs `--cold-runs` fresh processes of
the console script (`--cli`, default: `rustrag` beside this Python), lexical + graph,
process start to printed JSON.

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pycozo.client

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
# Names clap 4 renamed, moved or removed (the benchmark corpus indexes clap 2, 3 and 4).
OUTDATED = [
    "App",
    "clap::App",
    "App::new",
    "Arg::with_name",
    "ArgMatches::value_of",
    "Arg::takes_value",
]

Times = tuple[list[float], list[float]]  # wall ms, cpu ms


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(name: str, times: Times, extra: str = "") -> str:
    wall, cpu = times
    return (
        f"{name:36} n={len(wall):3} wall p50={statistics.median(wall):6.1f} ms "
        f"p95={percentile(wall, 0.95):6.1f} ms | cpu p50={statistics.median(cpu):6.1f} ms "
        f"p95={percentile(cpu, 0.95):6.1f} ms{extra}"
    )


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f})"


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
    repeat: int, searcher: Searcher, queries: list[str], run: Callable[[str], object]
) -> Times:
    """Wall and CPU milliseconds per call, caches cleared before each."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        for query in queries:
            searcher.edges = EdgeCache()
            searcher.dense.forget_queries()
            started, started_cpu = time.perf_counter(), time.process_time()
            run(query)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


@contextmanager
def round_trips() -> Iterator[list[int]]:
    """Counts Cozo requests (every store read, the store's own sequence checks included)
    made inside the block, by wrapping the pycozo client's one entry point."""
    count = [0]
    original = pycozo.client.Client.run

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return original(self, *args, **kwargs)

    pycozo.client.Client.run = counted  # type: ignore[method-assign]
    try:
        yield count
    finally:
        pycozo.client.Client.run = original  # type: ignore[method-assign]


def outdated(ws: Workspace, searcher: Searcher, repeat: int) -> None:
    present = {c.crate.name for c in ws.crates().values()}
    if "clap" not in present:
        print("outdated-name queries: skipped (no clap in the index)")
        return
    trips: list[int] = []
    for query in OUTDATED:
        searcher.edges = EdgeCache()
        with round_trips() as count:
            ws.search(query, k=10, dense=False)
        trips.append(count[0])
    times = timed(repeat * 2, searcher, OUTDATED, lambda q: ws.search(q, k=10, dense=False))
    per_query = ", ".join(f"{q} {n}" for q, n in zip(OUTDATED, trips, strict=True))
    print(line("outdated-name search (lexical+graph)", times))
    print(f"{'':36} Cozo round trips per query: {per_query}")


def cli_cold(cli: Path, index_dir: Path, runs: int) -> None:
    wall: list[float] = []
    cpu: list[float] = []
    for run in range(runs):
        query = QUERIES[run % 5]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [str(cli), "search", query, "--index-dir", str(index_dir), "--json"],
            check=True,
            capture_output=True,
        )
        wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    print(
        f"{'CLI cold query (lexical+graph)':36} n={runs:3} wall median "
        f"{statistics.median(wall):.3f} s (min {min(wall):.3f}) | cpu median "
        f"{statistics.median(cpu):.3f} s  [{cli}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=15)
    parser.add_argument("--synthetic-vectors", action="store_true")
    parser.add_argument("--cli", type=Path, default=Path(sys.executable).with_name("rustrag"))
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
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {load()} at start "
        "(shared with other work)"
    )
    has_vectors = (layout.vectors_dir(ws.index_dir) / "manifest.json").is_file()
    if args.synthetic_vectors and not has_vectors:
        write_synthetic_vectors(ws, searcher)
        has_vectors = True
    for query in QUERIES:  # warm: model, snapshots, name index, as in a running server
        ws.search(query, k=10, dense=has_vectors)
        ws.context(query, budget=2000, dense=False)
    lexical = timed(args.repeat, searcher, QUERIES, lambda q: ws.search(q, k=10, dense=False))
    print(line("search lexical+graph (new query)", lexical))
    if has_vectors:
        embed = timed(args.repeat, searcher, QUERIES, searcher.dense.embed)
        print(line("query embedding alone", embed))
        hybrid = timed(args.repeat, searcher, QUERIES, lambda q: ws.search(q, k=10, dense=True))
        print(line("search hybrid+graph incl. embedding", hybrid))
    context = timed(
        args.repeat, searcher, QUERIES, lambda q: ws.context(q, budget=2000, dense=False)
    )
    print(line("context 2000 tokens (lexical+graph)", context))
    outdated(ws, searcher, args.repeat)
    cli_cold(args.cli, args.index_dir, args.cold_runs)
    print(f"machine: {load()} at end")


if __name__ == "__main__":
    main()
