"""Which indexed items get an embedding, and in what order the job embeds them.

Dense search is a background extra next to BM25 and the graph, and embedding is the
slowest step of an index (tens of items per second on two cores), so only items a query
can usefully land on by meaning are embedded; BM25 (identifiers split and whole) and
exact names still cover every item. The rules, measured on a project over 66 Debian
crates (981k lines, 289k searchable items) and on the retrieval eval (see
benchmarks/bench_embed.py and the README):

- a dependency's private item (`public` false) can never be named by the user; that
  includes its tests, benches and examples;
- a dependency's item without docs has only a name and a type to offer, which BM25
  matches as well: bindings crates (winapi, libc) alone bring ~195k such items;
- an `impl` block without docs says only "impl Trait for Type", which its methods and
  the type already carry; the graph finds the block from either.

The user's own crates (workspace members and path dependencies) keep every item but
bare impls. Items are decided from the store's facts before any source is read, so the
skipped ones cost no file reads. Reading a crate's items is itself the job's slowest
step after embedding (~60 s for 289k items), so what was selected per crate is kept
(`SelectionMemo`, keyed by the crate's `indexed_at`): a job after an edit re-reads the
crates the index rewrote, and an unchanged crate again only if its vectors went missing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rustrag.index.documents import ItemDocument, embedding_text
from rustrag.model import Item
from rustrag.retrieve.documents import SKIPPED_KINDS, item_document
from rustrag.retrieve.source import SourceReader
from rustrag.store import Store, StoredCrate

# Crate sources whose code is the user's own: every item of theirs is worth a vector.
OWN_SOURCES = frozenset({"workspace", "path"})
REASONS = ("private_dependency", "undocumented_dependency", "bare_impl")
RULES_VERSION = 1  # bump when `skip_reason` changes: memos of older rules are dropped
MEMO_FILE = "embed-selection.json"  # beside the other search snapshots


def skip_reason(item: Item, own: bool) -> str | None:
    """Why an item gets no embedding (one of `REASONS`), or None when it gets one."""
    documented = bool(item.raw.docs and item.raw.docs.strip())
    if not own and not item.public:
        return "private_dependency"
    if not own and not documented:
        return "undocumented_dependency"
    if item.kind == "impl" and not documented:
        return "bare_impl"
    return None


@dataclass(slots=True)
class CrateSelection:
    """One crate's selected items as (item id, fingerprint), the documents when the crate
    was read in this run (None when taken from the memo), and what was left out."""

    stamp: float  # the crate's `indexed_at` when selected
    own: bool
    entries: list[tuple[str, str]]
    skipped: dict[str, int]
    documents: list[ItemDocument] | None = None


@dataclass(slots=True)
class EmbedSelection:
    """Every indexed crate's selection; own crates come first in `entries`."""

    crates: dict[str, CrateSelection] = field(default_factory=dict)

    @property
    def entries(self) -> list[tuple[str, str]]:
        ordered = sorted(self.crates.items(), key=lambda kv: (not kv[1].own, kv[0]))
        return [entry for _, chosen in ordered for entry in chosen.entries]

    @property
    def documents(self) -> list[ItemDocument]:
        """The documents read in this run (all of them when no memo was used)."""
        ordered = sorted(self.crates.items(), key=lambda kv: (not kv[1].own, kv[0]))
        return [doc for _, chosen in ordered for doc in chosen.documents or ()]

    def to_json(self) -> dict[str, int]:
        chosen = self.crates.values()
        skipped = {reason: sum(c.skipped[reason] for c in chosen) for reason in REASONS}
        selected = sum(len(c.entries) for c in chosen)
        return {
            "considered": selected + sum(skipped.values()),
            "selected": selected,
            "own": sum(len(c.entries) for c in chosen if c.own),
            **{f"skipped_{reason}": count for reason, count in skipped.items()},
            "crates_read": sum(c.documents is not None for c in chosen),
        }


def select_crate(store: Store, stored: StoredCrate, reader: SourceReader) -> CrateSelection:
    own = stored.crate.source in OWN_SOURCES
    chosen = CrateSelection(stored.indexed_at, own, [], dict.fromkeys(REASONS, 0), [])
    assert chosen.documents is not None
    for item in store.crate_items(stored.crate.crate_id):  # in file order: warm reader
        if item.kind in SKIPPED_KINDS:
            continue
        reason = skip_reason(item, own)
        if reason is not None:
            chosen.skipped[reason] += 1
            continue
        doc, _ = item_document(item, stored.crate.root, reader)
        chosen.entries.append((doc.item_id, doc.fingerprint))
        chosen.documents.append(doc)
    return chosen


def select_documents(store: Store, memo: SelectionMemo | None = None) -> EmbedSelection:
    """The items of every indexed crate worth an embedding. A crate whose `indexed_at`
    matches the memo's is taken from it without reading the store."""
    reader = SourceReader()
    selection = EmbedSelection()
    for stored in store.crates():
        remembered = memo.get(stored) if memo is not None else None
        selection.crates[stored.crate.crate_id] = remembered or select_crate(store, stored, reader)
    return selection


def read_missing(store: Store, selection: EmbedSelection, have: Collection[str]) -> list[str]:
    """Read the documents of memo'd crates with a selected fingerprint not in `have` (a
    cache pruned, another model or item text): their texts are needed. Returns them."""
    reader = SourceReader()
    read: list[str] = []
    for crate_id, chosen in selection.crates.items():
        if chosen.documents is None and any(fp not in have for _, fp in chosen.entries):
            stored = store.crate(crate_id)
            if stored is not None:
                selection.crates[crate_id] = select_crate(store, stored, reader)
                read.append(crate_id)
    return read


def embedding_plan(selection: EmbedSelection, have: Collection[str]) -> list[tuple[str, str]]:
    """(fingerprint, text) of every read document whose fingerprint is not in `have`,
    once per fingerprint, in the order to embed them: own crates first, then each part by
    text length, so a batch holds texts of about one length and almost no compute goes
    to padding (and short texts, the cheapest, land in the snapshot first)."""
    own = {fp for c in selection.crates.values() if c.own for _, fp in c.entries}
    texts: dict[str, str] = {}
    for doc in selection.documents:
        if doc.fingerprint not in have and doc.fingerprint not in texts:
            texts[doc.fingerprint] = embedding_text(doc)
    return sorted(texts.items(), key=lambda item: (item[0] not in own, len(item[1])))


class SelectionMemo:
    """Per crate: the `indexed_at` it was selected at and its selected (item id,
    fingerprint) pairs, in one JSON file. A missing, damaged or older-rules file is an
    empty memo: the job then reads every crate, as without one."""

    def __init__(self, crates: dict[str, CrateSelection] | None = None) -> None:
        self.crates = crates or {}

    def get(self, stored: StoredCrate) -> CrateSelection | None:
        found = self.crates.get(stored.crate.crate_id)
        if found is None or found.stamp != stored.indexed_at:
            return None
        return CrateSelection(found.stamp, found.own, found.entries, dict(found.skipped))

    @classmethod
    def load(cls, folder: Path) -> SelectionMemo:
        try:
            data = json.loads((folder / MEMO_FILE).read_text(encoding="utf-8"))
            if data.get("rules") != RULES_VERSION:
                return cls()
            return cls(
                {
                    crate_id: CrateSelection(
                        float(c["stamp"]),
                        bool(c["own"]),
                        [(str(i), str(f)) for i, f in c["entries"]],
                        {reason: int(c["skipped"][reason]) for reason in REASONS},
                    )
                    for crate_id, c in data["crates"].items()
                }
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()

    @staticmethod
    def save(folder: Path, crates: Iterable[tuple[str, CrateSelection]]) -> None:
        data = {
            "rules": RULES_VERSION,
            "crates": {
                crate_id: {
                    "stamp": c.stamp,
                    "own": c.own,
                    "entries": c.entries,
                    "skipped": c.skipped,
                }
                for crate_id, c in crates
            },
        }
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / (MEMO_FILE + ".tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, folder / MEMO_FILE)  # a reader sees the old file or the new one
