"""Prebuilt lexical parts of dependency shards.

A project attaching a shard (rustrag.store.shards) must still put the crate into its
own BM25 snapshot, and reading, documenting and tokenising a crate's items cost far
more than attaching it (measured: ~35 s of the 40 s a second project on 442k lines of
dependencies took). The crate's documents are the same in every project using the
shard (same sources, same rows), so the first project to need them saves the crate's
lexical index and row facts inside the shard folder, and the others merge those in
(`LexicalIndex.extend`, `RowTable.extend`). The folder name carries a digest of the code
that shapes documents and tokens, so a rustrag that tokenises differently builds its
own part instead of reading a stale one.
"""

from __future__ import annotations

import os
import secrets
import shutil
from functools import cache
from pathlib import Path

import blake3

from rustrag.index import documents as index_documents
from rustrag.index import lexical as lexical_module
from rustrag.index import tokenize as tokenize_module
from rustrag.index.lexical import LexicalIndex
from rustrag.index.snapshot import SnapshotError
from rustrag.retrieve import documents as retrieve_documents
from rustrag.retrieve import rows as rows_module
from rustrag.retrieve import source as source_module
from rustrag.retrieve.documents import crate_documents
from rustrag.retrieve.rows import RowTable
from rustrag.retrieve.source import SourceReader
from rustrag.store import Store

_SHAPING_MODULES = (
    index_documents,
    lexical_module,
    tokenize_module,
    retrieve_documents,
    rows_module,
    source_module,
)


@cache
def part_digest() -> str:
    """blake3 over the source of every module that decides what a part holds."""
    hasher = blake3.blake3()
    for module in _SHAPING_MODULES:
        hasher.update(Path(str(module.__file__)).read_bytes())
    return hasher.hexdigest()[:16]


def shard_search_part(
    store: Store, crate_id: str, shard_folder: Path, reader: SourceReader
) -> tuple[LexicalIndex, RowTable]:
    """The crate's lexical index and row facts: read from the shard folder, else built
    from the store and saved there for the next project (when the folder is writable)."""
    folder = shard_folder / f"search-{part_digest()}"
    try:
        return LexicalIndex.load(folder / "bm25"), RowTable.load(folder / "rows")
    except SnapshotError:
        pass
    pairs = list(crate_documents(store, crate_id, reader=reader))
    lexical = LexicalIndex.build(doc for doc, _ in pairs)
    rows = RowTable()
    rows.append(facts for _, facts in pairs)
    if lexical.dead_fraction:  # an id seen twice: keep rows and facts aligned
        rows.select(lexical.compact() >= 0)
    _save(folder, lexical, rows)
    return lexical, rows


def _save(folder: Path, lexical: LexicalIndex, rows: RowTable) -> None:
    """Save under a temporary name, then rename: a reader sees a whole part or none."""
    tmp = folder.with_name(f".tmp-{folder.name}-{secrets.token_hex(4)}")
    try:
        lexical.save(tmp / "bm25")
        rows.save(tmp / "rows")
        os.rename(tmp, folder)
    except OSError:
        # a read-only cache, or another project saved the same part first: both fine
        shutil.rmtree(tmp, ignore_errors=True)
