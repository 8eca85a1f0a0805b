"""The background embedding job: fill the machine's embedding cache for every indexed
item that lacks a vector, then write the dense snapshot the search reads.

`rustrag index` starts it as a detached process (`python -m rustrag.retrieve.embed_job
INDEX_DIR`) and returns; `embed.json` beside the snapshots says how far it got. One job
per index at a time (a lock file); a job that finds new items after finishing (another
index run landed meanwhile) goes round again. The snapshot is written every
`SNAPSHOT_EVERY_S` seconds too, so dense search improves while the job runs.

Which items are embedded, and in what order, is `embed_items`' business; vectors are
cached under `embedding_key(model)`, so a change of the item text never reuses vectors of
the old text. The job runs at a lower CPU priority: it is background work, and queries
(and the user's editor) must not wait behind it.
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

from rustrag.index.documents import ItemDocument, embedding_key
from rustrag.index.embedders import Embedder, EmbedderUnavailable, load_embedder
from rustrag.index.vectors import VectorIndex
from rustrag.retrieve import layout
from rustrag.retrieve.embed_items import (
    SelectionMemo,
    embedding_plan,
    read_missing,
    select_documents,
)
from rustrag.retrieve.embedding_store import open_embedding_cache
from rustrag.store import Store

SNAPSHOT_EVERY_S = 120.0
BATCH = 64  # texts per cache commit: a few seconds of work, so a kill loses little
MAX_ROUNDS = 5  # each round re-reads the store; new items rarely keep arriving
NICENESS = 10  # added to the detached job's CPU priority


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
    """The documents the job embeds (see `embed_items`)."""
    return select_documents(store).documents


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
        rounds: list[dict[str, Any]] = []
        while len(rounds) < MAX_ROUNDS:
            rounds.append(_one_round(index_dir, embedder))
            if rounds[-1]["embedded"] == 0:
                break
        # "ready" only now: a reader polling the status must not take the end of one
        # round for the end of the job (another round may start). The figures are the
        # first round's (what was cached, what was to do) with the totals of all rounds.
        embedded = sum(r["embedded"] for r in rounds)
        embed_seconds = sum(r["embed_seconds"] for r in rounds)
        status = {
            **rounds[0],
            "state": "ready",
            "rounds": len(rounds),
            "embedded": embedded,
            "embed_seconds": round(embed_seconds, 2),
            "items_per_second": round(embedded / embed_seconds, 2) if embedded else 0.0,
            "seconds": round(sum(r["seconds"] for r in rounds), 2),
        }
        write_status(index_dir, status)
        return status


def _one_round(index_dir: Path, embedder: Embedder) -> dict[str, Any]:
    started = time.perf_counter()
    cache = open_embedding_cache()
    key = embedding_key(embedder.name)
    search_dir = layout.search_dir(index_dir)
    with Store.open(index_dir, read_only=True) as store:
        selection = select_documents(store, SelectionMemo.load(search_dir))
        entries = selection.entries
        have = cache.get_many(key, list(dict.fromkeys(fp for _, fp in entries)))
        read_missing(store, selection, have)
    SelectionMemo.save(search_dir, selection.crates.items())
    plan = embedding_plan(selection, have)
    status: dict[str, Any] = {
        "state": "embedding",
        "model": embedder.name,
        "cache_key": key,
        "items": len(entries),
        **selection.to_json(),
        "cached": len(have),
        "to_embed": len(plan),
        "embedded": 0,
        "prepare_seconds": round(time.perf_counter() - started, 2),
    }
    write_status(index_dir, status)
    embed_started = time.perf_counter()
    last_snapshot = time.monotonic()
    for start in range(0, len(plan), BATCH):
        batch = plan[start : start + BATCH]
        vectors = embedder.embed([text for _, text in batch])
        fresh = {fp: vector for (fp, _), vector in zip(batch, vectors, strict=True)}
        cache.put_many(key, fresh)
        have.update(fresh)
        status["embedded"] += len(batch)
        rate = status["embedded"] / (time.perf_counter() - embed_started)
        status["items_per_second"] = round(rate, 2)
        write_status(index_dir, status)
        if time.monotonic() - last_snapshot > SNAPSHOT_EVERY_S:
            write_vectors(index_dir, embedder, entries, have)
            last_snapshot = time.monotonic()
    write_vectors(index_dir, embedder, entries, have)
    status.update(
        state="round done",
        embed_seconds=round(time.perf_counter() - embed_started, 2),
        seconds=round(time.perf_counter() - started, 2),
    )
    write_status(index_dir, status)
    return status


def write_vectors(
    index_dir: Path,
    embedder: Embedder,
    entries: list[tuple[str, str]],
    have: dict[str, np.ndarray],
) -> None:
    """Write the dense snapshot for every selected item, as (item id, fingerprint), with
    a cached vector. It is rebuilt from the cache rather than patched: reading 100k
    cached vectors takes ~2 s, nothing next to embedding, and a rebuild cannot drift
    from the store."""
    index = VectorIndex(embedder.dim, embedder.name)
    ready = [(item_id, fp) for item_id, fp in entries if fp in have]
    if ready:
        index.add([item_id for item_id, _ in ready], np.stack([have[fp] for _, fp in ready]))
    index.save(layout.vectors_dir(index_dir))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m rustrag.retrieve.embed_job INDEX_DIR", file=sys.stderr)
        return 2
    if hasattr(os, "nice"):  # POSIX only; elsewhere the job runs at normal priority
        os.nice(NICENESS)
    try:
        status = run_embedding(Path(argv[0]))
    except Timeout:
        return 0  # another job has it
    print(json.dumps(status))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
