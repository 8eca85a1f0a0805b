"""Bring the search indexes in line with the store after `rustrag index`.

The lexical snapshot (and its row facts) is refreshed synchronously: it costs seconds
for a large workspace and search needs it. Only crates the store rewrote since the last
refresh are re-read (their `indexed_at` moved); a missing or damaged snapshot is rebuilt
from the store of record. A process that refreshes again and again (`rustrag watch`)
keeps the snapshot it last wrote in memory and updates that, while the folder still
holds what it wrote. Embedding is slow (tens of items per second on two cores), so
it runs in a detached background process (`rustrag.retrieve.embed_job`): search answers
with lexical and graph signals at once, and dense joins when its snapshot appears.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from rustrag.index.lexical import LexicalIndex
from rustrag.index.snapshot import SnapshotError, snapshot_generation
from rustrag.retrieve import layout
from rustrag.retrieve.documents import DocsFilter, crate_documents, item_documents
from rustrag.retrieve.rows import RowTable
from rustrag.retrieve.shard_search import shard_search_part
from rustrag.retrieve.source import SourceReader
from rustrag.store import Store
from rustrag.store.delta import ItemChanges

# Past this share of tombstoned rows the snapshot is compacted (rows renumbered).
COMPACT_DEAD_FRACTION = 0.25


class Progress(Protocol):
    def phase(self, name: str, total: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


@dataclass(slots=True)
class SearchIndexReport:
    rebuilt: bool = False  # built from scratch (first run, or the snapshot was unusable)
    crates_refreshed: list[str] = field(default_factory=list)
    crates_dropped: list[str] = field(default_factory=list)
    documents_added: int = 0
    rows: int = 0  # live rows after the refresh
    seconds: float = 0.0
    embedding: str = "not requested"  # "started", "running", "disabled: ...", ...

    def to_json(self) -> dict[str, object]:
        return {
            "rebuilt": self.rebuilt,
            "crates_refreshed": self.crates_refreshed,
            "crates_dropped": self.crates_dropped,
            "documents_added": self.documents_added,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "embedding": self.embedding,
        }


# The snapshot this process last wrote, by index folder, with the generations it saved:
# while the folder still holds those generations (no other writer came in between), the
# next refresh takes them from memory instead of loading and re-hashing ~50 MB.
_WARM: dict[Path, tuple[tuple[str | None, str | None], LexicalIndex, RowTable]] = {}


def _generations(index_dir: Path) -> tuple[str | None, str | None]:
    return (
        snapshot_generation(layout.bm25_dir(index_dir)),
        snapshot_generation(layout.rows_dir(index_dir)),
    )


def _load_for_update(index_dir: Path) -> tuple[LexicalIndex, RowTable]:
    """The current snapshot to update: this process's own copy when it is still the
    current one, else loaded (and verified) from disk. The copy is taken out of the cache
    while it is changed: a refresh that fails half-way must not leave it behind."""
    key = index_dir.resolve()
    warm = _WARM.pop(key, None)
    if warm is not None and None not in warm[0] and warm[0] == _generations(index_dir):
        return warm[1], warm[2]
    return load_lexical(index_dir)


def load_lexical(index_dir: Path, *, verify: bool = True) -> tuple[LexicalIndex, RowTable]:
    """The lexical snapshot and its row facts; SnapshotError when either is unusable or
    they disagree (a crash between the two saves)."""
    lexical = LexicalIndex.load(layout.bm25_dir(index_dir), verify=verify)
    rows = RowTable.load(layout.rows_dir(index_dir), verify=verify)
    if len(rows) != len(lexical.ids):
        raise SnapshotError(f"{layout.search_dir(index_dir)}: bm25 and row facts disagree")
    return lexical, rows


def refresh_search_indexes(
    store: Store,
    index_dir: Path,
    *,
    embed: bool,
    changed_crates: Iterable[str] | None = None,
    item_changes: Mapping[str, ItemChanges] | None = None,
    progress: Progress | None = None,
    docs_filter: DocsFilter | None = None,
) -> SearchIndexReport:
    """Update the lexical snapshot for the crates that changed (all of them when there is
    no usable snapshot), then, with `embed`, start the background embedding job.
    `changed_crates` adds crates to re-read whatever their stamps say. A crate in
    `item_changes` whose snapshot rows date from the state the changes were made to is
    patched item by item instead of re-read whole."""
    started = time.perf_counter()
    report = SearchIndexReport()
    stored = {c.crate.crate_id: c.indexed_at for c in store.crates()}
    try:
        lexical, rows = _load_for_update(index_dir)
    except SnapshotError:
        lexical, rows = LexicalIndex(), RowTable()
        report.rebuilt = True
    forced = set(changed_crates or ())
    stale = {cid for cid, stamp in rows.stamps.items() if stored.get(cid) != stamp or cid in forced}
    missing = set(stored) - set(rows.stamps)
    reader = SourceReader()
    patchable = {
        cid: changes
        for cid, changes in (item_changes or {}).items()
        if cid in stale and cid in stored and rows.stamps.get(cid) == changes.since
    }
    for crate_id, changes in sorted(patchable.items()):
        # only the items (and the items of files) the store's delta touched: the snapshot
        # holds the crate as of `changes.since`, so the result is that of a re-read
        added = _patch_crate(store, crate_id, changes, lexical, rows, reader, docs_filter)
        rows.stamps[crate_id] = stored[crate_id]
        report.documents_added += added
        report.crates_refreshed.append(crate_id)
    stale -= set(patchable)
    for crate_id in sorted(stale):
        lexical.remove([lexical.ids[int(r)] for r in rows.drop_crate(crate_id)])
        if crate_id not in stored:
            report.crates_dropped.append(crate_id)
    to_add = sorted((stale | missing) & set(stored))
    if progress is not None:
        progress.phase("search index", len(to_add))
    # dependency shards carry a prebuilt part (not when a docs filter changes the text)
    shards = store.shard_folders() if docs_filter is None else {}
    for crate_id in to_add:
        if crate_id in shards:
            part_lexical, part_rows = shard_search_part(store, crate_id, shards[crate_id], reader)
            report.documents_added += lexical.extend(part_lexical)
            rows.extend(part_rows)
        else:
            pairs = list(crate_documents(store, crate_id, reader=reader, docs_filter=docs_filter))
            lexical.add(doc for doc, _ in pairs)
            rows.append(facts for _, facts in pairs)
            report.documents_added += len(pairs)
        rows.stamps[crate_id] = stored[crate_id]
        report.crates_refreshed.append(crate_id)
        if progress is not None:
            progress.advance()
    if lexical.dead_fraction > COMPACT_DEAD_FRACTION:
        remap = lexical.compact()
        rows.select(remap >= 0)
    if to_add or stale or patchable or report.rebuilt:
        # rows first: a crash between the saves leaves lengths that disagree, which
        # load_lexical reports, and the next refresh rebuilds
        rows.save(layout.rows_dir(index_dir))
        lexical.save(layout.bm25_dir(index_dir))
    _WARM[index_dir.resolve()] = (_generations(index_dir), lexical, rows)
    report.rows = lexical.live_count
    if embed:
        from rustrag.retrieve.embed_job import start_background_embedding

        report.embedding = start_background_embedding(index_dir)
    report.seconds = time.perf_counter() - started
    return report


def _patch_crate(
    store: Store,
    crate_id: str,
    changes: ItemChanges,
    lexical: LexicalIndex,
    rows: RowTable,
    reader: SourceReader,
    docs_filter: DocsFilter | None,
) -> int:
    """Tombstone the crate's rows for the changed items and the items of changed files,
    then add those that still exist, read afresh. Returns the documents added."""
    affected = set(changes.item_ids)
    affected.update(lexical.ids[int(r)] for r in rows.live_rows_in_files(crate_id, changes.files))
    if not affected:
        return 0
    crate_code = rows.crates.get(crate_id)
    dead: list[int] = []
    for item_id in affected:
        row = lexical.ids.row_of(item_id)
        if row is not None and rows.live[row] and int(rows.crate[row]) == crate_code:
            dead.append(row)
    dead_rows = np.array(sorted(dead), dtype=np.int64)
    lexical.remove(lexical.ids[int(r)] for r in dead_rows)
    rows.kill(dead_rows)
    pairs = list(item_documents(store, crate_id, affected, reader=reader, docs_filter=docs_filter))
    lexical.add(doc for doc, _ in pairs)
    rows.append(facts for _, facts in pairs)
    return len(pairs)
