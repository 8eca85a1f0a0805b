"""Doc comment text: `///`, `//!`, `/** */`, `/*! */` with markers stripped."""

from __future__ import annotations

from typing import Literal

from tree_sitter import Node

from rustrag.parse.text import decode

DocSide = Literal["outer", "inner"]
COMMENT_TYPES = frozenset({"line_comment", "block_comment"})


def doc_side(data: bytes, comment: Node) -> DocSide | None:
    """Whether a comment node is an outer doc, an inner doc, or an ordinary comment."""
    head = data[comment.start_byte : comment.start_byte + 4]
    if head.startswith(b"//!") or head.startswith(b"/*!"):
        return "inner"
    if head.startswith(b"///"):
        return None if head == b"////" else "outer"
    if head.startswith(b"/**"):
        return None if head in (b"/***", b"/**/") else "outer"
    return None


def comment_doc_lines(data: bytes, comment: Node) -> list[str]:
    """The doc lines of one doc comment, with the `///` or `/** */` markers removed."""
    raw = decode(data[comment.start_byte : comment.end_byte])
    if raw.startswith("//"):
        line = raw[3:].rstrip("\r\n")
        # `/// text` is the convention; the space is part of the marker, as in rustdoc.
        return [line[1:] if line.startswith(" ") else line]
    return _block_lines(raw[3:-2] if raw.endswith("*/") else raw[3:])


def _block_lines(body: str) -> list[str]:
    lines = body.split("\n")
    if lines and not lines[0].strip():
        lines = lines[1:]
    if lines and not lines[-1].strip():
        lines = lines[:-1]
    # ` * text` decoration on every line is layout, as rustdoc treats it.
    stripped = [line.lstrip() for line in lines]
    if lines and all(line.startswith("*") for line in stripped if line):
        lines = [line[1:] for line in stripped]
    return [line.rstrip("\r") for line in lines]


def unindent(lines: list[str]) -> str:
    """Join doc lines, removing the indentation they all share (as rustdoc does)."""
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:].rstrip() for line in lines)
