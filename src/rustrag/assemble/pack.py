"""Assembling a context pack: candidates in relevance order → entries within a budget.

Each candidate gets the richest rendering that still fits (docs and up to 40 lines of
code, then 12 lines, then signature and first doc paragraph); one that fits in no form
is skipped and smaller ones after it may still go in. Items whose lines lie inside an
entry already packed are left out (a method inside a packed impl), so no snippet
appears twice. The budget counts the Markdown rendering, header included: a rendering's
count is the sum of its pieces' counts (`markdown_pieces`; no WordPiece token spans the
whitespace that joins them), so each distinct piece is tokenized once and the total is
exact without tokenizing the whole pack again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from rustrag.api import ItemView
from rustrag.assemble.render import (
    MAX_BODY_LINES,
    SHORT_BODY_LINES,
    Entry,
    markdown,
    markdown_pieces,
    trim_code,
    trim_docs,
)
from rustrag.assemble.tokens import TOKENIZER_NAME, count_tokens, count_tokens_many
from rustrag.retrieve.hits import use_path
from rustrag.retrieve.source import SourceReader

Format = Literal["md", "json"]


@dataclass(slots=True)
class Candidate:
    view: ItemView
    why: str


@dataclass(slots=True)
class ContextPack:
    query: str | None
    at: str | None
    budget: int
    entries: list[Entry] = field(default_factory=list)
    skipped: int = 0  # candidates that fit in no form
    tokens: int = 0  # of the Markdown rendering, header included
    tokenizer: str = TOKENIZER_NAME

    def header(self) -> str:
        subject = " ".join(
            part for part in (self.query and f"“{self.query}”", self.at and f"at {self.at}") if part
        )
        return f"## rustrag context: {subject}"

    def to_markdown(self) -> str:
        return "\n\n".join([self.header(), *(markdown(e) for e in self.entries)]) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "at": self.at,
            "budget": self.budget,
            "tokens": self.tokens,
            "tokenizer": self.tokenizer,
            "skipped": self.skipped,
            "entries": [e.to_json() for e in self.entries],
        }


def build_pack(
    candidates: list[Candidate], budget: int, *, query: str | None, at: str | None
) -> ContextPack:
    pack = ContextPack(query=query, at=at, budget=budget)
    used = count_tokens(pack.header())
    reader = SourceReader()
    counter = _PieceCounter()
    spans: list[tuple[str, str, int, int]] = []  # (crate id, file, start, end) packed
    seen: set[str] = set()
    for candidate in candidates:
        item = candidate.view.item
        if item.item_id in seen or _inside(spans, item.crate_id, item.file, item.raw.line_start):
            continue
        seen.add(item.item_id)
        lines = reader.span(
            candidate.view.crate_root, item.file, item.raw.line_start, item.raw.line_end
        )
        room = budget - used
        # WordPiece gives every whitespace-separated chunk at least one token: a
        # rendering with more chunks than the room left cannot fit and is not tokenized
        # (the tokenizer is most of a pack's time); the rest are counted piece by piece
        forms = [e for e in _renderings(candidate, lines) if _may_fit(markdown(e), room)]
        for entry, cost in zip(forms, counter.costs(forms), strict=True):
            if cost <= room:
                entry.tokens = cost
                pack.entries.append(entry)
                used += cost
                spans.append((item.crate_id, item.file, item.raw.line_start, item.raw.line_end))
                break
        else:
            pack.skipped += 1
    # exact: "\n\n" joins the header and entries, and whitespace carries no tokens
    pack.tokens = used
    return pack


class _PieceCounter:
    """Token counts of entries from their Markdown pieces, each distinct piece counted
    once per pack (renderings of one item share their heading, docs and code)."""

    def __init__(self) -> None:
        self._known: dict[str, int] = {}

    def costs(self, entries: list[Entry]) -> list[int]:
        pieces = [markdown_pieces(e) for e in entries]
        new = list(dict.fromkeys(p for ps in pieces for p in ps if p not in self._known))
        self._known.update(zip(new, count_tokens_many(new), strict=True))
        return [sum(self._known[p] for p in ps) for ps in pieces]


def _may_fit(text: str, room: int) -> bool:
    return len(text.split()) <= room


def _inside(spans: list[tuple[str, str, int, int]], crate_id: str, file: str, line: int) -> bool:
    return any(c == crate_id and f == file and s <= line <= e for c, f, s, e in spans)


def _renderings(candidate: Candidate, lines: list[str]) -> list[Entry]:
    """The entry from richest to leanest."""
    view = candidate.view
    item = view.item
    raw = item.raw

    def entry(docs: str, code: str) -> Entry:
        return Entry(
            item_id=item.item_id,
            kind=item.kind,
            path=item.path,
            use_path=use_path(item.paths, item.path, item.kind),
            crate=view.crate,
            version=view.version,
            crate_root=view.crate_root,
            file=item.file,
            line_start=raw.line_start,
            line_end=raw.line_end,
            signature=raw.signature,
            docs=docs,
            code=code,
            why=candidate.why,
        )

    docs = trim_docs(raw.docs)
    first_paragraph = trim_docs(raw.docs.split("\n\n")[0], 240)
    # modules and impls are containers: their members come as entries of their own
    container = item.kind in ("mod", "impl", "trait")
    forms = []
    if lines and not container:
        forms.append(entry(docs, trim_code(lines, MAX_BODY_LINES)))
        forms.append(entry(first_paragraph, trim_code(lines, SHORT_BODY_LINES)))
    forms.append(entry(first_paragraph, ""))
    forms.append(entry("", ""))
    return forms
