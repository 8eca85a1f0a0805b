"""The per-machine cache of indexed dependency crates: one shard per crate@version+key.

A shard (see rustrag.store.shards) is a folder holding the crate's own Cozo database
with all its rows, its `ExportTable` (what crates depending on it resolve against) and a
small `shard.json` (row counts, cfg marks). A project using the same crate@version with
the same key attaches the shard instead of parsing, resolving or writing anything:
measured on syn 1.0.107 (6,173 items, 23k edges), writing its rows costs 1.1 s, attaching
the shard a few milliseconds.

A shard is built in a temporary folder and renamed into place when complete, so a
reader (another project indexing at the same time) sees a whole shard or none, and two
projects building the same shard at once both end up with one whole copy. The folder
name carries the schema version: a shard of another schema is never opened. The cache
is the user's own folder, as trusted as their other caches: the export table pickle is
only read from it, never from a project.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from rustrag.model import CrateSource, ExportTable, ResolvedCrate
from rustrag.store import SCHEMA_VERSION, Store, StoreError
from rustrag.store.shards import SHARD_DB_FILENAME, SHARD_NAMES_FILENAME, shard_names

_TABLE = "table.pickle"
_INFO = "shard.json"  # written last: its presence marks a complete shard


@dataclass(slots=True)
class Artifact:
    """A complete shard: where it is, and what a project needs without opening it."""

    folder: Path
    table: ExportTable
    row_counts: dict[str, int]
    marks: str  # cfg marks JSON (rustrag.deps.cfg_marks)


class CorruptArtifact(Exception):
    """A shard exists but cannot be used; the message names the folder and why."""


class ArtifactCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder_of(self, crate: CrateSource, key: str) -> Path:
        # name@version as a folder keeps `ls` readable and lets a user drop one crate.
        return self.root / f"shards-v{SCHEMA_VERSION}" / crate.crate_id / key

    def has(self, crate: CrateSource, key: str) -> bool:
        return (self.folder_of(crate, key) / _INFO).is_file()

    def load(self, crate: CrateSource, key: str) -> Artifact | None:
        """The shard of `crate` under `key`; None when absent. Raises CorruptArtifact (and
        removes the folder) when it is incomplete or holds another crate."""
        folder = self.folder_of(crate, key)
        try:
            info = json.loads((folder / _INFO).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise _corrupt(folder, f"unreadable {_INFO} ({type(exc).__name__})") from exc
        try:
            table = pickle.loads((folder / _TABLE).read_bytes())
        except Exception as exc:  # a truncated or foreign pickle raises almost anything
            raise _corrupt(folder, f"unreadable {_TABLE} ({type(exc).__name__})") from exc
        if (
            not isinstance(info, dict)
            or not isinstance(table, ExportTable)
            or table.crate_id != crate.crate_id
            or info.get("crate_id") != crate.crate_id
        ):
            raise _corrupt(folder, f"holds something else than {crate.crate_id}")
        counts = {str(k): int(v) for k, v in dict(info.get("row_counts", {})).items()}
        return Artifact(folder, table, counts, str(info.get("marks", "{}")))

    def store(self, key: str, resolved: ResolvedCrate, table: ExportTable, marks: str) -> Artifact:
        """Build the shard of `resolved` under `key` (or take the one a concurrent
        process just finished)."""
        crate = resolved.crate
        folder = self.folder_of(crate, key)
        existing = self._complete(crate, key)
        if existing is not None:
            return existing
        if folder.exists():  # a shard without its info file never was complete
            shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(folder.parent)
        tmp = folder.parent / f".tmp-{secrets.token_hex(6)}"
        try:
            tmp.mkdir()
            # a copy of an empty database with the schema: creating the schema costs
            # more than a small crate's rows (~60 ms against ~1 ms for the copy)
            shutil.copyfile(self._empty_database(), tmp / SHARD_DB_FILENAME)
            with Store.open(tmp) as shard:
                stats = shard.replace_crate(resolved)
            names = shard_names(p for i in resolved.items for p in (i.path, *i.paths))
            (tmp / SHARD_NAMES_FILENAME).write_text("\n".join(sorted(names)), encoding="utf-8")
            (tmp / _TABLE).write_bytes(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
            info = {"crate_id": crate.crate_id, "row_counts": stats.rows, "marks": marks}
            # row counts keep the writer's order: the crates row written from them must not
            # depend on whether the shard was just built or loaded
            (tmp / _INFO).write_text(json.dumps(info), encoding="utf-8")
            _fsync_tree(tmp)
            try:
                os.rename(tmp, folder)
            except OSError:
                if not (folder / _INFO).is_file():
                    raise
                shutil.rmtree(tmp, ignore_errors=True)  # another process finished first
        except (OSError, StoreError):
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return Artifact(folder, table, stats.rows, marks)

    def _empty_database(self) -> Path:
        template = self.root / f"shards-v{SCHEMA_VERSION}" / "empty.sqlite"
        if not template.is_file():
            template.parent.mkdir(parents=True, exist_ok=True)
            tmp = template.parent / f".tmp-empty-{secrets.token_hex(6)}"
            try:
                Store.open(tmp).close()  # creates the schema (WAL mode, no rows)
                os.replace(tmp / SHARD_DB_FILENAME, template)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        return template

    def _complete(self, crate: CrateSource, key: str) -> Artifact | None:
        try:
            return self.load(crate, key)
        except CorruptArtifact:
            return None


def _remove_abandoned(crate_folder: Path) -> None:
    """Temporary shards of builds that were killed (an hour is far beyond any build, so
    a concurrent one is never touched)."""
    deadline = time.time() - _ABANDONED_AFTER_S
    for tmp in crate_folder.glob(".tmp-*"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < deadline:
                shutil.rmtree(tmp, ignore_errors=True)


_ABANDONED_AFTER_S = 3600.0


def _corrupt(folder: Path, why: str) -> CorruptArtifact:
    shutil.rmtree(folder, ignore_errors=True)
    return CorruptArtifact(f"{folder}: {why}; removed")


def _fsync_tree(folder: Path) -> None:
    """Make the shard's files durable before the rename publishes it."""
    for entry in folder.iterdir():
        if entry.is_file():
            with open(entry, "rb") as handle:
                os.fsync(handle.fileno())
