"""Build the eval: corpus index, query sets, held-out search indexes, dense vectors.

    python -m benchmarks.retrieval_eval.build WORK_DIR [--no-dense]

Writes WORK_DIR/queries.json (and the index under WORK_DIR/index); prints the
embedding throughput of the default model on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from benchmarks.retrieval_eval.corpus import (
    CRATES,
    build_vectors,
    index_corpus,
    rebuild_search_indexes,
)
from benchmarks.retrieval_eval.queries import doc_queries, ident_queries, outdated_queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("work", type=Path)
    parser.add_argument("--no-dense", action="store_true")
    args = parser.parse_args()
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    ws = index_corpus(work)
    print(f"indexed {len(ws.crates())} crates in {time.perf_counter() - started:.1f} s")
    docs, held_out = doc_queries(ws)
    queries = [*docs, *ident_queries(ws), *outdated_queries(ws)]
    rows = rebuild_search_indexes(ws, held_out)
    print(f"lexical snapshot rebuilt with {len(held_out)} sentences held out ({rows} rows)")
    dense = {} if args.no_dense else build_vectors(ws, held_out, work)
    meta = {
        "crates": list(CRATES),
        "queries": {s: sum(q.set == s for q in queries) for s in ("docs", "ident", "outdated")},
        "held_out_items": len(held_out),
        "dense": dense,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
    }
    out = {"meta": meta, "queries": [q.to_json() for q in queries]}
    (work / "queries.json").write_text(json.dumps(out, indent=1))
    print(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
