"""Find the token trees of macro invocations and macro_rules bodies in a Rust file.

A small lexer, not a parser: it only has to know comments, string/char literals and
lifetimes well enough that brackets inside them are not counted, and that `name!` followed
by a bracket opens an invocation. rustdoc reports where an item came from, not whether a
macro made it; these regions are what lets `classify` tell the two apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

RegionKind = Literal["invocation", "macro_rules"]

# `if !(x)` and `return !y` must not read as invocations of `if!`/`return!`.
KEYWORDS = frozenset(
    (
        "as",
        "async",
        "await",
        "break",
        "const",
        "continue",
        "crate",
        "dyn",
        "else",
        "enum",
        "extern",
        "false",
        "fn",
        "for",
        "if",
        "impl",
        "in",
        "let",
        "loop",
        "match",
        "mod",
        "move",
        "mut",
        "pub",
        "ref",
        "return",
        "self",
        "Self",
        "static",
        "struct",
        "super",
        "trait",
        "true",
        "type",
        "union",
        "unsafe",
        "use",
        "where",
        "while",
        "yield",
    )
)
INVOCATION_HEAD = re.compile(r"(?:\$?\w+::)*\w+!\s*[(\[{]")
CLOSERS = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True, slots=True)
class Region:
    kind: RegionKind
    macro: str  # invoked macro, or the name macro_rules defines
    start: int  # offset of the opening bracket
    end: int  # offset just past the closing bracket


class MacroRegions:
    """The regions of one file, queried by 1-based (line, column) as rustdoc reports them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0]
        for pos, char in enumerate(text):
            if char == "\n":
                self.line_starts.append(pos + 1)
        self.regions = scan(text)

    def offset(self, line: int, column: int) -> int:
        if line < 1 or line > len(self.line_starts):
            return len(self.text)
        return min(self.line_starts[line - 1] + max(column - 1, 0), len(self.text))

    def containing(self, line: int, column: int, kind: RegionKind) -> Region | None:
        """The innermost region of `kind` strictly inside whose brackets the point lies."""
        pos = self.offset(line, column)
        best: Region | None = None
        for region in self.regions:
            if (
                region.kind == kind
                and region.start < pos < region.end - 1
                and (best is None or region.start > best.start)
            ):
                best = region
        return best

    def starts_invocation(self, line: int, column: int) -> bool:
        """Whether the text at the point is `path::name!(`: the span is an invocation site."""
        return INVOCATION_HEAD.match(self.text, self.offset(line, column)) is not None

    def line_text(self, line: int) -> str:
        if line < 1 or line > len(self.line_starts):
            return ""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end]

    def span_text(self, begin: tuple[int, int], end: tuple[int, int]) -> str:
        return self.text[self.offset(*begin) : self.offset(*end)]


def _skip_block_comment(text: str, i: int) -> int:
    depth, i = 1, i + 2
    while i < len(text) and depth:
        if text.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif text.startswith("*/", i):
            depth, i = depth - 1, i + 2
        else:
            i += 1
    return i


def _skip_string(text: str, i: int) -> int:
    """`i` at the opening quote; returns the offset past the closing one."""
    i += 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return i


def _skip_raw_string(text: str, i: int) -> int | None:
    """`i` just after the `r`; None when this is not a raw string after all."""
    hashes = 0
    while i + hashes < len(text) and text[i + hashes] == "#":
        hashes += 1
    if i + hashes >= len(text) or text[i + hashes] != '"':
        return None
    close = text.find('"' + "#" * hashes, i + hashes + 1)
    return len(text) if close < 0 else close + 1 + hashes


def _skip_quote(text: str, i: int) -> int:
    """A char literal or a lifetime starting at `'`."""
    if text.startswith("\\", i + 1):
        close = text.find("'", i + 2)
        return len(text) if close < 0 else close + 1
    if i + 2 < len(text) and text[i + 2] == "'":
        return i + 3
    i += 1  # a lifetime or label: `'a`, `'static`
    while i < len(text) and (text[i].isalnum() or text[i] == "_"):
        i += 1
    return i


def _ident_end(text: str, i: int) -> int:
    while i < len(text) and (text[i].isalnum() or text[i] == "_"):
        i += 1
    return i


def scan(text: str) -> list[Region]:
    regions: list[Region] = []
    # Each open bracket: (closer, region kind or None, macro name, start offset).
    stack: list[tuple[str, RegionKind | None, str, int]] = []
    last: tuple[str, str, int] = ("", "", -1)  # (token class, value, end offset)
    pending: tuple[RegionKind, str] | None = None  # a bracket here opens this region
    rules_wants_name = False
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if text.startswith("//", i):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if text.startswith("/*", i):
            i = _skip_block_comment(text, i)
            continue
        if char.isalpha() or char == "_" or (ord(char) > 127 and char.isidentifier()):
            end = _ident_end(text, i)
            word = text[i:end]
            if word in ("r", "br", "cr") and end < n and text[end] in '#"':
                raw_end = _skip_raw_string(text, end)
                if raw_end is not None:
                    i, last, pending = raw_end, ("lit", "", raw_end), None
                    continue
            if word in ("b", "c") and end < n and text[end] == '"':
                i = _skip_string(text, end)
                last, pending = ("lit", "", i), None
                continue
            if word == "b" and end < n and text[end] == "'":
                i = _skip_quote(text, end)
                last, pending = ("lit", "", i), None
                continue
            if rules_wants_name:
                pending, rules_wants_name = ("macro_rules", word), False
            else:
                pending = None
            last, i = ("ident", word, end), end
            continue
        if char == '"':
            i = _skip_string(text, i)
            last, pending = ("lit", "", i), None
            continue
        if char == "'":
            i = _skip_quote(text, i)
            last, pending = ("lit", "", i), None
            continue
        if char == "!" and not text.startswith("!=", i):
            kind, word, end = last
            if kind == "ident" and end == i and word not in KEYWORDS:
                if word == "macro_rules":
                    rules_wants_name, pending = True, None
                else:
                    pending = ("invocation", word)
                last, i = ("punct", "!", i + 1), i + 1
                continue
        if char in CLOSERS:
            region_kind, name = pending if pending else (None, "")
            stack.append((CLOSERS[char], region_kind, name, i))
        elif char in ")]}" and stack:
            _closer, region_kind, name, start = stack.pop()
            if region_kind is not None:
                regions.append(Region(region_kind, name, start, i + 1))
        pending, rules_wants_name = None, False
        last = ("punct", char, i + 1)
        i += 1
    regions.sort(key=lambda r: r.start)
    return regions
