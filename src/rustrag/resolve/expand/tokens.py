"""Rust source to token trees, the unit `macro_rules!` matches and transcribes.

A lexer, not a parser: identifiers, lifetimes, literals and punctuation, with the
brackets folded into groups. Doc comments become the `#[doc = ".."]` attribute tokens
they stand for (a matcher's `#[$m:meta]` must see them); other comments vanish. Every
token remembers where it was written (`origin`, a byte offset in the source it was read
from, or -1 for text a macro definition supplied), so expanded items can point back at
the source their tokens came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

from rustrag.limits import MAX_TOKEN_TREE_DEPTH

_TOKEN = re.compile(
    rb"""
    (?P<space>\s+)
    | (?P<line>//[^\n]*)
    | (?P<block>/\*)
    | (?P<string>b?r(?P<hashes>\#*)"|b?"(?:\\.|[^"\\])*"|c"(?:\\.|[^"\\])*")
    | (?P<char>b?'(?:\\(?:u\{[0-9a-fA-F_]*\}|x[0-9a-fA-F]{2}|.)|[^'\\\n])')
    | (?P<lifetime>'(?:r\#)?[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)
    | (?P<ident>(?:r\#)?[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)
    | (?P<number>[0-9][0-9A-Za-z_]*(?:\.[0-9][0-9A-Za-z_]*)?(?:[eE][+-][0-9_]+)?)
    | (?P<punct>>>=|<<=|\.\.\.|\.\.=|::|->|=>|==|!=|<=|>=|&&|\|\||\+=|-=|\*=|/=|%=|\^=|&=|\|=
        |<<|>>|\.\.|[!-/:-@\[-^`{-~])
    """,
    re.VERBOSE | re.DOTALL,
)
_OPEN = {b"(": b")", b"[": b"]", b"{": b"}"}
_CLOSE = frozenset(_OPEN.values())


@dataclass(frozen=True, slots=True)
class Token:
    text: bytes
    kind: str  # "ident", "lifetime", "literal", "punct"
    origin: int = -1  # byte offset where it was written; -1 when a macro definition made it


@dataclass(slots=True)
class Group:
    delim: bytes  # b"(", b"[" or b"{"
    trees: list[Tree]
    origin: int = -1  # of the opening bracket
    end: int = -1  # just past the closing bracket


Tree: TypeAlias = Token | Group


class LexError(ValueError):
    """Unbalanced brackets or an unterminated literal: the text is no token stream."""


def lex(data: bytes, base: int = 0, origins: bool = True) -> list[Tree]:
    """The token trees of `data`; origins are `base` + offset (or -1 without `origins`)."""
    stack: list[tuple[Group, list[Tree]]] = []
    out: list[Tree] = []
    at, size = 0, len(data)
    while at < size:
        match = _TOKEN.match(data, at)
        if match is None:
            at += 1  # a stray byte (a NUL, a lone quote) is no token
            continue
        kind = match.lastgroup
        end = match.end()
        if kind == "hashes" or (kind == "string" and match.group("hashes") is not None):
            end = _raw_string_end(data, match)
            kind = "string"
        elif kind == "block":
            end = _block_comment_end(data, at)
        origin = base + at if origins else -1
        text = data[at:end]
        if kind == "space":
            pass
        elif kind == "line":
            if text.startswith(b"///") and not text.startswith(b"////"):
                out.extend(_doc_attribute(text[3:].rstrip(b"\r"), False, origin))
            elif text.startswith(b"//!"):
                out.extend(_doc_attribute(text[3:].rstrip(b"\r"), True, origin))
        elif kind == "block":
            inner = text[3:-2] if text.endswith(b"*/") else text[3:]
            if text.startswith(b"/**") and not text.startswith((b"/***", b"/**/")):
                out.extend(_doc_attribute(inner, False, origin))
            elif text.startswith(b"/*!"):
                out.extend(_doc_attribute(inner, True, origin))
        elif kind == "punct" and text in _OPEN:
            if len(stack) >= MAX_TOKEN_TREE_DEPTH:
                raise LexError(f"brackets nested more than {MAX_TOKEN_TREE_DEPTH} deep")
            group = Group(text, [], origin)
            stack.append((group, out))
            out = group.trees
        elif kind == "punct" and text in _CLOSE:
            if not stack or _OPEN[stack[-1][0].delim] != text:
                raise LexError(f"unbalanced {text!r} at {base + at}")
            group, out = stack.pop()
            group.end = base + end if origins else -1
            out.append(group)
        else:
            token_kind = "literal" if kind in ("string", "char", "number") else str(kind)
            out.append(Token(text, token_kind, origin))
        at = end
    if stack:
        raise LexError("unclosed bracket")
    return out


def _raw_string_end(data: bytes, match: re.Match[bytes]) -> int:
    closing = b'"' + match.group("hashes")
    found = data.find(closing, match.end())
    if found < 0:
        raise LexError("unterminated raw string")
    return found + len(closing)


def _block_comment_end(data: bytes, at: int) -> int:
    depth, at = 1, at + 2
    while at < len(data) and depth:
        if data.startswith(b"/*", at):
            depth, at = depth + 1, at + 2
        elif data.startswith(b"*/", at):
            depth, at = depth - 1, at + 2
        else:
            at += 1
    return at


def _doc_attribute(body: bytes, inner: bool, origin: int) -> list[Tree]:
    """`/// text` -> `#[doc = "text"]` (with `!` after `#` for inner docs)."""
    escaped = body.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
    literal = Token(b'"' + escaped + b'"', "literal", origin)
    inside: list[Tree] = [Token(b"doc", "ident", origin), Token(b"=", "punct", origin), literal]
    head: list[Tree] = [Token(b"#", "punct", origin)]
    if inner:
        head.append(Token(b"!", "punct", origin))
    return [*head, Group(b"[", inside, origin, origin)]
