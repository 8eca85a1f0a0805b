"""The store stage: the index on disk (CozoDB, SQLite engine), its writes and its queries.

Open it with `Store.open(index_dir)` to write (one writer at a time, others get
`IndexBusy`) or `Store.open(index_dir, read_only=True)` to query, even while a writer runs.
"""

from rustrag.store.backup import DB_FILENAME
from rustrag.store.cozo_store import LOCK_FILENAME, Store
from rustrag.store.errors import (
    IndexBusy,
    IndexMissing,
    ReadOnlyStore,
    SchemaVersionMismatch,
    StoreError,
)
from rustrag.store.records import (
    CrateProblem,
    ImplOf,
    ItemMatch,
    ItemPath,
    MatchKind,
    MethodOf,
    StoredCrate,
    StoredFile,
    StoreStats,
    WriteStats,
)
from rustrag.store.schema import SCHEMA_VERSION

__all__ = [
    "DB_FILENAME",
    "LOCK_FILENAME",
    "SCHEMA_VERSION",
    "CrateProblem",
    "ImplOf",
    "IndexBusy",
    "IndexMissing",
    "ItemMatch",
    "ItemPath",
    "MatchKind",
    "MethodOf",
    "ReadOnlyStore",
    "SchemaVersionMismatch",
    "Store",
    "StoreError",
    "StoreStats",
    "StoredCrate",
    "StoredFile",
    "WriteStats",
]
