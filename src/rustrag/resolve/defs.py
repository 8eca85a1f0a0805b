"""What a name can stand for while resolving, and which namespaces it lives in.

Rust keeps three namespaces per module (types, values, macros): `struct Foo;` is both a
type and a value (its constructor), `fn Foo()` only a value. Resolution results are sets
of these `Def`s because one name can stand for several things at once, and because
cfg-alternative definitions give the same name twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

Namespace = Literal["type", "value", "macro"]
ALL_NS: frozenset[Namespace] = frozenset(("type", "value", "macro"))
TYPE_NS: frozenset[Namespace] = frozenset(("type",))
VALUE_NS: frozenset[Namespace] = frozenset(("value",))


@dataclass(frozen=True, slots=True)
class LocalItem:
    """An item of the crate being resolved: `index` is its slot in the crate's item list."""

    index: int
    kind: str
    has_ctor: bool = False  # unit/tuple struct: also a value


@dataclass(frozen=True, slots=True)
class LocalModule:
    """A module of the crate being resolved (the crate root has no `mod` item)."""

    path: str


@dataclass(frozen=True, slots=True)
class ExternItem:
    """An item of an indexed dependency, known through its ExportTable."""

    dep: str  # the dependency's extern name as written in this crate
    path: str  # a public path in the dependency's table ("proc_macro2::Ident")
    item_id: str  # "" for the crate root itself
    kind: str


@dataclass(frozen=True, slots=True)
class Opaque:
    """Something outside every indexed crate (std, an unknown crate): it exists, no id."""

    path: str


Def: TypeAlias = LocalItem | LocalModule | ExternItem | Opaque

_TYPE_KINDS = frozenset(
    {"mod", "struct", "enum", "union", "trait", "type_alias", "extern_crate", "assoc_type"}
)
_VALUE_KINDS = frozenset({"fn", "method", "const", "static", "assoc_const"})


def namespaces_of(d: Def) -> frozenset[Namespace]:
    """The namespaces a binding to `d` occupies."""
    if isinstance(d, LocalModule):
        return TYPE_NS
    if isinstance(d, Opaque):
        return ALL_NS
    kind = d.kind
    if kind == "variant":
        return frozenset(("type", "value"))
    if kind == "struct":
        # An extern struct's shape is unknown here; letting it be a value too means a
        # tuple-struct constructor call into a dependency still resolves.
        if isinstance(d, ExternItem) or d.has_ctor:
            return frozenset(("type", "value"))
        return TYPE_NS
    if kind in _TYPE_KINDS:
        return TYPE_NS
    if kind in _VALUE_KINDS:
        return VALUE_NS
    if kind == "macro_rules":
        return frozenset(("macro",))
    return frozenset()
