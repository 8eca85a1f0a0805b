"""Reading the items written inside a macro invocation (`cfg_rt! { pub mod runtime; }`).

The token tree is parsed again as a source file, limited to its own byte range with
tree-sitter's included ranges, so every node keeps the offsets and line numbers of the
real file and no mapping is needed.
"""

from __future__ import annotations

import re

from tree_sitter import Node, Range, Tree

from rustrag.model import MacroCall
from rustrag.parse.grammar import range_parser

# Token trees at one depth never overlap and each lies inside its parent, so the bytes
# re-parsed for one file are at most MAX_DEPTH times its size: the depth bound is also
# the size bound.
MAX_DEPTH = 8

_OPENERS = frozenset({"(", "[", "{"})
_CLOSERS = frozenset({")", "]", "}"})
# A token tree without any item keyword cannot hold items: skip the parse.
_ITEM_WORD = re.compile(
    rb"\b(?:fn|struct|enum|union|trait|impl|mod|const|static|type|use|extern|macro_rules)\b"
)


def _delimiters(invocation: Node) -> tuple[Node, Node] | None:
    """The opening and closing delimiter of an invocation's (last) token tree."""
    token_tree = None
    for child in invocation.children:
        if child.type == "token_tree":
            token_tree = child
    if token_tree is None or token_tree.child_count < 2:
        return None
    opener, closer = token_tree.children[0], token_tree.children[-1]
    if opener.type not in _OPENERS or closer.type not in _CLOSERS:
        return None
    return opener, closer


def reparse_token_tree(data: bytes, invocation: Node, depth: int) -> Tree | None:
    """The token tree of `invocation` parsed as items, or None when it cannot hold any."""
    if depth >= MAX_DEPTH:
        return None
    delimiters = _delimiters(invocation)
    if delimiters is None:
        return None
    opener, closer = delimiters
    start, end = opener.end_byte, closer.start_byte
    if end <= start or not _ITEM_WORD.search(data, start, end):
        return None
    inside = Range(opener.end_point, closer.start_point, start, end)
    return range_parser([inside]).parse(data)


def rules_text(data: bytes, definition: Node) -> str | None:
    """The text inside a `macro_rules! name { .. }` definition's outer delimiters."""
    children = definition.children
    opener = next((c for c in children if c.type in _OPENERS), None)
    closer = next((c for c in reversed(children) if c.type in _CLOSERS), None)
    if opener is None or closer is None or closer.start_byte <= opener.end_byte:
        return None
    return data[opener.end_byte : closer.start_byte].decode("utf-8", errors="replace")


def record_call(
    data: bytes, invocation: Node, name: str, parent: int | None, container: str, cfg: str | None
) -> MacroCall | None:
    """The invocation as resolve's expander needs it; None without a delimited body."""
    delimiters = _delimiters(invocation)
    if delimiters is None:
        return None
    opener, closer = delimiters
    start, end = opener.end_byte, max(opener.end_byte, closer.start_byte)
    return MacroCall(
        name=name,
        tokens=data[start:end].decode("utf-8", errors="replace"),
        parent=parent,
        container=container,
        cfg=cfg,
        line_start=invocation.start_point[0] + 1,
        line_end=invocation.end_point[0] + 1,
        byte_start=invocation.start_byte,
        byte_end=invocation.end_byte,
        tokens_byte=start,
        tokens_line=opener.end_point[0] + 1,
    )
