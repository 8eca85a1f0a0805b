"""The background embedding job: fill the machine's embedding cache for every indexed
item that lacks a vector, then write the dense snapshot the search reads.

`rustrag index` starts it as a detached process (`python -m rustrag.retrieve.embed_job
INDEX_DIR`) and returns; `embed.json` beside the snapshots says how far it got. One job
per index at a time (a lock file); a job that finds new items after finishing (another
index run landed meanwhile) goes round again. The snapshot is written every
`SNAPSHOT_EVERY_S` seconds too, so dense search improves while the job runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from rustrag.index.documents import ItemDocument, embedding_text
from rustrag.index.embedders import Embedder, EmbedderUnavailable, load_embedder
from rustrag.index.vectors import VectorIndex
from rustrag.retrieve import layout
from rustrag.retrieve.documents import crate_documents
from rustrag.retrieve.embedding_store import open_embedding_cache
from rustrag.retrieve.source import SourceReader
from rustrag.store import Store

SNAPSHOT_EVERY_S = 120.0
BATCH = 64
MAX_ROUNDS = 5  # each round re-reads the store; new items rarely keep arriving


def start_background_embedding(index_dir: Path) -> str:
    """Start the job unless embedding is disabled or a job already runs; says which."""
    if layout.embedding_disabled():
        return f"disabled (${layout.ENV_NO_EMBED})"
    lock = FileLock(layout.embed_lock_file(index_dir), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return "running"  # that job re-reads the store when it finishes a round
    lock.release()
    layout.search_dir(index_dir).mkdir(parents=True, exist_ok=True)
    with open(layout.embed_log_file(index_dir), "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rustrag.retrieve.embed_job", str(index_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # outlives the `rustrag index` that started it
        )
    write_status(index_dir, {"state": "starting", "pid": process.pid})
    return "started"


def write_status(index_dir: Path, status: dict[str, Any]) -> None:
    path = layout.embed_status_file(index_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**status, "updated_at": time.time()}), encoding="utf-8")
    os.replace(tmp, path)


def read_status(index_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads(layout.embed_status_file(index_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"state": "never run"}
    return data if isinstance(data, dict) else {"state": "never run"}


def all_documents(store: Store) -> list[ItemDocument]:
    reader = SourceReader()
    return [
        doc
        for stored in store.crates()
        for doc, _ in crate_documents(store, stored.crate.crate_id, reader=reader)
    ]


def run_embedding(index_dir: Path, embedder: Embedder | None = None) -> dict[str, Any]:
    """Run the job in this process (the detached process calls this); returns the final
    status. Raises Timeout when another job holds the lock."""
    index_dir = Path(index_dir)
    with FileLock(layout.embed_lock_file(index_dir), timeout=0):
        try:
            embedder = embedder or load_embedder(layout.embedder_spec())
        except EmbedderUnavailable as exc:
            status: dict[str, Any] = {"state": "unavailable", "error": str(exc)}
            write_status(index_dir, status)
            return status
        total = 0
        for _ in range(MAX_ROUNDS):
            status = _one_round(index_dir, embedder)
            total += status["embedded"]
            if status["embedded"] == 0:
                break
        # "ready" only now: a reader polling the status must not take the end of one
        # round for the end of the job (another round may start)
        status.update(state="ready", embedded=total)
        write_status(index_dir, status)
        return status


def _one_round(index_dir: Path, embedder: Embedder) -> dict[str, Any]:
    started = time.perf_counter()
    with Store.open(index_dir, read_only=True) as store:
        docs = all_documents(store)
    cache = open_embedding_cache()
    by_fp = {doc.fingerprint: doc for doc in docs}
    have = cache.get_many(embedder.name, list(by_fp))
    todo = [fp for fp in by_fp if fp not in have]
    status: dict[str, Any] = {
        "state": "embedding",
        "model": embedder.name,
        "items": len(docs),
        "cached": len(have),
        "to_embed": len(todo),
        "embedded": 0,
    }
    write_status(index_dir, status)
    last_snapshot = time.monotonic()
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        vectors = embedder.embed([embedding_text(by_fp[fp]) for fp in batch])
        fresh = dict(zip(batch, vectors, strict=True))
        cache.put_many(embedder.name, fresh)
        have.update(fresh)
        status["embedded"] += len(batch)
        status["items_per_second"] = round(status["embedded"] / (time.perf_counter() - started), 2)
        write_status(index_dir, status)
        if time.monotonic() - last_snapshot > SNAPSHOT_EVERY_S:
            write_vectors(index_dir, embedder, docs, have)
            last_snapshot = time.monotonic()
    write_vectors(index_dir, embedder, docs, have)
    status.update(state="round done", seconds=round(time.perf_counter() - started, 2))
    write_status(index_dir, status)
    return status


def write_vectors(
    index_dir: Path, embedder: Embedder, docs: list[ItemDocument], have: dict[str, np.ndarray]
) -> None:
    """Write the dense snapshot for every indexed item with a cached vector. It is
    rebuilt from the cache rather than patched: reading 100k cached vectors takes ~2 s,
    nothing next to embedding, and a rebuild cannot drift from the store."""
    index = VectorIndex(embedder.dim, embedder.name)
    ready = [doc for doc in docs if doc.fingerprint in have]
    if ready:
        index.add([d.item_id for d in ready], np.stack([have[d.fingerprint] for d in ready]))
    index.save(layout.vectors_dir(index_dir))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m rustrag.retrieve.embed_job INDEX_DIR", file=sys.stderr)
        return 2
    try:
        status = run_embedding(Path(argv[0]))
    except Timeout:
        return 0  # another job has it
    print(json.dumps(status))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
