"""Resolving a path written in checked code against one crate's public API.

A path either names something public at the locked version (`found`), cannot be judged
from the index (`unknowable`: through a type alias, a re-export of another crate, a
method std provides), or provably names nothing (`missing`, with the first segment that
does not exist and the type it was looked up on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rustrag.check.lookup import TYPE_KINDS, IndexLookup
from rustrag.check.stdnames import COMMON_TRAIT_METHODS
from rustrag.model import Item

Status = Literal["found", "unknowable", "missing"]


@dataclass(slots=True)
class Resolved:
    status: Status
    items: list[Item] = field(default_factory=list)  # definitions first, `use` items last
    owner: Item | None = None  # the type a `Type::member` path was found (or missed) on
    missing_at: int = 0  # index of the first segment that names nothing

    @property
    def definitions(self) -> list[Item]:
        return [i for i in self.items if i.kind != "use"]


class PathResolver:
    def __init__(self, lookup: IndexLookup) -> None:
        self.lookup = lookup
        self._cache: dict[tuple[str, tuple[str, ...]], Resolved] = {}

    def resolve(self, crate_id: str, path: tuple[str, ...]) -> Resolved:
        key = (crate_id, path)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._resolve(crate_id, path)
            self._cache[key] = cached
        return cached

    def _resolve(self, crate_id: str, path: tuple[str, ...]) -> Resolved:
        if len(path) == 1:
            return Resolved("found")  # the crate root
        items = self.lookup.items_at(crate_id, "::".join(path))
        if not items and len(path) == 2 and path[1] in self.lookup.macros(crate_id):
            macro = self.lookup.item(self.lookup.macros(crate_id)[path[1]])
            items = [macro] if macro is not None else []
        parent = self.resolve(crate_id, path[:-1])
        owner = _type_of(parent)
        if items:
            return Resolved("found", items, owner)
        if parent.status != "found":
            return parent
        if owner is None:
            if parent.items and all(i.kind == "use" for i in parent.items):
                return Resolved("unknowable")  # a re-export of something not indexed
            if parent.items and not any(i.kind == "mod" for i in parent.items):
                return Resolved("unknowable")  # under a fn, const, ... : not a module path
            return Resolved("missing", missing_at=len(path) - 1)
        return self.member(owner, path[-1], len(path) - 1)

    def member(self, owner: Item, name: str, index: int = 0) -> Resolved:
        """`Type::name`: a method, variant or associated item of `owner`."""
        if owner.kind == "type_alias":
            return Resolved("unknowable", owner=owner)
        members = self.lookup.members(owner)
        found = members.by_name.get(name)
        if found:
            return Resolved("found", list(found), owner)
        if name in COMMON_TRAIT_METHODS or members.open or owner.kind == "trait":
            return Resolved("unknowable", owner=owner)
        return Resolved("missing", owner=owner, missing_at=index)


def _type_of(resolved: Resolved) -> Item | None:
    if resolved.status != "found":
        return None
    types = [i for i in resolved.definitions if i.kind in TYPE_KINDS]
    return types[0] if types else None
