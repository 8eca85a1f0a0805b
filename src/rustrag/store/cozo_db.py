"""A thin typed layer over pycozo's embedded client, on Cozo's SQLite engine.

Why SQLite and not RocksDB (measured with cozo-embedded 0.7.6 on this machine):

* RocksDB takes an exclusive `LOCK` file: while a writer process has the database open, a
  second process cannot open it at all, not even to read ("IO error: While lock file:
  .../data/LOCK: Resource temporarily unavailable"). Cozo exposes no secondary/read-only
  RocksDB mode, so queries would stop for the whole length of an index run.
* Serving readers from a copy refreshed with Cozo's `backup` after each commit works
  (the backup is itself a SQLite-engine database) but costs 0.53 s per 100k rows copied,
  after every crate: quadratic over a workspace of hundreds of crates.
* Cozo's SQLite engine lets any number of processes open the same file. In SQLite's
  default rollback-journal mode a reader that arrives while the writer commits fails
  ("database is locked", raised as a Rust panic inside Cozo). In WAL mode readers never
  wait for the writer and see only committed transactions: 260 queries during 6
  rewrites of a 30k-row crate saw no error and no mixed state. WAL mode is a property of
  the file, so the writer sets it once, before Cozo first opens the file.
* It is not slower here: 100k rows (items + edges with two indexes) in one transaction
  took 1.9 s on SQLite against 3.0 s on RocksDB, and an indexed lookup is ~0.3 ms.

One gap remains: Cozo runs a read query without `BEGIN`, so every SQLite statement of the
query gets its own snapshot, and a commit between two statements could mix two states
in one answer. `Store` closes that gap with a sequence lock (see `Store._consistent`).

One hazard: Python's own sqlite3 module must not touch the file while Cozo has it open
in the same process; doing so crashed the test process with SIGBUS (see enable_wal).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from pycozo.client import Client

from rustrag.store.errors import StoreError

Row = list[Any]

# A reader can still meet a brief lock (WAL recovery after a killed writer, the final
# checkpoint of a closing connection); these retries outlast those windows.
_BUSY_RETRIES = 50
_BUSY_SLEEP_S = 0.02


class QueryFailed(StoreError):
    """Cozo rejected a script: a bug in the store, reported with the script."""


class _Runner(Protocol):
    def run(self, script: str, params: dict[str, Any]) -> Any: ...


def is_wal(db_file: Path) -> bool:
    """Whether a SQLite file is in WAL mode, read from its header without SQLite."""
    with db_file.open("rb") as f:
        header = f.read(20)
    # bytes 18 and 19 (write and read format versions) are 2 in WAL mode, 1 otherwise
    return len(header) == 20 and header[18] == 2 and header[19] == 2


def enable_wal(db_file: Path) -> None:
    """Put a new or rollback-journal SQLite file in WAL mode (it stays in it).

    Must run before any Cozo handle on the file exists in this process: Python's sqlite3
    and Cozo's bundled SQLite are two copies of the library, and POSIX locks do not
    separate two copies in one process, so one can truncate the WAL index the other has
    mapped (a SIGBUS, seen in testing). The writer calls this once, under its lock.
    """
    if db_file.exists() and is_wal(db_file):
        return
    con = sqlite3.connect(db_file)
    try:
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()


def _is_busy(error: BaseException) -> bool:
    return "database is locked" in str(error) or "database is busy" in str(error)


def _is_rust_panic(error: BaseException) -> bool:
    # pyo3's PanicException derives from BaseException and cannot be imported by name.
    return type(error).__name__ == "PanicException"


def _rows(result: Any) -> list[Row]:
    rows: list[Row] = result["rows"]
    return rows


def _message(error: BaseException) -> str:
    payload = error.args[0] if error.args else error
    if isinstance(payload, Mapping):
        return str(payload.get("message") or payload.get("display") or payload)
    resp = getattr(error, "resp", None)
    if isinstance(resp, Mapping):
        return str(resp.get("message") or resp)
    return str(error)


def _open_client(db_file: Path) -> Client:
    for attempt in range(_BUSY_RETRIES):
        try:
            return Client("sqlite", str(db_file), dataframe=False)
        except BaseException as error:
            if not _is_busy(error) or attempt == _BUSY_RETRIES - 1:
                if _is_rust_panic(error):
                    raise StoreError(f"CozoDB could not open {db_file}: {error}") from None
                raise
            time.sleep(_BUSY_SLEEP_S)
    raise AssertionError("unreachable")


class CozoDb:
    """One open Cozo database file: scripts in, rows out."""

    def __init__(self, db_file: Path) -> None:
        self.path = db_file
        self._client: Client | None = _open_client(db_file)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> Client:
        if self._client is None:
            raise StoreError("the store is closed")
        return self._client

    def query(self, script: str, params: dict[str, Any] | None = None) -> list[Row]:
        """Run a script that must not write."""
        return self._run(script, params or {}, immutable=True)

    def execute(self, script: str, params: dict[str, Any] | None = None) -> list[Row]:
        """Run a script that may write, in its own transaction."""
        return self._run(script, params or {}, immutable=False)

    def _run(self, script: str, params: dict[str, Any], *, immutable: bool) -> list[Row]:
        client = self.client
        for attempt in range(_BUSY_RETRIES):
            try:
                return _rows(client.run(script, params, immutable))
            except BaseException as error:
                if _is_busy(error) and attempt < _BUSY_RETRIES - 1:
                    time.sleep(_BUSY_SLEEP_S)
                    continue
                if isinstance(error, Exception) or _is_rust_panic(error):
                    raise QueryFailed(f"{_message(error)}\nin script:\n{script}") from None
                raise
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One write transaction: committed when the block ends, aborted if it raises."""
        tx = self.client.multi_transact(True)
        try:
            yield Transaction(tx)
        except BaseException:
            tx.abort()
            raise
        tx.commit()


class Transaction:
    """The statements of one write transaction (see CozoDb.transaction)."""

    def __init__(self, tx: _Runner) -> None:
        self._tx = tx

    def run(self, script: str, params: dict[str, Any] | None = None) -> list[Row]:
        try:
            return _rows(self._tx.run(script, params or {}))
        except Exception as error:
            raise QueryFailed(f"{_message(error)}\nin script:\n{script}") from None
