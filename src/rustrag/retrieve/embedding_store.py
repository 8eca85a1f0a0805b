"""The machine-wide embedding cache: a Cozo (SQLite engine, WAL) database under the user's
rustrag cache folder, keyed by (model, item fingerprint). Every project and index on the
machine shares it, so a crate version's items are embedded once, ever."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from filelock import FileLock
from pycozo.client import Client

from rustrag.index.embedding_cache import CozoEmbeddingCache
from rustrag.retrieve import layout
from rustrag.store.cozo_db import enable_wal

DB_NAME = "cozo.sqlite"


class SharedEmbeddingCache:
    """`CozoEmbeddingCache` whose writes hold a file lock: several embedding jobs (one per
    index) may run at once, and SQLite takes one writer at a time."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        db_file = folder / DB_NAME
        self._lock = FileLock(folder / "write.lock")
        with self._lock:
            enable_wal(db_file)  # before the first Cozo handle on the file (see cozo_db)
            self._client = Client("sqlite", str(db_file), dataframe=False)
            self._cache = CozoEmbeddingCache(self._client)

    def get_many(self, model: str, fingerprints: Sequence[str]) -> dict[str, np.ndarray]:
        return self._cache.get_many(model, fingerprints)

    def put_many(self, model: str, rows: Mapping[str, npt.ArrayLike]) -> None:
        with self._lock:
            self._cache.put_many(model, rows)

    def count(self, model: str) -> int:
        return self._cache.count(model)

    def close(self) -> None:
        self._client.close()


def open_embedding_cache(folder: Path | None = None) -> SharedEmbeddingCache:
    return SharedEmbeddingCache(folder or layout.embedding_cache_dir())
