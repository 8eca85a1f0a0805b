"""The text of an item as the search indexes see it.

Retrieve builds one `ItemDocument` per stored item; the lexical index reads its fields
and the embedder reads `embedding_text`. Keeping both views here means the two indexes
never disagree about what an item "says".
"""

from __future__ import annotations

from dataclasses import dataclass

# Embedding cost grows with tokens (MiniLM: ~16 texts/s of ~200 tokens on 2 cores), and
# the model was trained on 128-token inputs, so the text is kept to roughly that size.
# Path and signature carry most of the meaning; docs get the next share; body the rest.
MAX_SIGNATURE_CHARS = 240
MAX_DOCS_CHARS = 320
MAX_BODY_CHARS = 160


@dataclass(slots=True, frozen=True)
class ItemDocument:
    """One item as indexed. `fingerprint` keys the embedding cache: an item whose
    fingerprint did not change is never embedded again."""

    item_id: str
    crate_id: str
    kind: str
    name: str
    path: str
    signature: str
    docs: str
    body_excerpt: str
    fingerprint: str


def first_part(text: str, limit: int) -> str:
    """The leading paragraph of `text`, cut at a word boundary near `limit` chars."""
    text = text.strip()
    paragraph_end = text.find("\n\n")
    if paragraph_end != -1:
        text = text[:paragraph_end]
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def embedding_text(doc: ItemDocument) -> str:
    """A short text for the embedding model: kind and path, signature, the first
    paragraph of the docs and a bounded slice of the body."""
    parts = [f"{doc.kind} {doc.path}"]
    signature = " ".join(doc.signature.split())
    if signature:
        parts.append(signature[:MAX_SIGNATURE_CHARS])
    docs = first_part(doc.docs, MAX_DOCS_CHARS)
    if docs:
        parts.append(docs)
    body = " ".join(doc.body_excerpt.split())[:MAX_BODY_CHARS]
    if body:
        parts.append(body)
    return "\n".join(parts)


def lexical_fields(doc: ItemDocument) -> dict[str, str]:
    """The fields BM25 scores, by name; field weights live in `lexical.FIELD_WEIGHTS`.
    The body is left out: it repeats names from elsewhere and swamps the docs."""
    return {"name": doc.name, "path": doc.path, "signature": doc.signature, "docs": doc.docs}
