"""Search indexes over stored items: BM25 on code-aware tokens, dense vectors, and the
embedding models and cache that fill the vectors.

Everything here is in-process and offline. Cozo stays the store of record; the indexes
are memory-mapped snapshots beside it that can always be rebuilt from it (a damaged or
missing snapshot raises `SnapshotError`).
"""

from rustrag.index.documents import ItemDocument, embedding_text, lexical_fields
from rustrag.index.snapshot import SnapshotCorrupt, SnapshotError, SnapshotMissing

__all__ = [
    "ItemDocument",
    "SnapshotCorrupt",
    "SnapshotError",
    "SnapshotMissing",
    "embedding_text",
    "lexical_fields",
]
