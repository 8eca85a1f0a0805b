"""One context entry as Markdown: what to write, where it is, what it says, its code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rustrag.retrieve.source import code_lines

MAX_DOC_CHARS = 700
MAX_BODY_LINES = 40
SHORT_BODY_LINES = 12


@dataclass(slots=True)
class Entry:
    item_id: str
    kind: str
    path: str
    use_path: str
    crate: str
    version: str
    crate_root: str
    file: str
    line_start: int
    line_end: int
    signature: str
    docs: str
    code: str  # trimmed source (signature and body), "" when only the signature fits
    why: str  # how it relates to the question: "search", "method of Command", ...
    tokens: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "kind": self.kind,
            "path": self.path,
            "use_path": self.use_path,
            "crate": self.crate,
            "version": self.version,
            "crate_root": self.crate_root,
            "file": self.file,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "signature": self.signature,
            "docs": self.docs,
            "code": self.code,
            "why": self.why,
            "tokens": self.tokens,
        }


def trim_docs(docs: str, limit: int = MAX_DOC_CHARS) -> str:
    """The first paragraphs of the docs, up to `limit` characters, examples left out
    (the signature and code say the same more exactly)."""
    text = docs.split("```")[0].strip()
    if len(text) <= limit:
        return text
    cut = text.rfind("\n\n", 0, limit)
    return text[: cut if cut > limit // 3 else limit].rstrip() + " …"


def trim_code(lines: list[str], max_lines: int) -> str:
    code = code_lines(lines)
    if len(code) > max_lines:
        omitted = len(code) - max_lines + 1
        code = [*code[: max_lines - 1], f"    // … {omitted} more lines"]
    return "\n".join(code)


def markdown(entry: Entry) -> str:
    return "\n".join(markdown_pieces(entry))


def markdown_pieces(entry: Entry) -> list[str]:
    """The entry's Markdown in pieces that only whitespace separates once joined: the
    WordPiece count of the whole is the sum of the pieces' counts (no token spans
    whitespace), so a piece shared by several renderings is counted once."""
    where = f"{entry.file}:{entry.line_start}-{entry.line_end}"
    pieces = [
        f"### {entry.kind} `{entry.path}` — {entry.crate}@{entry.version}",
        f"use: `{entry.use_path}` · {where} · {entry.why}",
    ]
    if entry.docs:
        pieces.append(entry.docs)
    body = entry.code or entry.signature
    if body:
        pieces.extend(("```rust", body, "```"))
    return pieces
