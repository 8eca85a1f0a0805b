"""BM25 build/load/query times on ~100k real item documents, and exact vector search
p50 at 100k and 500k rows of 384 dims.

Documents: `pub` items of every crate in /usr/share/cargo/registry (crude line scan, see
tests/index_corpus.py). Queries: the names of random items and 3-word slices of their
docs. Run: python benchmarks/bench_lexical.py [--docs 100000] [--vector-rows 100000 500000]
Figures depend on the machine; note when it was shared with other jobs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from index_corpus import registry_documents  # noqa: E402
from rustrag.index.lexical import LexicalIndex  # noqa: E402
from rustrag.index.vectors import VectorIndex  # noqa: E402


def percentile_ms(samples: list[float], q: float) -> float:
    return float(np.percentile(np.array(samples) * 1000, q))


def bench_bm25(n_docs: int, n_queries: int) -> None:
    docs = registry_documents(limit=n_docs)
    start = time.perf_counter()
    index = LexicalIndex.build(docs)
    build_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bm25"
        start = time.perf_counter()
        index.save(folder)
        save_s = time.perf_counter() - start
        size_mb = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
        start = time.perf_counter()
        loaded = LexicalIndex.load(folder)
        load_s = time.perf_counter() - start
        rng = random.Random(3)
        sample = rng.sample(docs, n_queries)
        queries = [d.name for d in sample[: n_queries // 2]]
        for d in sample[n_queries // 2 :]:
            words = (d.docs or d.signature).split()
            at = rng.randrange(max(1, len(words) - 3))
            queries.append(" ".join(words[at : at + 3]) or d.name)
        times: list[float] = []
        for query in queries:
            start = time.perf_counter()
            loaded.search(query, 10)
            times.append(time.perf_counter() - start)
        hits = sum(
            1
            for d in sample[: n_queries // 2]
            if d.item_id in {loaded.ids[r] for r, _ in loaded.search(d.name, 10)}
        )
        print(
            f"bm25: {len(docs)} docs, build {build_s:.1f} s, save {save_s:.2f} s "
            f"({size_mb:.0f} MB), load+verify {load_s:.2f} s"
        )
        print(
            f"bm25 query ({len(queries)} queries, k=10): p50 {percentile_ms(times, 50):.2f} ms, "
            f"p95 {percentile_ms(times, 95):.2f} ms; name query finds its item in top 10: "
            f"{hits}/{n_queries // 2}"
        )


def bench_vectors(rows: int, dim: int, n_queries: int) -> None:
    rng = np.random.default_rng(0)
    index = VectorIndex(dim, model="random")
    chunk = 50_000
    for first in range(0, rows, chunk):
        block = rng.standard_normal((min(chunk, rows - first), dim)).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        index.add([f"i{first + i}" for i in range(len(block))], block)
    with tempfile.TemporaryDirectory() as tmp:
        index.save(Path(tmp) / "vec")
        start = time.perf_counter()
        loaded = VectorIndex.load(Path(tmp) / "vec")
        load_s = time.perf_counter() - start
        queries = rng.standard_normal((n_queries, dim)).astype(np.float32)
        loaded.search(queries[0], 10)  # first touch pages the mapped file in
        times: list[float] = []
        for query in queries:
            start = time.perf_counter()
            loaded.search(query, 10)
            times.append(time.perf_counter() - start)
        mask = np.zeros(len(loaded), dtype=np.bool_)
        mask[::3] = True
        masked: list[float] = []
        for query in queries:
            start = time.perf_counter()
            loaded.search(query, 10, allowed=mask)
            masked.append(time.perf_counter() - start)
        print(
            f"vectors: {rows} x {dim} float32, load+verify {load_s:.2f} s, query p50 "
            f"{percentile_ms(times, 50):.1f} ms p95 {percentile_ms(times, 95):.1f} ms; "
            f"with a 1/3 allowed mask p50 {percentile_ms(masked, 50):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--vector-rows", type=int, nargs="*", default=[100_000, 500_000])
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, shared with other jobs while measured")
    if args.docs:
        bench_bm25(args.docs, args.queries)
    for rows in args.vector_rows:
        bench_vectors(rows, 384, args.queries)


if __name__ == "__main__":
    main()
