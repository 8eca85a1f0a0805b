"""Named copies of the whole index state, and putting one back.

A snapshot is `index_dir/snapshots/<id>/` holding a consistent copy of the Cozo database
(store.backup), a copy of the search folder when there is one (`search/`: the lexical,
row-facts and vector snapshots of rustrag.retrieve, each a checksummed manifest folder),
and `manifest.json`. It is
built under `<id>.tmp` and renamed into place, so a listed snapshot is always complete.

Rollback holds the writer lock, puts the search folders back first (a damaged or
missing one is rebuilt from Cozo anyway) and then swaps the database atomically: a kill
leaves the old index or the restored one.

The parse cache needs no snapshot: it is keyed by content, so after a rollback the next
`rustrag index` compares the restored rows with the files on disk and re-writes only
what differs.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from rustrag.retrieve.layout import SEARCH_DIR
from rustrag.store import DB_FILENAME, LOCK_FILENAME, IndexBusy, Store
from rustrag.store.backup import copy_database, replace_database

SNAPSHOT_DIR = "snapshots"
MANIFEST = "manifest.json"
# Derived search snapshots kept beside the database (rustrag.retrieve.layout.SEARCH_DIR).
SEARCH_DIRS = (SEARCH_DIR,)
# Files of a running job, never part of a state to restore.
_NOT_COPIED = shutil.ignore_patterns("*.lock", "*.log", "*.tmp")
# Automatic snapshots (before a dependency change) beyond this many are pruned, oldest
# first; snapshots the user asked for are never pruned.
KEEP_AUTOMATIC = 3


class SnapshotNotFound(Exception):
    """No snapshot with that id, or none at all."""


@dataclass(slots=True)
class SnapshotInfo:
    snapshot_id: str
    created_at: float
    reason: str
    automatic: bool
    crates: list[str] = field(default_factory=list)
    db_bytes: int = 0
    search_dirs: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def snapshots_root(index_dir: Path) -> Path:
    return Path(index_dir) / SNAPSHOT_DIR


def _new_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(2)


def take_snapshot(
    store: Store, index_dir: Path, *, reason: str = "", automatic: bool = True
) -> SnapshotInfo:
    """Copy the current committed state. `store` is only read (any handle will do)."""
    started = time.perf_counter()
    root = snapshots_root(index_dir)
    snapshot_id = _new_id()
    staging = root / f"{snapshot_id}.tmp"
    staging.mkdir(parents=True)
    copy_database(Path(index_dir) / DB_FILENAME, staging / DB_FILENAME)
    copied = []
    for name in SEARCH_DIRS:
        source = Path(index_dir) / name
        if source.is_dir():
            shutil.copytree(source, staging / name, ignore=_NOT_COPIED)
            copied.append(name)
    info = SnapshotInfo(
        snapshot_id=snapshot_id,
        created_at=time.time(),
        reason=reason,
        automatic=automatic,
        crates=[c.crate.crate_id for c in store.crates()],
        db_bytes=(staging / DB_FILENAME).stat().st_size,
        search_dirs=copied,
    )
    info.seconds = time.perf_counter() - started
    (staging / MANIFEST).write_text(json.dumps(info.to_json(), indent=2), encoding="utf-8")
    os.replace(staging, root / snapshot_id)
    _prune_automatic(root)
    return info


def _read_manifest(folder: Path) -> SnapshotInfo | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return SnapshotInfo(**data)
    except (OSError, ValueError, TypeError):
        return None


def list_snapshots(index_dir: Path) -> list[SnapshotInfo]:
    """Complete snapshots, oldest first (half-built `.tmp` folders are not listed)."""
    root = snapshots_root(index_dir)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if folder.is_dir() and not folder.name.endswith(".tmp"):
            info = _read_manifest(folder)
            if info is not None and (folder / DB_FILENAME).is_file():
                found.append(info)
    return sorted(found, key=lambda s: (s.created_at, s.snapshot_id))


def _prune_automatic(root: Path) -> None:
    automatic = [s for s in list_snapshots(root.parent) if s.automatic]
    for old in automatic[:-KEEP_AUTOMATIC]:
        shutil.rmtree(root / old.snapshot_id, ignore_errors=True)
    for stale in root.glob("*.tmp"):  # left by a killed snapshot
        shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """The store's writer lock, without opening the database (rollback must not have a
    Cozo handle open while it swaps the file)."""
    lock = FileLock(Path(index_dir) / LOCK_FILENAME, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise IndexBusy(Path(index_dir)) from None
    try:
        yield
    finally:
        lock.release()


def rollback(index_dir: Path, snapshot_id: str | None = None) -> SnapshotInfo:
    """Restore snapshot `snapshot_id` (the newest when None). Raises SnapshotNotFound,
    IndexBusy when a writer runs, StoreError when readers keep the database busy."""
    snapshots = list_snapshots(index_dir)
    if not snapshots:
        raise SnapshotNotFound(
            f"no snapshots in {snapshots_root(index_dir)}; take one with `rustrag snapshot`"
        )
    if snapshot_id is None:
        chosen = snapshots[-1]
    else:
        matches = [s for s in snapshots if s.snapshot_id.startswith(snapshot_id)]
        if len(matches) != 1:
            known = ", ".join(s.snapshot_id for s in snapshots)
            what = "no snapshot" if not matches else "several snapshots"
            raise SnapshotNotFound(f"{what} matching {snapshot_id!r} (known: {known})")
        chosen = matches[0]
    folder = snapshots_root(index_dir) / chosen.snapshot_id
    with writer_lock(index_dir):
        for name in SEARCH_DIRS:
            live = Path(index_dir) / name
            saved = folder / name
            if live.exists():
                # removed, not left stale: a missing search snapshot is rebuilt from Cozo
                shutil.rmtree(live)
            if saved.is_dir():
                shutil.copytree(saved, live)
        replace_database(Path(index_dir), folder / DB_FILENAME)
    return chosen
