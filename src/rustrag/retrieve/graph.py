"""Graph expansion: from the top hits, what a coder needs next.

- an impl block → the trait it implements and the type it is for;
- a type → its methods (inherent and trait), best matching the query first;
- a trait → its members (required and provided methods, associated items);
- a fn or method → the types of its parameters and return value, and its owner type;
- a field → its type and its owner; a type's fields named in the query → their types;
- an outdated name (only an older indexed version has it) → its replacement in the
  current version, from `rustrag.apidiff` (renamed, moved, removed, with evidence).

Members and owners come from the sorted ids (`catalog`), with no store round trip;
only edges (impl targets, types used) are read from the store, once per item and
searcher (`EdgeCache`): a warm server pays each item's edges once, and the edges of all
the hits a query expands come in one store round trip (`EdgeCache.prefetch`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rustrag.api import NotFound, Workspace
from rustrag.model import Edge
from rustrag.retrieve.catalog import IdCatalog, split_id
from rustrag.retrieve.query import QueryAnalysis

TYPE_KINDS = frozenset({"struct", "enum", "union", "type_alias"})
OWNER_KINDS = frozenset({"struct", "enum", "union", "type_alias", "trait"})
MAX_PER_HIT = 4  # neighbours added per expanded hit
EXPANDED_HITS = 3  # only the best hits are expanded: deeper ones rarely pay
EDGE_CACHE_MAX = 8192
IMPL_EDGES = ("impl_of", "impl_for")
FN_EDGES = ("uses_type",)


def edge_kinds(kind: str) -> tuple[str, ...] | None:
    """The edge kinds `neighbours` follows from an item of `kind` (None: no edges)."""
    if kind == "impl":
        return IMPL_EDGES
    if kind in ("fn", "method", "field"):
        return FN_EDGES
    return None


@dataclass(slots=True)
class Neighbour:
    item_id: str
    via: str  # how it relates to the hit it came from


@dataclass(slots=True)
class Replacement:
    item_id: str
    query: str
    note: str  # "renamed: clap::App → clap::Command (App was renamed in 4.0)"


class EdgeCache:
    """Edge targets by (item id, edge kinds), for the life of one snapshot."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = {}

    def _put(self, key: tuple[str, tuple[str, ...]], edges: list[Edge]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = [(e.kind, e.dst) for e in edges if e.dst]
        if len(self._found) >= EDGE_CACHE_MAX:
            self._found.clear()  # crude, but a full cache means a long-lived server
        self._found[key] = found
        return found

    def prefetch(self, ws: Workspace, item_ids: Sequence[str]) -> None:
        """Read the edges `neighbours` will follow from each of `item_ids` that the cache
        lacks, in one store query."""
        keys = []
        for item_id in dict.fromkeys(item_ids):
            kinds = edge_kinds(split_id(item_id).kind)
            if kinds is not None and (item_id, kinds) not in self._found:
                keys.append((item_id, kinds))
        if not keys:
            return
        every = sorted({k for _, kinds in keys for k in kinds})
        edges = ws.store.edges_from_many([item_id for item_id, _ in keys], kinds=every)
        for item_id, kinds in keys:
            # the store's order is by kind first, so filtering keeps `edges_from`'s order
            self._put((item_id, kinds), [e for e in edges[item_id] if e.kind in kinds])

    def targets(self, ws: Workspace, item_id: str, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
        """(edge kind, target id) of resolved edges from `item_id`."""
        key = (item_id, kinds)
        found = self._found.get(key)
        if found is None:
            found = self._put(key, ws.store.edges_from(item_id, kinds=kinds))
        return found


def neighbours(
    ws: Workspace,
    catalog: IdCatalog,
    edges: EdgeCache,
    item_id: str,
    wanted: Callable[[str], int],
) -> list[Neighbour]:
    """Items one step from `item_id` worth showing with it. `wanted(name)` ranks candidate
    members by how well they match the query (lower is better)."""
    item = split_id(item_id)
    found: list[Neighbour] = []
    if item.kind == "impl":
        for kind, dst in edges.targets(ws, item_id, IMPL_EDGES):
            role = "trait" if kind == "impl_of" else "type"
            found.append(Neighbour(dst, f"{role} of impl {item.path}"))
    elif item.kind in TYPE_KINDS:
        methods = catalog.members(item.crate_id, item.path, ("method",))
        methods.sort(key=lambda m: wanted(split_id(m).name))
        named = [m for m in methods if not wanted(split_id(m).name)]
        found.extend(Neighbour(m, f"method of {item.name}") for m in named)
        # a field the query names: its type is what the coder needs next
        for field in catalog.members(item.crate_id, item.path, ("field",)):
            if not wanted(split_id(field).name):
                found.extend(_types_used(ws, edges, field, item_id))
        found.extend(Neighbour(m, f"method of {item.name}") for m in methods[:MAX_PER_HIT])
    elif item.kind == "trait":
        members = catalog.members(item.crate_id, item.path, None)
        members.sort(key=lambda m: wanted(split_id(m).name))
        found.extend(Neighbour(m, f"member of trait {item.name}") for m in members)
    elif item.kind in ("fn", "method", "field"):
        found.extend(_types_used(ws, edges, item_id, item_id))
        if item.kind != "fn":
            for owner in catalog.at_path(item.crate_id, item.parent_path, OWNER_KINDS):
                found.append(Neighbour(owner, f"owner of {item.name}"))
    unique = {n.item_id: n for n in reversed(found)}  # first occurrence wins
    return sorted(unique.values(), key=found.index)[:MAX_PER_HIT]


def _types_used(ws: Workspace, edges: EdgeCache, item_id: str, hit_id: str) -> list[Neighbour]:
    """The resolved types `item_id` (a fn, method or field) mentions, but not `hit_id`."""
    name = split_id(item_id).name
    return [
        Neighbour(dst, f"type used by {name}")
        for _, dst in edges.targets(ws, item_id, FN_EDGES)
        if dst != hit_id
    ]


def replacements(
    ws: Workspace,
    query: QueryAnalysis,
    current: dict[str, str],
    named_in: Mapping[str, frozenset[str]] | None = None,
) -> list[Replacement]:
    """For names in the query that the current versions lack but another indexed version
    has: the current item to use instead. `current` maps crate name → current crate id;
    only crates indexed at several versions can have such names. `named_in` maps a name
    to every crate id the store found it in, when the search already looked it up: the
    crates without it are skipped (each costs a store lookup per version otherwise)."""
    try:
        from rustrag.apidiff.outdated import lookup_current
    except ImportError:  # rustrag.apidiff is optional to retrieval
        return []
    crates = ws.crates()
    versions: dict[str, int] = {}
    externs: dict[str, str] = {}
    for stored in crates.values():
        versions[stored.crate.name] = versions.get(stored.crate.name, 0) + 1
        externs[stored.crate.extern_name] = stored.crate.name
    multi = sorted(name for name, count in versions.items() if count > 1)
    found: list[Replacement] = []
    for written in query.exact[:4]:
        named = externs.get(written.split("::")[0])
        known = (named_in or {}).get(written)
        having = None if known is None else {crates[c].crate.name for c in known if c in crates}
        for crate_name in [named] if named in multi else multi:
            if having is not None and crate_name not in having:
                continue
            try:
                resolution = lookup_current(ws, written, crate=current[crate_name], named_in=known)
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
