"""Reads that follow edges: callers and callees, trait implementations, methods."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rustrag.model import Edge
from rustrag.store.cozo_db import CozoDb
from rustrag.store.decode import columns, edge_from_row
from rustrag.store.encode import crate_keyed
from rustrag.store.item_queries import items_by_ids
from rustrag.store.records import ImplOf, MethodOf
from rustrag.store.schema import EDGES

_EDGE_COLUMNS = columns(EDGES)
_METHOD_KINDS = ("method", "fn")


def _kind_filter(kinds: Sequence[str] | None) -> tuple[str, dict[str, Any]]:
    if kinds is None:
        return "", {}
    return ", is_in(kind, $kinds)", {"kinds": list(kinds)}


def sorted_edges(edges: list[Edge]) -> list[Edge]:
    return sorted(edges, key=lambda e: (e.kind, e.line, e.target, e.src, e.dst or ""))


def edges_from(db: CozoDb, item_id: str, kinds: Sequence[str] | None = None) -> list[Edge]:
    # edges are keyed under the crate of their source, which the items row gives
    where, params = _kind_filter(kinds)
    rows = db.query(
        f"?[{_EDGE_COLUMNS}] := src = $id, *items{{item_id: src, crate_id}}, "
        f"*edges{{{_EDGE_COLUMNS}}}{where}",
        {"id": item_id, **params},
    )
    return sorted_edges([edge_from_row(r) for r in rows])


def edges_from_many(
    db: CozoDb, item_ids: Sequence[str], kinds: Sequence[str] | None = None
) -> dict[str, list[Edge]]:
    """`edges_from` for several items in one query: src id -> its edges (every id given
    has an entry, empty when it has no edges), each list ordered as `edges_from` orders."""
    found: dict[str, list[Edge]] = {i: [] for i in item_ids}
    if not found:
        return found
    where, params = _kind_filter(kinds)
    rows = db.query(
        f"wanted[crate_id, src] <- $keys "
        f"?[{_EDGE_COLUMNS}] := wanted[crate_id, src], *edges{{{_EDGE_COLUMNS}}}{where}",
        {"keys": crate_keyed(sorted(found)), **params},
    )
    for edge in sorted_edges([edge_from_row(r) for r in rows]):
        found[edge.src].append(edge)
    return found


def edges_to(db: CozoDb, item_id: str, kinds: Sequence[str] | None = None) -> list[Edge]:
    where, params = _kind_filter(kinds)
    rows = db.query(
        f"?[{_EDGE_COLUMNS}] := dst = $id, *edges:by_dst{{{_EDGE_COLUMNS}}}{where}",
        {"id": item_id, **params},
    )
    return sorted_edges([edge_from_row(r) for r in rows])


def _impl_for_targets(db: CozoDb, impl_ids: list[str]) -> dict[str, str | None]:
    """impl id -> the item id of its self type (None when unresolved)."""
    rows = db.query(
        "?[src, dst] := src in $ids, *items{item_id: src, crate_id}, "
        "*edges{crate_id, src, kind: 'impl_for', dst}",
        {"ids": impl_ids},
    )
    return {src: dst for src, dst in rows}


def impls_of(db: CozoDb, trait_id: str) -> list[ImplOf]:
    """Every impl block of a trait, then every type said to implement it without one
    (`#[derive(..)]`, or an `implements` edge whose impl block is not indexed)."""
    impl_ids = [e.src for e in edges_to(db, trait_id, ["impl_of"])]
    impl_items = items_by_ids(db, impl_ids)
    self_types = _impl_for_targets(db, impl_ids)
    found = [
        ImplOf(
            impl_id=impl_id,
            type_id=self_types.get(impl_id),
            type_text=(impl_items[impl_id].raw.impl_self or "") if impl_id in impl_items else "",
            via="",
        )
        for impl_id in dict.fromkeys(impl_ids)
    ]
    covered = {f.type_id for f in found if f.type_id is not None}
    implementers = [
        e for e in edges_to(db, trait_id, ["implements"]) if e.src not in covered or e.via
    ]
    types = items_by_ids(db, [e.src for e in implementers])
    for e in implementers:
        typ = types.get(e.src)
        found.append(
            ImplOf(
                impl_id=None,
                type_id=e.src,
                type_text=typ.path if typ is not None else e.src,
                via=e.via,
            )
        )
    return found


def methods_of(db: CozoDb, type_id: str) -> list[MethodOf]:
    """Methods of the impl blocks of a type: inherent first, then by trait, then by name."""
    impl_ids = [e.src for e in edges_to(db, type_id, ["impl_for"])]
    impl_ids += [e.dst for e in edges_from(db, type_id, ["inherent_impl"]) if e.dst]
    impl_ids = list(dict.fromkeys(impl_ids))
    if not impl_ids:
        return []
    rows = db.query(
        "?[parent_id, item_id] := parent_id in $ids, *items:by_parent{parent_id, item_id}, "
        "*items{item_id, kind}, is_in(kind, $kinds)",
        {"ids": impl_ids, "kinds": list(_METHOD_KINDS)},
    )
    items = items_by_ids(db, [*impl_ids, *(r[1] for r in rows)])
    methods = []
    for impl_id, method_id in rows:
        impl_item = items.get(impl_id)
        method = items.get(method_id)
        if method is None:
            continue
        trait = impl_item.raw.impl_trait if impl_item is not None else None
        methods.append(MethodOf(method=method, impl_id=impl_id, trait=trait))
    return sorted_methods(methods)


def sorted_methods(methods: list[MethodOf]) -> list[MethodOf]:
    """Inherent first, then by trait, then by name (one entry per method)."""
    unique = {m.method.item_id: m for m in methods}
    return sorted(
        unique.values(),
        key=lambda m: (m.trait is not None, m.trait or "", m.method.name, m.method.path),
    )
