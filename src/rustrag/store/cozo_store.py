"""`Store`: the index on disk, CozoDB being the store of record.

Concurrency model (see cozo_db.py for the measurements behind it):

* Writers take `index_dir/writer.lock` (filelock, non-blocking). A second writer gets
  `IndexBusy` at once; it can still open the index read-only.
* Readers take no lock. The database is Cozo's SQLite engine in WAL mode, which any
  number of processes can open while one writes; a reader sees only committed crates.
* Each crate write is one transaction, so a reader sees a crate entirely old or
  entirely new; a killed writer leaves the previous state.
* Every write also bumps the `commit_seq` meta row in its transaction. Reads run under a
  sequence lock: read `commit_seq`, run the query (possibly several statements), read it
  again, and retry when it moved. That gives each read function one consistent state
  even though Cozo gives each SQLite statement its own snapshot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from filelock import FileLock, Timeout

from rustrag.model import CrateSource, Edge, ExportTable, Item, ModuleNode, ResolvedCrate
from rustrag.store import crate_queries, graph_queries, item_queries
from rustrag.store.backup import DB_FILENAME
from rustrag.store.cozo_db import CozoDb, enable_wal
from rustrag.store.crate_queries import rebased_file
from rustrag.store.encode import crate_of_item
from rustrag.store.errors import IndexBusy, IndexMissing, ReadOnlyStore, StoreError
from rustrag.store.records import (
    CrateProblem,
    ImplOf,
    ItemMatch,
    ItemPath,
    MethodOf,
    StoredCrate,
    StoredFile,
    StoreStats,
    WriteStats,
)
from rustrag.store.schema import CRATES, META_COMMIT_SEQ, META_SCHEMA_VERSION
from rustrag.store.setup import check_schema, ensure_schema
from rustrag.store.shards import SHARD_DB_FILENAME, ShardMap
from rustrag.store.writer import (
    attach_shard_rows,
    bump_commit_seq,
    delete_crate_rows,
    replace_crate_rows,
)

LOCK_FILENAME = "writer.lock"

# A read retried this often saw a commit land during every attempt: with crate writes
# taking seconds and reads milliseconds, that means something is wrong, not unlucky.
_CONSISTENT_READ_ATTEMPTS = 20

T = TypeVar("T")


class _Session(threading.local):
    depth = 0  # 1 while a sequence-checked read runs on this thread


def db_file(index_dir: Path) -> Path:
    return index_dir / DB_FILENAME


def _remove_database(index_dir: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        db_file(index_dir).with_name(DB_FILENAME + suffix).unlink(missing_ok=True)


class Store:
    """An open index. Use `Store.open`, and close it (or use it as a context manager)."""

    def __init__(self, index_dir: Path, db: CozoDb, lock: FileLock | None) -> None:
        self.index_dir = index_dir
        self._db = db
        self._lock = lock
        self._shards = ShardMap(db)
        self._session = _Session()

    @classmethod
    def open(cls, index_dir: Path, *, read_only: bool = False, rebuild: bool = False) -> Store:
        """Open (a writer also creates) the index in `index_dir`.

        Raises IndexBusy when another process writes (writers only), IndexMissing when a
        reader finds no index, SchemaVersionMismatch when the index needs a rebuild.
        `rebuild` (writers only) deletes the existing index first.
        """
        index_dir = Path(index_dir)
        if read_only:
            if rebuild:
                raise StoreError("a read-only store cannot rebuild the index")
            return cls._open_reader(index_dir)
        return cls._open_writer(index_dir, rebuild=rebuild)

    @classmethod
    def _open_reader(cls, index_dir: Path) -> Store:
        if not db_file(index_dir).exists():
            raise IndexMissing(index_dir)
        db = CozoDb(db_file(index_dir))
        try:
            if not check_schema(db, index_dir):
                raise IndexMissing(index_dir)
        except BaseException:
            db.close()
            raise
        return cls(index_dir, db, None)

    @classmethod
    def _open_writer(cls, index_dir: Path, *, rebuild: bool) -> Store:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(index_dir / LOCK_FILENAME, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise IndexBusy(index_dir) from None
        try:
            if rebuild:
                _remove_database(index_dir)
            enable_wal(db_file(index_dir))
            db = CozoDb(db_file(index_dir))
            try:
                ensure_schema(db, index_dir)
            except BaseException:
                db.close()
                raise
        except BaseException:
            lock.release()
            raise
        return cls(index_dir, db, lock)

    @property
    def read_only(self) -> bool:
        return self._lock is None

    def close(self) -> None:
        self._shards.close()
        self._db.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- writes -------------------------------------------------------------------

    def _writable(self) -> None:
        if self._lock is None:
            raise ReadOnlyStore()

    def replace_crate(self, resolved: ResolvedCrate) -> WriteStats:
        """Write one crate, replacing its previous rows, all or nothing."""
        self._writable()
        started = time.perf_counter()
        with self._db.transaction() as tx:
            stats = replace_crate_rows(tx, resolved)
        stats.seconds = time.perf_counter() - started
        return stats

    def attach_shard(
        self,
        crate: CrateSource,
        folder: Path,
        row_counts: dict[str, int],
        meta: dict[str, str] | None = None,
    ) -> None:
        """Make the crate whose rows sit in the shard at `folder` part of this index: its
        `crates` row (this project's root, features and dependencies) and the shard's
        name, with `meta` rows about it, in one transaction (see rustrag.store.shards)."""
        self._writable()
        with self._db.transaction() as tx:
            attach_shard_rows(tx, crate, folder, row_counts, meta or {})
            bump_commit_seq(tx)

    def delete_crate(self, crate_id: str) -> None:
        self._writable()
        with self._db.transaction() as tx:
            delete_crate_rows(tx, crate_id)
            bump_commit_seq(tx)

    def set_meta(self, key: str, value: str) -> None:
        self._writable()
        if key in (META_SCHEMA_VERSION, META_COMMIT_SEQ):
            raise StoreError(f"meta key {key!r} belongs to the store")
        self._db.execute(
            "?[key, value] <- [[$key, $value]] :put meta {key => value}",
            {"key": key, "value": value},
        )

    def get_meta(self, key: str) -> str | None:
        rows = self._db.query("?[value] := *meta{key: $key, value}", {"key": key})
        return str(rows[0][0]) if rows else None

    # ---- reads --------------------------------------------------------------------

    def _commit_seq(self) -> str | None:
        return self.get_meta(META_COMMIT_SEQ)

    def _consistent(self, read: Callable[[CozoDb], T]) -> T:
        """`read` on this index's own database, under the sequence lock (for the store's
        package-internal readers; every crate in a shard is read through `_read`)."""
        return self._read(lambda: read(self._db))

    def consistent(self, read: Callable[[], T]) -> T:
        """`read`, any number of this store's reads, from one state of the index: the
        sequence is checked once around the whole (each check is a Cozo round trip,
        0.15 ms, and a search makes a dozen reads) and `read` runs again when a commit
        landed meanwhile, so it must have no effect but its result."""
        return self._read(read)

    def _read(self, read: Callable[[], T]) -> T:
        """Run `read` until no commit landed while it ran (a sequence lock). The shard map
        is re-read whenever a commit landed since it was last read. Reads made inside
        `read` (on this thread) skip their own checks: the outer ones stand for them."""
        session = self._session
        if session.depth:
            return read()
        for _ in range(_CONSISTENT_READ_ATTEMPTS):
            before = self._commit_seq()
            if before != self._shards.loaded_seq:
                self._shards.load(before)
            session.depth = 1
            try:
                result = read()
            finally:
                session.depth = 0
            if self._commit_seq() == before:
                return result
        raise StoreError(
            f"the index changed during each of {_CONSISTENT_READ_ATTEMPTS} attempts of a read"
        )

    def _each_database(self, read: Callable[[CozoDb, str | None], T]) -> list[T]:
        """`read` on this index's own database (crate None) and on every shard (its
        crate id), all from one consistent state; for checks that scan everything."""
        return self._read(
            lambda: [
                read(self._db, None),
                *(read(self._shards.db_for_crate(c), c) for c in sorted(self._shards.folders)),
            ]
        )

    def _on_crate(self, crate_id: str, read: Callable[[CozoDb], T]) -> T:
        return self._read(lambda: read(self._shards.db_for_crate(crate_id)))

    def _on_item(self, item_id: str, read: Callable[[CozoDb], T]) -> T:
        return self._read(lambda: read(self._shards.db_for_item(item_id)))

    def crates(self) -> list[StoredCrate]:
        return self._read(lambda: crate_queries.crates(self._db))

    def crate(self, crate_id: str) -> StoredCrate | None:
        return self._read(lambda: crate_queries.crate(self._db, crate_id))

    def files(self, crate_id: str) -> list[StoredFile]:
        def read() -> list[StoredFile]:
            found = crate_queries.files(self._shards.db_for_crate(crate_id), crate_id)
            if not self._shards.is_shard(crate_id):
                return found
            # a shard was built from some project's copy of the sources: name this one's
            stored = crate_queries.crate(self._db, crate_id)
            root = stored.crate.root if stored is not None else ""
            return [rebased_file(f, root) for f in found]

        return self._read(read)

    def modules(self, crate_id: str) -> list[ModuleNode]:
        return self._on_crate(crate_id, lambda db: crate_queries.modules(db, crate_id))

    def shard_folders(self) -> dict[str, Path]:
        """crate id -> folder of the shard holding its rows (dependencies from the
        machine cache); crates not listed live in this index's own database."""
        return self._read(lambda: dict(self._shards.folders))

    def item(self, item_id: str) -> Item | None:
        return self._on_item(item_id, lambda db: item_queries.item(db, item_id))

    def items(self, item_ids: Sequence[str]) -> list[Item]:
        """The items that exist among `item_ids`, in that order."""

        def read() -> list[Item]:
            found: dict[str, Item] = {}
            for db, ids in self._shards.by_db(item_ids):
                found.update(item_queries.items_by_ids(db, ids))
            return [found[i] for i in dict.fromkeys(item_ids) if i in found]

        return self._read(read)

    def find_items(
        self,
        query: str,
        *,
        crate_id: str | None = None,
        kinds: Sequence[str] | None = None,
        limit: int = 50,
    ) -> list[ItemMatch]:
        """By exact canonical path, public path, name, then path suffix (best first)."""

        def read() -> list[ItemMatch]:
            dbs = (
                [self._shards.db_for_crate(crate_id)]
                if crate_id
                else self._shards.dbs_for_name(query)
            )
            found = [
                match
                for db in dbs
                for match in item_queries.find_items(
                    db, query, crate_id=crate_id, kinds=kinds, limit=limit
                )
            ]
            return item_queries.best_matches(found, limit) if len(dbs) > 1 else found

        return self._read(read)

    def children(self, item_id: str) -> list[Item]:
        # an item's children are written with it, in its crate
        return self._on_item(item_id, lambda db: item_queries.children(db, item_id))

    def item_paths(self, item_id: str) -> list[ItemPath]:
        return self._on_item(item_id, lambda db: item_queries.item_paths(db, item_id))

    def edges_from(self, item_id: str, kinds: Sequence[str] | None = None) -> list[Edge]:
        # edges are stored with their source's crate
        return self._on_item(item_id, lambda db: graph_queries.edges_from(db, item_id, kinds))

    def edges_to(self, item_id: str, kinds: Sequence[str] | None = None) -> list[Edge]:
        def read() -> list[Edge]:
            dbs = self._shards.dbs_pointing_into(crate_of_item(item_id))
            found = [e for db in dbs for e in graph_queries.edges_to(db, item_id, kinds)]
            return graph_queries.sorted_edges(found) if len(dbs) > 1 else found

        return self._read(read)

    def edges_from_many(
        self, item_ids: Sequence[str], kinds: Sequence[str] | None = None
    ) -> dict[str, list[Edge]]:
        """Edges from each of `item_ids` (one query): id -> `edges_from(id, kinds)`."""

        def read() -> dict[str, list[Edge]]:
            found: dict[str, list[Edge]] = {}
            for db, ids in self._shards.by_db(item_ids):
                found.update(graph_queries.edges_from_many(db, ids, kinds))
            return {i: found.get(i, []) for i in item_ids}

        return self._read(read)

    def impls_of(self, trait_item_id: str) -> list[ImplOf]:
        # an impl block and its edges live in one crate: per-database answers add up
        def read() -> list[ImplOf]:
            dbs = self._shards.dbs_pointing_into(crate_of_item(trait_item_id))
            return [i for db in dbs for i in graph_queries.impls_of(db, trait_item_id)]

        return self._read(read)

    def methods_of(self, type_item_id: str) -> list[MethodOf]:
        def read() -> list[MethodOf]:
            dbs = self._shards.dbs_pointing_into(crate_of_item(type_item_id))
            found = [m for db in dbs for m in graph_queries.methods_of(db, type_item_id)]
            return graph_queries.sorted_methods(found) if len(dbs) > 1 else found

        return self._read(read)

    def export_table(self, crate_id: str) -> ExportTable | None:
        return self._on_crate(crate_id, lambda db: crate_queries.export_table(db, crate_id))

    def crate_items(self, crate_id: str) -> list[Item]:
        """Every item of one crate with its public paths, from one consistent state."""
        return self._on_crate(crate_id, partial(crate_queries.crate_items, crate_id=crate_id))

    def iter_export(self, crate_id: str | None = None) -> Iterator[dict[str, object]]:
        """One dict per item; each crate is read from one consistent state."""
        ids = (
            [crate_id]
            if crate_id is not None
            else self._read(lambda: crate_queries.crate_ids(self._db))
        )
        for one in ids:
            yield from self._on_crate(one, partial(crate_queries.export_rows, crate_id=one))

    def problems(self, crate_id: str | None = None) -> list[CrateProblem]:
        if crate_id is not None:
            return self._on_crate(crate_id, lambda db: crate_queries.problems(db, crate_id))

        def read() -> list[CrateProblem]:
            found = [p for db in self._shards.all_dbs() for p in crate_queries.problems(db)]
            return crate_queries.sorted_problems(found)

        return self._read(read)

    def stats(self) -> StoreStats:
        """Row counts recorded at write time and the size on disk (fast)."""

        def read() -> StoreStats:
            stats = crate_queries.stats(self._db)
            for folder in self._shards.folders.values():
                stats.shard_bytes += crate_queries.db_bytes(folder / SHARD_DB_FILENAME)
            return stats

        return self._read(read)

    def total_lines(self) -> int:
        """Lines of every stored file, shards included."""
        return self._read(
            lambda: sum(crate_queries.total_lines(db) for db in self._shards.all_dbs())
        )

    def count_rows(self) -> dict[str, int]:
        """Exact row counts by scanning every relation (slow; for checks and diagnostics).
        A shard's crate row is counted once, in this index's own database."""

        def read() -> dict[str, int]:
            totals = crate_queries.count_rows(self._db)
            for crate_id in sorted(self._shards.folders):
                counted = crate_queries.count_rows(self._shards.db_for_crate(crate_id))
                for name, n in counted.items():
                    if name != CRATES.name:
                        totals[name] = totals.get(name, 0) + n
            return totals

        return self._read(read)
