"""Expanded token trees to source text, remembering where each token was written.

Tokens that came from the invocation start a new output line whenever the line they were
written on changes, so a line of the output maps to one line of the file (references
found by parse then carry real line numbers).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from rustrag.resolve.expand.tokens import Group, Token, Tree

_CLOSE = {b"(": b")", b"[": b"]", b"{": b"}"}
# Spacing close to how people write Rust, so signatures read as in source: `fn x(&self)`,
# `Vec<T>`, `a::b`. Tokens never merge wrongly: `->`, `::` and `=>` are single tokens.
_NO_SPACE_AFTER = frozenset({b"(", b"[", b"&", b"#", b"::", b".", b"$", b"<", b"!", b"'"})
_NO_SPACE_BEFORE = frozenset({b")", b"]", b",", b";", b":", b"::", b".", b"?", b">"})
_TIGHT_AFTER_WORD = frozenset({b"(", b"[", b"<", b"!"})


class TooLarge(Exception):
    """The rendered text would pass its byte bound."""


@dataclass(slots=True)
class Rendered:
    data: bytes
    offsets: list[int] = field(default_factory=list)  # output offset of each sourced token
    starts: list[int] = field(default_factory=list)  # its file offset
    ends: list[int] = field(default_factory=list)  # just past it in the file
    line_origin: list[int] = field(default_factory=list)  # output line -> file line, 0 = none
    origin_at: dict[int, int] = field(default_factory=dict)  # output offset -> file offset

    def source_span(self, start: int, end: int) -> tuple[int, int] | None:
        """The file bytes the sourced tokens of output bytes [start, end) came from."""
        first, last = bisect_left(self.offsets, start), bisect_left(self.offsets, end)
        if first >= last:
            return None
        return min(self.starts[first:last]), max(self.ends[first:last])

    def file_line(self, output_line: int) -> int:
        """The file line of a 1-based output line; 0 when only template tokens are on it."""
        index = output_line - 1
        return self.line_origin[index] if 0 <= index < len(self.line_origin) else 0


def render(trees: list[Tree], line_of: Callable[[int], int], max_bytes: int) -> Rendered:
    out = bytearray()
    result = Rendered(b"", line_origin=[0])
    previous = b"\n"

    def put(text: bytes, origin: int, end: int) -> None:
        nonlocal previous
        spaced = _spaced(previous, text)
        previous = text
        line = line_of(origin) if origin >= 0 else 0
        if spaced and line and line != result.line_origin[-1]:
            out.extend(b"\n")  # a line break only where a space goes: `From<\nX>` would
            result.line_origin.append(line)  # read as `From< X>` once squashed
        elif spaced:
            out.extend(b" ")
        if origin >= 0:
            result.offsets.append(len(out))
            result.starts.append(origin)
            result.ends.append(end)
            result.origin_at[len(out)] = origin
        out.extend(text)
        if len(out) > max_bytes:
            raise TooLarge

    def walk(items: list[Tree]) -> None:
        for tree in items:
            if isinstance(tree, Token):
                put(tree.text, tree.origin, tree.origin + len(tree.text))
            else:
                put(tree.delim, tree.origin, tree.origin + 1)
                walk(tree.trees)
                close = tree.end - 1 if tree.end > 0 else -1
                put(_CLOSE[tree.delim], close, close + 1)

    walk(trees)
    result.data = bytes(out)
    return result


def _spaced(previous: bytes, text: bytes) -> bool:
    if previous == b"\n" or previous in _NO_SPACE_AFTER or text in _NO_SPACE_BEFORE:
        return False
    word = previous[-1:].isalnum() or previous[-1:] in (b"_", b")", b"]", b">")
    return not (word and text in _TIGHT_AFTER_WORD)


def remap_origins(trees: list[Tree], origin_at: dict[int, int]) -> list[Tree]:
    """Trees lexed from rendered text, with origins turned back into file offsets."""
    out: list[Tree] = []
    for tree in trees:
        if isinstance(tree, Token):
            out.append(Token(tree.text, tree.kind, origin_at.get(tree.origin, -1)))
        else:
            close = origin_at.get(tree.end - 1, -2) + 1
            inner = remap_origins(tree.trees, origin_at)
            out.append(Group(tree.delim, inner, origin_at.get(tree.origin, -1), close))
    return out
