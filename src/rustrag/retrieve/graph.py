"""Graph expansion: from the top hits, what a coder needs next.

- an impl block → the trait it implements and the type it is for;
- a type → its methods (inherent and trait), best matching the query first;
- a trait → its required and provided methods;
- a fn or method → the types of its parameters and return value, and its owner type;
- an outdated name (only an older indexed version has it) → its replacement in the
  current version, from `rustrag.apidiff` (renamed, moved, removed, with evidence).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rustrag.api import NotFound, Workspace
from rustrag.model import Item
from rustrag.retrieve.query import QueryAnalysis

TYPE_KINDS = frozenset({"struct", "enum", "union", "type_alias"})
MAX_PER_HIT = 4  # neighbours added per expanded hit
EXPANDED_HITS = 3  # only the best hits are expanded: deeper ones rarely pay


@dataclass(slots=True)
class Neighbour:
    item_id: str
    via: str  # how it relates to the hit it came from


@dataclass(slots=True)
class Replacement:
    item_id: str
    query: str
    note: str  # "renamed: clap::App → clap::Command (App was renamed in 4.0)"


def neighbours(ws: Workspace, item: Item, wanted: Callable[[str], int]) -> list[Neighbour]:
    """Items one step from `item` worth showing with it. `wanted(name)` ranks candidate
    members by how well they match the query (lower is better)."""
    store = ws.store
    found: list[Neighbour] = []
    if item.kind == "impl":
        for edge in store.edges_from(item.item_id, kinds=("impl_of", "impl_for")):
            if edge.dst:
                role = "trait" if edge.kind == "impl_of" else "type"
                found.append(Neighbour(edge.dst, f"{role} of impl {item.path}"))
    elif item.kind in TYPE_KINDS:
        methods = sorted(store.methods_of(item.item_id), key=lambda m: wanted(m.method.name))
        for method in methods[:MAX_PER_HIT]:
            via = f"method of {item.name}" + (f" (impl {method.trait})" if method.trait else "")
            found.append(Neighbour(method.method.item_id, via))
    elif item.kind == "trait":
        members = sorted(store.children(item.item_id), key=lambda c: wanted(c.name))
        found.extend(Neighbour(c.item_id, f"member of trait {item.name}") for c in members)
    elif item.kind in ("fn", "method"):
        for edge in store.edges_from(item.item_id, kinds=("uses_type",)):
            if edge.dst and edge.dst != item.item_id:
                found.append(Neighbour(edge.dst, f"type used by {item.name}"))
        if item.kind == "method" and item.parent_id:
            for edge in store.edges_from(item.parent_id, kinds=("impl_for",)):
                if edge.dst:
                    found.append(Neighbour(edge.dst, f"owner of {item.name}"))
    unique = {n.item_id: n for n in reversed(found)}  # first occurrence wins
    return sorted(unique.values(), key=found.index)[:MAX_PER_HIT]


def replacements(ws: Workspace, query: QueryAnalysis, current: dict[str, str]) -> list[Replacement]:
    """For names in the query that the current versions lack but another indexed version
    has: the current item to use instead. `current` maps crate name → current crate id;
    only crates indexed at several versions can have such names."""
    try:
        from rustrag.apidiff.outdated import lookup_current
    except ImportError:  # rustrag.apidiff is optional to retrieval
        return []
    versions: dict[str, int] = {}
    externs: dict[str, str] = {}
    for stored in ws.crates().values():
        versions[stored.crate.name] = versions.get(stored.crate.name, 0) + 1
        externs[stored.crate.extern_name] = stored.crate.name
    multi = sorted(name for name, count in versions.items() if count > 1)
    found: list[Replacement] = []
    for written in query.exact[:4]:
        named = externs.get(written.split("::")[0])
        for crate_name in [named] if named in multi else multi:
            try:
                resolution = lookup_current(ws, written, crate=current[crate_name])
            except NotFound:
                continue
            stale = resolution.stale
            if stale is None or resolution.item is None:
                continue
            note = f"{stale.status}: {stale.stale.item.path} ({stale.stale.label})"
            note += f" -> {resolution.item.item.path} ({resolution.item.label})"
            if stale.evidence:
                note += f"; {stale.evidence}"
            found.append(Replacement(resolution.item.item.item_id, written, note))
    return found
