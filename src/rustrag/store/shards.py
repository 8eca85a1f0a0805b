"""Dependency crates kept in shards: one Cozo database per crate@version, shared by every
project on the machine.

Why: copying a cached dependency's rows into a project's database ran at Cozo's write
speed (~38k rows/s), which made a second project on the same dependencies cost 37% of
the first one's index. Neither of Cozo's bulk paths avoids that: `import_from_backup`
refuses relations that have indexes, and an in-database copy (`:put` from a staging
relation) was slower than the Python writer (1.9 s against 1.1 s for syn's 40k rows).
So a dependency's rows are written once, into its own database in the machine cache
(`rustrag.deps.artifact_cache` builds it), and a project *attaches* it: its own database
gets the crate's `crates` row (this project's root, features and dependency map) and a
`shard.<crate id>` meta row naming the shard's folder, in one transaction. Nothing else
is copied.

A shard is never written once built (it is built under a temporary name and renamed), so
reading it needs no sequence lock; the project database's sequence lock covers the map
from crate to shard. Reads route by crate (an item id starts with its crate id); reads
that follow edges backwards fan out to the project database and to the shards of the
crates that may hold such edges: the target's own crate and every crate depending on it,
directly or not (an edge can only point into a crate its source crate can name).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from rustrag.store.backup import DB_FILENAME
from rustrag.store.cozo_db import CozoDb
from rustrag.store.encode import crate_of_item
from rustrag.store.errors import StoreError
from rustrag.store.setup import check_schema

SHARD_META_PREFIX = "shard."
# The last segment and the last two segments of every path in a shard, one per line:
# lets a lookup by name or path skip the shards that cannot match it (a match ends with
# the query, so its last one or two segments are the query's). Versioned with the way
# the keys are made.
SHARD_NAMES_FILENAME = "names-2.txt"
SHARD_DB_FILENAME = DB_FILENAME  # a shard is an index database like any other


class ShardMissing(StoreError):
    def __init__(self, crate_id: str, folder: Path) -> None:
        super().__init__(
            f"the index of dependency {crate_id} ({folder}) is gone from the machine cache; "
            "run `rustrag index` to rebuild it"
        )
        self.crate_id = crate_id


def shard_key(crate_id: str) -> str:
    return SHARD_META_PREFIX + crate_id


class ShardMap:
    """Which crates of an index live in shards, with their databases opened on demand."""

    def __init__(self, main: CozoDb) -> None:
        self.main = main
        self.folders: dict[str, Path] = {}
        self._open: dict[str, CozoDb] = {}
        self._dependents: dict[str, set[str]] | None = None
        self._names: dict[str, frozenset[str] | None] = {}
        self.loaded_seq: str | None = None

    def load(self, seq: str | None) -> None:
        """Read the crate -> shard map (the caller holds the sequence lock's `seq`)."""
        rows = self.main.query(
            "?[key, value] := *meta{key, value}, starts_with(key, $prefix)",
            {"prefix": SHARD_META_PREFIX},
        )
        folders = {str(k)[len(SHARD_META_PREFIX) :]: Path(str(v)) for k, v in rows if v}
        for crate_id in [c for c in self._open if self.folders.get(c) != folders.get(c)]:
            self._open.pop(crate_id).close()
        self.folders = folders
        self._dependents = None
        self._names = {c: n for c, n in self._names.items() if c in folders}
        self.loaded_seq = seq

    def close(self) -> None:
        for db in self._open.values():
            db.close()
        self._open.clear()

    def is_shard(self, crate_id: str) -> bool:
        return crate_id in self.folders

    def db_for_crate(self, crate_id: str) -> CozoDb:
        folder = self.folders.get(crate_id)
        if folder is None:
            return self.main
        db = self._open.get(crate_id)
        if db is None:
            db = open_shard(crate_id, folder)
            self._open[crate_id] = db
        return db

    def db_for_item(self, item_id: str) -> CozoDb:
        return self.db_for_crate(crate_of_item(item_id))

    def by_db(self, item_ids: Iterable[str]) -> list[tuple[CozoDb, list[str]]]:
        """`item_ids` grouped by the database holding them."""
        groups: dict[str, list[str]] = {}
        for item_id in item_ids:
            crate_id = crate_of_item(item_id)
            groups.setdefault(crate_id if crate_id in self.folders else "", []).append(item_id)
        return [(self.db_for_crate(key) if key else self.main, ids) for key, ids in groups.items()]

    def all_dbs(self) -> list[CozoDb]:
        return [self.main, *(self.db_for_crate(c) for c in sorted(self.folders))]

    def dbs_for_name(self, query: str) -> list[CozoDb]:
        """The project database and the shards holding a path whose last segment is
        that of `query` (a shard without a names file is always asked)."""
        key = _name_key(query.strip().removeprefix("::"))
        found = [self.main]
        for crate_id in sorted(self.folders):
            names = self._names_of(crate_id)
            if names is None or key in names:
                found.append(self.db_for_crate(crate_id))
        return found

    def _names_of(self, crate_id: str) -> frozenset[str] | None:
        if crate_id not in self._names:
            names_file = self.folders[crate_id] / SHARD_NAMES_FILENAME
            try:
                self._names[crate_id] = frozenset(names_file.read_text("utf-8").split("\n"))
            except FileNotFoundError:  # a shard built before names files: make it once
                self._names[crate_id] = self._write_names(crate_id, names_file)
            except OSError:
                self._names[crate_id] = None
        return self._names[crate_id]

    def _write_names(self, crate_id: str, names_file: Path) -> frozenset[str] | None:
        rows = self.db_for_crate(crate_id).query("?[path] := *item_paths{path}")
        names = shard_names(str(r[0]) for r in rows)
        tmp = names_file.with_name(f".tmp-{names_file.name}-{os.getpid()}")
        try:
            tmp.write_text("\n".join(sorted(names)), encoding="utf-8")
            os.replace(tmp, names_file)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only cache: the set still serves
        return names

    def dbs_pointing_into(self, crate_id: str) -> list[CozoDb]:
        """The project database and the shards that can hold edges into `crate_id`."""
        if not self.folders:
            return [self.main]
        wanted = self._dependents_of(crate_id) | {crate_id}
        return [self.main, *(self.db_for_crate(c) for c in sorted(wanted & self.folders.keys()))]

    def _dependents_of(self, crate_id: str) -> set[str]:
        if self._dependents is None:
            self._dependents = {}
            rows = self.main.query("?[crate_id, dependencies] := *crates{crate_id, dependencies}")
            for dependent, deps_json in rows:
                for dep in json.loads(deps_json).values():
                    self._dependents.setdefault(str(dep), set()).add(str(dependent))
        found: set[str] = set()
        stack = [crate_id]
        while stack:
            for dependent in self._dependents.get(stack.pop(), ()):
                if dependent not in found:
                    found.add(dependent)
                    stack.append(dependent)
        return found


def shard_names(paths: Iterable[str]) -> frozenset[str]:
    """What a shard's names file holds: the last one and last two segments of each of
    its paths ("new" and "Command::new" for `clap::builder::Command::new`)."""
    names: set[str] = set()
    for path in paths:
        parts = path.rsplit("::", 2)
        names.add(parts[-1])
        if len(parts) > 1:
            names.add(f"{parts[-2]}::{parts[-1]}")
    return frozenset(names)


def _name_key(query: str) -> str:
    """The entry of a names file every match of `query` has."""
    return "::".join(query.rsplit("::", 2)[-2:])


def open_shard(crate_id: str, folder: Path) -> CozoDb:
    db_file = folder / SHARD_DB_FILENAME
    if not db_file.is_file():
        raise ShardMissing(crate_id, folder)
    db = CozoDb(db_file)
    try:
        if not check_schema(db, folder):
            raise ShardMissing(crate_id, folder)
    except BaseException:
        db.close()
        raise
    return db
