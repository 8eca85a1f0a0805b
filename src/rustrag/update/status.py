"""`rustrag status`: what the index holds, how current it is, and what the last run said.

Everything here is a cheap read (no scan of items or edges) so that status answers in
well under a second on a large index; `--verify` adds the integrity checks of verify.py.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from rustrag.discover.lockfile import read_lockfile
from rustrag.store import LOCK_FILENAME, Store
from rustrag.store.delta import read_total_lines
from rustrag.update.parse_cache import CACHE_DIR_NAME
from rustrag.update.runlog import last_run, log_path
from rustrag.update.snapshots import list_snapshots, snapshots_root
from rustrag.update.verify import VerifyReport, verify_index


@dataclass(slots=True)
class CrateLine:
    crate_id: str
    name: str
    version: str
    source: str
    indexed_at: float


@dataclass(slots=True)
class IndexStatus:
    index_dir: str
    crates: list[CrateLine] = field(default_factory=list)
    files: int = 0
    items: int = 0
    edges: int = 0
    lines: int = 0
    db_bytes: int = 0
    shard_bytes: int = 0  # dependency shards in the machine cache (shared)
    cache_bytes: int = 0  # parse cache
    snapshot_bytes: int = 0
    snapshots: list[str] = field(default_factory=list)
    writer_active: bool = False  # an index run (or watch) holds the writer lock now
    last_run: dict[str, Any] | None = None  # summary the last run recorded
    locked_not_indexed: list[str] = field(default_factory=list)  # Cargo.lock has, index lacks
    indexed_not_locked: list[str] = field(default_factory=list)  # index has, Cargo.lock lacks
    embeddings_pending: int | None = None  # None: the embedding job never reported
    embedding: dict[str, Any] = field(default_factory=dict)  # the job's last status
    log_file: str = ""
    notes: list[str] = field(default_factory=list)
    verify: VerifyReport | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "index_dir": self.index_dir,
            "crates": [
                {
                    "crate_id": c.crate_id,
                    "name": c.name,
                    "version": c.version,
                    "source": c.source,
                    "indexed_at": c.indexed_at,
                }
                for c in self.crates
            ],
            "files": self.files,
            "items": self.items,
            "edges": self.edges,
            "lines": self.lines,
            "size_bytes": {
                "database": self.db_bytes,
                "dependency_shards": self.shard_bytes,
                "parse_cache": self.cache_bytes,
                "snapshots": self.snapshot_bytes,
            },
            "snapshots": self.snapshots,
            "writer_active": self.writer_active,
            "last_run": self.last_run,
            "stale_dependencies": {
                "locked_not_indexed": self.locked_not_indexed,
                "indexed_not_locked": self.indexed_not_locked,
            },
            "embeddings_pending": self.embeddings_pending,
            "embedding": self.embedding,
            "log_file": self.log_file,
            "notes": self.notes,
            "verify": self.verify.to_json() if self.verify is not None else None,
        }


def folder_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            with contextlib.suppress(OSError):  # a file removed while we walk
                total += os.path.getsize(os.path.join(dirpath, name))
    return total


def writer_active(index_dir: Path) -> bool:
    lock = FileLock(Path(index_dir) / LOCK_FILENAME, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False


def _lock_comparison(workspace_root: Path, status: IndexStatus) -> None:
    lock_path = workspace_root / "Cargo.lock"
    if not lock_path.is_file():
        return
    lockfile, _ = read_lockfile(lock_path)
    if lockfile is None:
        status.notes.append(f"{lock_path} could not be read; stale dependencies not checked")
        return
    locked = {p.crate_id for p in lockfile.packages if p.source is not None}
    indexed = {c.crate_id for c in status.crates if c.source != "workspace"}
    # A crate locked for another platform only (winapi on Linux) may never be indexed
    # when its source is absent: listed, and `rustrag deps status` says why.
    status.locked_not_indexed = sorted(locked - indexed)
    status.indexed_not_locked = sorted(indexed - locked)


def _embedding_state(index_dir: Path, status: IndexStatus) -> None:
    """What the background embedding job last wrote (rustrag.retrieve.embed_job)."""
    from rustrag.retrieve.embed_job import read_status  # a later stage's own report

    job = read_status(index_dir)
    status.embedding = job
    to_embed, done = job.get("to_embed"), job.get("embedded")
    if isinstance(to_embed, int) and isinstance(done, int):
        status.embeddings_pending = max(0, to_embed - done)
    if job.get("state") == "never run":
        status.notes.append("no embeddings yet: search uses lexical and graph signals")


def index_status(
    store: Store, index_dir: Path, workspace_root: Path, *, verify: bool = False
) -> IndexStatus:
    index_dir = Path(index_dir)
    status = IndexStatus(index_dir=str(index_dir))
    for stored in store.crates():
        c = stored.crate
        status.crates.append(CrateLine(c.crate_id, c.name, c.version, c.source, stored.indexed_at))
    stats = store.stats()
    status.files, status.items, status.edges = stats.files, stats.items, stats.edges
    status.db_bytes = stats.db_bytes
    status.shard_bytes = stats.shard_bytes
    status.lines = read_total_lines(store)
    status.cache_bytes = folder_bytes(index_dir / CACHE_DIR_NAME)
    status.snapshot_bytes = folder_bytes(snapshots_root(index_dir))
    status.snapshots = [s.snapshot_id for s in list_snapshots(index_dir)]
    status.writer_active = writer_active(index_dir)
    if status.writer_active:
        status.notes.append(
            "an index run or `rustrag watch` is writing now; these figures are the last "
            "committed state"
        )
    status.last_run = last_run(store)
    status.log_file = str(log_path(index_dir))
    _lock_comparison(workspace_root, status)
    _embedding_state(index_dir, status)
    if verify:
        status.verify = verify_index(store, index_dir)
    return status
