"""The text of an item as the search indexes see it.

Retrieve builds one `ItemDocument` per stored item; the lexical index reads its fields
and the embedder reads `embedding_text`. Keeping both views here means the two indexes
never disagree about what an item "says".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Embedding cost is about linear in tokens, so the text is cut as far as retrieval
# allows (benchmarks/bench_embed.py, benchmarks/retrieval_eval/): path and signature
# carry most of the meaning, the first paragraph of the docs the next share, a short
# slice of the body the rest. On tokio/syn/clap/nom/serde items: mean 58 MiniLM tokens
# (was 77 with 240/320/160 chars), 23 ms of CPU per item on 2 cores (was 36), with the
# eval's dense and hybrid MRR@10 unchanged within noise.
MAX_SIGNATURE_CHARS = 160
MAX_DOCS_CHARS = 240
EMBED_BODY_CHARS = 80
MAX_BODY_CHARS = 160  # what documents carry of the body (read from source, then clipped)
# Part of the embedding cache key: vectors of another version of `embedding_text` (same
# item fingerprint, different text) must never be served for this one.
EMBEDDING_TEXT_VERSION = 3  # 3: bodies no longer start inside a multi-line attribute

# `pub`, `pub(crate)`, `pub(in a::b)`: tokens that say nothing a query asks about.
_VISIBILITY = re.compile(r"^pub(?:\([^)]*\))?\s+")


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
    return clip(text, limit)


def clip(text: str, limit: int) -> str:
    """`text` with whitespace collapsed, cut at a word boundary near `limit` chars."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def embedding_text(doc: ItemDocument) -> str:
    """A short text for the embedding model: kind and path, signature, the first
    paragraph of the docs and a bounded slice of the body."""
    path = doc.path
    if doc.kind == "impl":
        # "m::<impl Display for Circle>" repeats the signature: keep the module only
        path = path.rsplit("::<impl", 1)[0]
    parts = [f"{doc.kind} {path}"]
    signature = clip(_VISIBILITY.sub("", doc.signature.lstrip()), MAX_SIGNATURE_CHARS)
    if signature:
        parts.append(signature)
    docs = first_part(doc.docs, MAX_DOCS_CHARS)
    if docs:
        parts.append(docs)
    body = clip(doc.body_excerpt, EMBED_BODY_CHARS)
    if body:
        parts.append(body)
    return "\n".join(parts)


def embedding_key(model: str) -> str:
    """The name the embedding cache files vectors under: the model and the text version."""
    return f"{model}|text-v{EMBEDDING_TEXT_VERSION}"


def lexical_fields(doc: ItemDocument) -> dict[str, str]:
    """The fields BM25 scores, by name; field weights live in `lexical.FIELD_WEIGHTS`.
    The body is left out: it repeats names from elsewhere and swamps the docs."""
    return {"name": doc.name, "path": doc.path, "signature": doc.signature, "docs": doc.docs}
