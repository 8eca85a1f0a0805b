"""Stored items → `ItemDocument`s (the text both search indexes read), crate by crate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rustrag.index.documents import MAX_BODY_CHARS, ItemDocument
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
    root = stored.crate.root
    reader = reader or SourceReader()
    for row in store.iter_export(crate_id):
        kind = str(row["kind"])
        if kind in SKIPPED_KINDS:
            continue
        item_id = str(row["item_id"])
        file = str(row["file"])
        line_start, line_end = int(str(row["line_start"])), int(str(row["line_end"]))
        docs = str(row["docs"] or "")
        if docs_filter is not None:
            docs = docs_filter(item_id, docs)
        body = body_excerpt(reader.span(root, file, line_start, line_end), MAX_BODY_CHARS)
        path = str(row["path"])
        name = str(row["name"])  # "" for impl blocks: their path names them
        yield (
            ItemDocument(
                item_id=item_id,
                crate_id=crate_id,
                kind=kind,
                name=name,
                path=path,
                signature=str(row["signature"] or ""),
                docs=docs,
                body_excerpt=body,
                fingerprint=str(row["fingerprint"]),
            ),
            RowFacts(item_id, crate_id, kind, bool(row["public"]), file, line_start, line_end),
        )
