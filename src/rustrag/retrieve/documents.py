"""Stored items → `ItemDocument`s (the text both search indexes read), crate by crate."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from rustrag.index.documents import MAX_BODY_CHARS, ItemDocument
from rustrag.model import Item
from rustrag.retrieve.source import SourceReader, body_excerpt
from rustrag.store import Store

# Imports bind names without defining anything: searching them would shadow the
# definition they point at with a duplicate. `impl` blocks stay (their path names the
# type and trait: "impl Display for Circle").
SKIPPED_KINDS = frozenset({"use", "extern_crate"})

# Hook for the retrieval eval: hides the text a query was built from (see benchmarks/).
DocsFilter = Callable[[str, str], str]  # (item_id, docs) -> docs to index


@dataclass(slots=True, frozen=True)
class RowFacts:
    """What the search needs about an indexed item without asking the store: filters
    (crate, kind, public) and `--at` lookups (file and lines)."""

    item_id: str
    crate_id: str
    kind: str
    public: bool
    file: str
    line_start: int
    line_end: int


def crate_documents(
    store: Store,
    crate_id: str,
    *,
    reader: SourceReader | None = None,
    docs_filter: DocsFilter | None = None,
) -> Iterator[tuple[ItemDocument, RowFacts]]:
    """One document (and its row facts) per searchable item of a crate, in file order."""
    stored = store.crate(crate_id)
    if stored is None:
        return
    reader = reader or SourceReader()
    for item in store.crate_items(crate_id):
        if item.kind not in SKIPPED_KINDS:
            yield item_document(item, stored.crate.root, reader, docs_filter)


def item_documents(
    store: Store,
    crate_id: str,
    item_ids: Iterable[str],
    *,
    reader: SourceReader | None = None,
    docs_filter: DocsFilter | None = None,
) -> Iterator[tuple[ItemDocument, RowFacts]]:
    """The documents of those of `item_ids` that are searchable items of the crate, in
    file order (as `crate_documents` gives them): what an edit puts back."""
    stored = store.crate(crate_id)
    if stored is None:
        return
    reader = reader or SourceReader()
    items = [i for i in store.items(sorted(item_ids)) if i.crate_id == crate_id]
    items.sort(key=lambda i: (i.file, i.raw.line_start, i.item_id))
    for item in items:
        if item.kind not in SKIPPED_KINDS:
            yield item_document(item, stored.crate.root, reader, docs_filter)


def item_document(
    item: Item, root: str, reader: SourceReader, docs_filter: DocsFilter | None = None
) -> tuple[ItemDocument, RowFacts]:
    docs = item.raw.docs or ""
    if docs_filter is not None:
        docs = docs_filter(item.item_id, docs)
    line_start, line_end = item.raw.line_start, item.raw.line_end
    body = body_excerpt(reader.span(root, item.file, line_start, line_end), MAX_BODY_CHARS)
    document = ItemDocument(
        item_id=item.item_id,
        crate_id=item.crate_id,
        kind=item.kind,
        name=item.name,  # "" for impl blocks: their path names them
        path=item.path,
        signature=item.raw.signature or "",
        docs=docs,
        body_excerpt=body,
        fingerprint=item.raw.fingerprint,
    )
    facts = RowFacts(
        item.item_id, item.crate_id, item.kind, item.public, item.file, line_start, line_end
    )
    return document, facts
