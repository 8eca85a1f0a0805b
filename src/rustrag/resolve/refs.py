"""Turning a reference as written inside an item into the definitions it names."""

from __future__ import annotations

from rustrag.model import RawItem
from rustrag.resolve.canonical import Placement, resolve_type_text
from rustrag.resolve.defs import ALL_NS, Def, LocalItem, Namespace
from rustrag.resolve.scope import Resolver
from rustrag.resolve.typetext import (
    PRIMITIVES,
    generic_param_names,
    qualified_parts,
    split_path,
    strip_generics,
)

_SELF_OWNERS = frozenset({"impl", "trait", "struct", "enum", "union"})


class RefContext:
    """What `Self` and generic parameter names mean for the refs of one item."""

    __slots__ = ("generics", "module", "self_defs")

    def __init__(self, r: Resolver, placement: Placement, slot: int) -> None:
        s = r.slots[slot]
        self.module = s.module
        self.generics: set[str] = set()
        self.self_defs: list[Def] = []
        cur: int | None = slot
        hops = 0
        while cur is not None and hops < 8:
            raw = r.slots[cur].raw
            self.generics |= generic_param_names(raw.generics)
            if raw.kind in _SELF_OWNERS and not self.self_defs:
                self.self_defs = _self_of(r, placement, cur, raw)
            cur = r.slots[cur].parent
            hops += 1


def _self_of(r: Resolver, placement: Placement, slot: int, raw: RawItem) -> list[Def]:
    if raw.kind == "impl":
        return placement.impl_self.get(slot, [])
    d = r.defs[slot]
    return [d] if d is not None else []


def clean_path(path: str) -> str:
    """`Vec::<u8>::new` -> `Vec::new`: turbofish and generic args are not part of the name."""
    text = strip_generics(path).replace(" ", "")
    while "::::" in text:
        text = text.replace("::::", "::")
    return text.rstrip(":")


def resolve_ref(
    r: Resolver,
    placement: Placement,
    ctx: RefContext,
    path: str,
    namespaces: frozenset[Namespace],
) -> list[Def] | None:
    """Definitions a written path names; None when it must produce no edge (T, u8)."""
    qualified = qualified_parts(path)
    if qualified is not None:
        _ty, trait, rest = qualified
        return resolve_ref(r, placement, ctx, f"{trait}::{rest}", namespaces)
    text = clean_path(path)
    if not text:
        return None
    if text.startswith("<") or text.startswith("("):
        inner = text.lstrip("<(").rstrip(">)")
        return resolve_ref(r, placement, ctx, inner, namespaces) if inner != text else None
    segs = split_path(text)
    head = segs[0]
    if head in ctx.generics or (head in PRIMITIVES and len(segs) <= 2):
        return None
    if head == "Self":
        cur = ctx.self_defs
        for i, seg in enumerate(segs[1:]):
            cur = r.step(cur, seg, namespaces if i == len(segs) - 2 else ALL_NS)
        return cur
    found = r.resolve_settled(ctx.module, text, segs, namespaces)
    if not found and len(segs) > 1:
        # `Type::method` where the type is a type alias or assoc lookup failed by namespace
        found = r.resolve_settled(ctx.module, text, segs, ALL_NS)
    return found


def resolve_type_ref(
    r: Resolver, placement: Placement, ctx: RefContext, path: str
) -> list[Def] | None:
    if path.strip() == "Self":
        return ctx.self_defs
    found = resolve_ref(r, placement, ctx, path, frozenset(("type",)))
    if found is None:
        return None
    if not found:
        found = resolve_type_text(r, ctx.module, path)
    return found


def prefer_trait(defs: list[Def]) -> list[Def]:
    """A derive names a trait and a derive macro at once; the edge is to the trait."""
    traits: list[Def] = [d for d in defs if getattr(d, "kind", "") == "trait"]
    if traits:
        return traits
    local: list[Def] = [d for d in defs if isinstance(d, LocalItem)]
    return local or defs[:1]
