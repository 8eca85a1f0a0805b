"""Bring the search indexes in line with the store after `rustrag index`.

The lexical snapshot (and its row facts) is refreshed synchronously: it costs seconds
for a large workspace and search needs it. Only crates the store rewrote since the last
refresh are re-read (their `indexed_at` moved); a missing or damaged snapshot is rebuilt
from the store of record. Embedding is slow (tens of items per second on two cores), so
it runs in a detached background process (`rustrag.retrieve.embed_job`): search answers
with lexical and graph signals at once, and dense joins when its snapshot appears.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rustrag.index.lexical import LexicalIndex
from rustrag.index.snapshot import SnapshotError
from rustrag.retrieve import layout
from rustrag.retrieve.documents import DocsFilter, crate_documents
from rustrag.retrieve.rows import RowTable
from rustrag.retrieve.source import SourceReader
from rustrag.store import Store

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
    progress: Progress | None = None,
    docs_filter: DocsFilter | None = None,
) -> SearchIndexReport:
    """Update the lexical snapshot for the crates that changed (all of them when there is
    no usable snapshot), then, with `embed`, start the background embedding job.
    `changed_crates` adds crates to re-read whatever their stamps say."""
    started = time.perf_counter()
    report = SearchIndexReport()
    stored = {c.crate.crate_id: c.indexed_at for c in store.crates()}
    try:
        lexical, rows = load_lexical(index_dir)
    except SnapshotError:
        lexical, rows = LexicalIndex(), RowTable()
        report.rebuilt = True
    forced = set(changed_crates or ())
    stale = {cid for cid, stamp in rows.stamps.items() if stored.get(cid) != stamp or cid in forced}
    missing = set(stored) - set(rows.stamps)
    for crate_id in sorted(stale):
        lexical.remove([lexical.ids[int(r)] for r in rows.drop_crate(crate_id)])
        if crate_id not in stored:
            report.crates_dropped.append(crate_id)
    to_add = sorted((stale | missing) & set(stored))
    if progress is not None:
        progress.phase("search index", len(to_add))
    reader = SourceReader()
    for crate_id in to_add:
        pairs = list(crate_documents(store, crate_id, reader=reader, docs_filter=docs_filter))
        lexical.add(doc for doc, _ in pairs)
        rows.append(facts for _, facts in pairs)
        rows.stamps[crate_id] = stored[crate_id]
        report.documents_added += len(pairs)
        report.crates_refreshed.append(crate_id)
        if progress is not None:
            progress.advance()
    if lexical.dead_fraction > COMPACT_DEAD_FRACTION:
        remap = lexical.compact()
        rows.select(remap >= 0)
    if to_add or stale or report.rebuilt:
        # rows first: a crash between the saves leaves lengths that disagree, which
        # load_lexical reports, and the next refresh rebuilds
        rows.save(layout.rows_dir(index_dir))
        lexical.save(layout.bm25_dir(index_dir))
    report.rows = lexical.live_count
    if embed:
        from rustrag.retrieve.embed_job import start_background_embedding

        report.embedding = start_background_embedding(index_dir)
    report.seconds = time.perf_counter() - started
    return report
