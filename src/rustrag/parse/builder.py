"""Creating `RawItem`s: the parts every kind shares (span, docs, attrs, fingerprint)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tree_sitter import Node

from rustrag.model import ItemKind, RawItem, UseEntry
from rustrag.parse.attrs import read_leading
from rustrag.parse.fingerprint import fingerprint_tokens
from rustrag.parse.text import end_line
from rustrag.parse.typerefs import RefCollector

Container = Literal["file", "mod", "impl", "trait", "extern"]


@dataclass(frozen=True, slots=True)
class Scope:
    """Where items are being read: their parent, what encloses them, which macro."""

    parent: int | None
    container: Container
    macro: str | None = None
    generics: frozenset[str] = frozenset()
    depth: int = 0

    def inside(self, parent: int, container: Container, generics: frozenset[str]) -> Scope:
        return Scope(parent, container, self.macro, generics, self.depth)


@dataclass(slots=True)
class Shape:
    """The kind-specific text of an item, filled in by the kind's reader."""

    kind: ItemKind
    name: str
    signature: str
    visibility: str = ""
    generics: str = ""
    where_clause: str = ""
    impl_trait: str | None = None
    impl_self: str | None = None
    mod_inline: bool = False
    uses: list[UseEntry] = field(default_factory=list)
    supertraits: list[str] = field(default_factory=list)
    is_unsafe: bool = False
    is_async: bool = False
    is_const: bool = False


class ItemBuilder:
    """Appends items to one file's item list."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.items: list[RawItem] = []
        self.too_deep: list[int] = []  # lines where a nesting limit dropped refs or uses

    def add(
        self,
        shape: Shape,
        first: Node,
        last: Node,
        leading: list[Node],
        scope: Scope,
        refs: RefCollector,
    ) -> int:
        """Append one item spanning from its docs/attrs (or `first`) to `last`."""
        start = leading[0] if leading else first
        if refs.cut_line is not None:
            self.too_deep.append(refs.cut_line)
        head = read_leading(self.data, leading)
        for derive in head.attrs.derives:
            refs.add("derive", derive, start)
        byte_start = start.start_byte
        byte_end = last.end_byte
        item = RawItem(
            kind=shape.kind,
            name=shape.name,
            parent=scope.parent,
            visibility=shape.visibility,
            generics=shape.generics,
            where_clause=shape.where_clause,
            signature=shape.signature,
            docs=head.docs,
            attrs=head.attrs,
            line_start=start.start_point[0] + 1,
            line_end=end_line(last),
            byte_start=byte_start,
            byte_end=byte_end,
            fingerprint=fingerprint_tokens(self.data[byte_start:byte_end]),
            in_macro=scope.macro is not None,
            macro_name=scope.macro,
            impl_trait=shape.impl_trait,
            impl_self=shape.impl_self,
            mod_inline=shape.mod_inline,
            uses=shape.uses,
            refs=refs.refs,
            supertraits=shape.supertraits,
            is_unsafe=shape.is_unsafe,
            is_async=shape.is_async,
            is_const=shape.is_const,
        )
        self.items.append(item)
        return len(self.items) - 1
