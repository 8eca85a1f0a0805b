"""Canonical paths and item ids, and what each impl block is an impl of and for."""

from __future__ import annotations

from dataclasses import dataclass, field

from rustrag.model import UseEntry
from rustrag.resolve.defs import TYPE_NS, Def, LocalItem
from rustrag.resolve.scope import Resolver
from rustrag.resolve.typetext import PRIMITIVES, as_type_path, split_path, squash, strip_generics

TYPE_DEF_KINDS = frozenset({"struct", "enum", "union", "trait", "type_alias"})
_MEMBER_PARENTS = frozenset({"trait", "struct", "union", "enum", "variant"})


@dataclass(slots=True)
class Placement:
    paths: list[str]  # canonical path per slot
    ids: list[str]  # item id per slot
    impl_self: dict[int, list[Def]] = field(default_factory=dict)  # impl slot -> self type
    impl_trait: dict[int, list[Def]] = field(default_factory=dict)  # impl slot -> trait


def resolve_type_text(r: Resolver, module: str, text: str) -> list[Def]:
    """What a type as written (`&'a Foo<T>`, `crate::a::Bar`) names in `module`."""
    path = as_type_path(text)
    if path is None:
        return []
    segs = split_path(path)
    if len(segs) == 1 and segs[0] in PRIMITIVES:
        return []
    return r.resolve_settled(module, path, segs, TYPE_NS)


def local_type(defs: list[Def]) -> LocalItem | None:
    """The first local type definition among `defs` (cfg alternatives give several)."""
    for d in defs:
        if isinstance(d, LocalItem) and d.kind in TYPE_DEF_KINDS:
            return d
    return None


def place_items(r: Resolver, crate_id: str) -> Placement:
    slots = r.slots
    placement = Placement(paths=[""] * len(slots), ids=[])
    for i, s in enumerate(slots):
        raw = s.raw
        if raw.kind != "impl":
            continue
        placement.impl_self[i] = resolve_type_text(r, s.module, raw.impl_self or "")
        trait = (raw.impl_trait or "").lstrip("!").strip()
        placement.impl_trait[i] = resolve_type_text(r, s.module, trait) if trait else []
    _index_assoc(r, placement)
    done = [False] * len(slots)
    for i in range(len(slots)):
        _path_of(r, placement, done, i)
    counts: dict[str, int] = {}
    for i, s in enumerate(slots):
        base = f"{crate_id}|{placement.paths[i]}|{s.raw.kind}"
        n = counts.get(base, 0) + 1
        counts[base] = n
        placement.ids.append(base if n == 1 else f"{base}#{n}")
    return placement


def _index_assoc(r: Resolver, placement: Placement) -> None:
    """Let `Type::name` paths find methods and assoc items through impls and traits."""
    for i, s in enumerate(r.slots):
        if s.raw.kind == "trait":
            table = r.assoc.setdefault(i, {})
            for c in r.children.get(i, []):
                table.setdefault(r.slots[c].raw.name, []).append(c)
    trait_items: list[tuple[int, int]] = []
    for impl, selfs in placement.impl_self.items():
        owner = local_type(selfs)
        if owner is None:
            continue
        table = r.assoc.setdefault(owner.index, {})
        for c in r.children.get(impl, []):
            table.setdefault(r.slots[c].raw.name, []).append(c)
        trait = local_type(placement.impl_trait.get(impl, []))
        if trait is not None and trait.kind == "trait":
            trait_items.append((owner.index, trait.index))
    for owner_index, trait_index in trait_items:  # provided methods: `Type::default_fn()`
        table = r.assoc[owner_index]
        for name, members in r.assoc.get(trait_index, {}).items():
            if name not in table:
                table[name] = list(members)


def path_of(r: Resolver, placement: Placement, done: list[bool], i: int) -> str:
    """The canonical path of slot `i`, computing those of its parents not `done` yet."""
    return _path_of(r, placement, done, i)


def _path_of(r: Resolver, placement: Placement, done: list[bool], i: int) -> str:
    if done[i]:
        return placement.paths[i]
    done[i] = True  # set first: a malformed parent cycle then ends instead of recursing
    s = r.slots[i]
    raw = s.raw
    parent = s.parent
    if raw.kind == "impl":
        self_text = squash(raw.impl_self or "")
        trait_text = squash(raw.impl_trait or "")
        label = f"<impl {trait_text} for {self_text}>" if trait_text else f"<impl {self_text}>"
        path = f"{s.module}::{label}"
    elif raw.kind == "macro_rules" and raw.attrs.macro_export:
        path = f"{s.crate_root}::{raw.name}"
    elif s.module_level or parent is None:
        path = f"{s.module}::{_bound_name(raw.kind, raw.name, raw.uses)}"
    else:
        parent_kind = r.slots[parent].raw.kind
        if parent_kind == "impl":
            path = f"{_impl_base(r, placement, done, parent)}::{raw.name}"
        elif parent_kind in _MEMBER_PARENTS:
            path = f"{_path_of(r, placement, done, parent)}::{raw.name}"
        else:  # an item inside a fn body lives in the fn's module, unnamed by paths
            path = f"{s.module}::{raw.name}"
    placement.paths[i] = path
    return path


def _impl_base(r: Resolver, placement: Placement, done: list[bool], impl: int) -> str:
    owner = local_type(placement.impl_self.get(impl, []))
    if owner is not None:
        return _path_of(r, placement, done, owner.index)
    s = r.slots[impl]
    return f"{s.module}::{squash(strip_generics(s.raw.impl_self or ''))}"


def _bound_name(kind: str, name: str, entries: list[UseEntry]) -> str:
    if kind == "use" and entries:
        first = entries[0]
        if first.glob:
            return "::".join([*first.path, "*"])
        return first.name
    if kind == "extern_crate" and entries and entries[0].alias:
        return entries[0].alias
    return name
