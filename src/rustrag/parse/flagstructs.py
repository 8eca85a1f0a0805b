"""Structs declared in the bitflags DSL: `struct Flags: u32 { const A = 1; .. }`.

`bitflags!` (1.x and 2.x) is in nearly every dependency tree, and its body is not Rust
item syntax, so the generic re-parse of a macro's token tree finds nothing useful in it.
The shape is recognised, not the macro's name: `struct Name: Type { .. }` whose block
holds `const NAME = expr;` entries. It expands to the struct plus one `pub const NAME:
Name` associated constant per entry, which is what gets extracted (the constants as
children of the struct).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node, Range, Tree

from rustrag.parse.docs import COMMENT_TYPES, doc_side
from rustrag.parse.grammar import range_parser


@dataclass(slots=True)
class FlagConst:
    name: str
    first: Node  # the `const` token
    last: Node  # the `;` ending the entry (or the entry's last token)
    docs: list[Node] = field(default_factory=list)  # outer doc comments before it


@dataclass(slots=True)
class FlagStruct:
    name: str
    first: Node  # first token of its docs, attributes or visibility
    name_node: Node
    block: Node  # the `{ .. }` token tree holding the constants
    consts: list[FlagConst]

    def header_tree(self, data: bytes) -> Tree:
        """`#[attrs] pub struct Name {}` parsed in place: the `: Type` and the entries are
        left out of the included ranges, so the struct reads as an ordinary one."""
        opener, closer = self.block.children[0], self.block.children[-1]
        ranges = [
            Range(
                self.first.start_point,
                self.name_node.end_point,
                self.first.start_byte,
                self.name_node.end_byte,
            ),
            Range(opener.start_point, opener.end_point, opener.start_byte, opener.end_byte),
            Range(closer.start_point, closer.end_point, closer.start_byte, closer.end_byte),
        ]
        return range_parser(ranges).parse(data)


def find_flag_structs(data: bytes, token_tree: Node) -> list[FlagStruct]:
    """The bitflags-style struct declarations among a macro token tree's tokens."""
    tokens = token_tree.children[1:-1]
    found: list[FlagStruct] = []
    start: int | None = None  # first token of the declaration's docs, attributes, `pub`
    at = 0
    while at < len(tokens):
        token = tokens[at]
        kind = token.type
        if kind == "struct":
            parsed = _declaration(data, tokens, at, at if start is None else start)
            if parsed is not None:
                found.append(parsed[0])
                at = parsed[1]
            start = None
        elif kind in ("#", "pub", "token_tree") or (
            kind in COMMENT_TYPES and doc_side(data, token) == "outer"
        ):
            start = at if start is None else start
        else:
            start = None
        at += 1
    return found


def _declaration(
    data: bytes, tokens: list[Node], at: int, start: int
) -> tuple[FlagStruct, int] | None:
    """The declaration whose `struct` token is tokens[at], and the index of its block."""
    if at + 3 >= len(tokens) or tokens[at + 1].type != "identifier":
        return None
    if tokens[at + 2].type != ":":
        return None
    for end in range(at + 3, len(tokens)):
        block = tokens[end]
        if block.type == "token_tree" and block.children and block.children[0].type == "{":
            consts = _entries(data, block)
            if not consts:
                return None
            name = tokens[at + 1]
            return FlagStruct(_text(name), tokens[start], name, block, consts), end
    return None


def _entries(data: bytes, block: Node) -> list[FlagConst]:
    inner = block.children[1:-1]
    entries: list[FlagConst] = []
    docs: list[Node] = []
    current: FlagConst | None = None
    for at, token in enumerate(inner):
        kind = token.type
        if current is None:
            if kind in COMMENT_TYPES and doc_side(data, token) == "outer":
                docs.append(token)
            elif kind == "const" and at + 2 < len(inner) and inner[at + 1].type == "identifier":
                current = FlagConst(_text(inner[at + 1]), token, token, docs)
                docs = []
            elif kind not in ("#", "token_tree") and kind not in COMMENT_TYPES:
                return []  # something other than `const NAME = expr;`: not the DSL
            continue
        current.last = token
        if kind == ";":
            entries.append(current)
            current = None
    if current is not None:
        entries.append(current)  # the last entry may omit its `;`
    return entries


def _text(node: Node) -> str:
    return node.text.decode("utf-8", errors="replace") if node.text else ""
