"""Store throughput and query latency on a synthetic index the size of a large workspace.

    /work/venv/bin/python benchmarks/bench_store.py [--crates 5] [--items 20000]

Writes `--crates` crates of `--items` items and 4 edges per item each (the defaults give
~100k items and ~400k edges, about what a 500k-line workspace yields), timing each
replace_crate, then times the lookups retrieve and serve depend on. Uses the crates of
tests/test_store_data.py, so the shapes match the tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from rustrag.model import ResolvedCrate
from rustrag.store import Store
from test_store_data import synthetic_crate


def machine() -> str:
    cpu = platform.processor() or "unknown cpu"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, "
        f"load {load:.2f}, Python {platform.python_version()}, "
        f"cozo-embedded {metadata.version('cozo-embedded')}"
    )


def timed(label: str, runs: list[Callable[[], object]]) -> None:
    samples = []
    for run in runs:
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(
        f"  {label:<34} p50 {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms"
        f"   ({len(samples)} runs)"
    )


def write_index(store: Store, crates: list[ResolvedCrate]) -> None:
    for crate in crates:
        stats = store.replace_crate(crate)
        print(
            f"  insert  {stats.crate_id:<16} {stats.total_rows:>7} rows "
            f"in {stats.seconds:6.2f} s = {stats.rows_per_second:8.0f} rows/s"
        )
    stats = store.replace_crate(crates[0])
    print(
        f"  replace {stats.crate_id:<16} {stats.total_rows:>7} rows "
        f"in {stats.seconds:6.2f} s = {stats.rows_per_second:8.0f} rows/s (delete + insert)"
    )


def query_latencies(store: Store, crates: list[ResolvedCrate], runs: int) -> None:
    rng = random.Random(5)
    items = [i for c in crates for i in c.items]
    picks = [rng.choice(items) for _ in range(runs)]
    types = [i for i in items if i.kind == "struct"]
    type_picks = [rng.choice(types) for _ in range(runs)]
    method_picks = [rng.choice([i for i in items if i.kind == "method"]) for _ in range(runs)]
    timed("item(id)", [partial(store.item, i.item_id) for i in picks])
    timed("find_items(unique name)", [partial(store.find_items, i.name) for i in picks])
    timed("find_items(canonical path)", [partial(store.find_items, i.path) for i in picks])
    suffixes = ["::".join(i.path.split("::")[-2:]) for i in method_picks]
    timed("find_items(suffix Type::method)", [partial(store.find_items, q) for q in suffixes])
    timed(
        "find_items('new', limit 50)",
        [lambda: store.find_items("new") for _ in range(max(1, runs // 4))],
    )
    timed("edges_from(id)", [partial(store.edges_from, i.item_id) for i in picks])
    timed("edges_to(id)", [partial(store.edges_to, i.item_id) for i in picks])
    timed("children(impl)", [partial(store.children, i.parent_id or "") for i in method_picks])
    timed("methods_of(type)", [partial(store.methods_of, i.item_id) for i in type_picks])
    timed(
        "iter_export(crate) full",
        [lambda: sum(1 for _ in store.iter_export(crates[0].crate.crate_id))],
    )
    timed("export_table(crate)", [lambda: store.export_table(crates[0].crate.crate_id)])
    timed("stats()", [store.stats])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--crates", type=int, default=5)
    parser.add_argument("--items", type=int, default=20_000, help="items per crate")
    parser.add_argument("--runs", type=int, default=200, help="runs per query")
    parser.add_argument("--dir", type=Path, help="index folder (default: a temporary one)")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    crates = [synthetic_crate(f"crate{n}", n_items=args.items, seed=n) for n in range(args.crates)]
    with tempfile.TemporaryDirectory() as tmp:
        index = args.dir or Path(tmp) / "index"
        with Store.open(index, rebuild=True) as store:
            print(f"writes ({args.crates} crates x {args.items} items, 4 edges per item):")
            write_index(store, crates)
            s = store.stats()
            print(
                f"index: {s.items} items, {s.item_paths} paths, {s.edges} edges, "
                f"{s.db_bytes / 1e6:.0f} MB on disk"
            )
        with Store.open(index, read_only=True) as reader:
            print("queries (read-only store):")
            query_latencies(reader, crates, args.runs)


if __name__ == "__main__":
    main()
