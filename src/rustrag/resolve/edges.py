"""Edges of the code graph, from module structure, impls, `use`s and refs."""

from __future__ import annotations

from rustrag.model import Edge, EdgeKind, UseEntry
from rustrag.resolve.canonical import Placement, local_type
from rustrag.resolve.defs import (
    ALL_NS,
    TYPE_NS,
    VALUE_NS,
    Def,
    ExternItem,
    LocalItem,
    LocalModule,
    Opaque,
)
from rustrag.resolve.modtree import ModuleTree
from rustrag.resolve.refs import RefContext, prefer_trait, resolve_ref, resolve_type_ref
from rustrag.resolve.scope import Resolver

_METHOD_HOLDERS = frozenset({"impl", "trait"})


class EdgeBuilder:
    def __init__(self, r: Resolver, placement: Placement, tree: ModuleTree) -> None:
        self.r = r
        self.p = placement
        self.tree = tree
        self.edges: list[Edge] = []
        # The slot each edge was made for (parallel to `edges`): an incremental update
        # replaces exactly the edges of the slots it recomputes (rustrag.resolve.incremental).
        self.gens: list[int] = []
        self.current = -1
        self.slot_of = {(s.file, s.index): i for i, s in enumerate(r.slots)}
        self.module_item: dict[str, str] = {}
        self.file_owners: dict[str, list[int]] = {}
        self.index_modules()
        self.methods_by_name: dict[str, list[int]] = {}
        for i in range(len(r.slots)):
            self.note_method(i, 1)

    def index_modules(self) -> None:
        """Module path -> id of its `mod` item, and file -> slots of the `mod` items
        whose module that file is (the owners of its top-level items)."""
        self.module_item.clear()
        self.file_owners.clear()
        for node in self.tree.nodes:
            if node.declared_in is None or node.item_index is None:
                continue
            i = self.slot_of.get((node.declared_in, node.item_index))
            if i is None:
                continue
            self.module_item.setdefault(node.path, self.p.ids[i])
            if node.file is not None:
                self.file_owners.setdefault(node.file, []).append(i)

    def note_method(self, i: int, change: int) -> str | None:
        """Count slot `i` in (change=1) or out of (-1) the methods by name, when it is a
        method of an impl or trait; returns its name then."""
        r = self.r
        s = r.slots[i]
        if (
            s.raw.kind not in ("fn", "method")
            or s.parent is None
            or r.slots[s.parent].raw.kind not in _METHOD_HOLDERS
        ):
            return None
        if change > 0:
            self.methods_by_name.setdefault(s.raw.name, []).append(i)
        else:
            found = self.methods_by_name.get(s.raw.name, [])
            if i in found:
                found.remove(i)
            if not found:
                self.methods_by_name.pop(s.raw.name, None)
        return s.raw.name

    # ---- helpers -----------------------------------------------------------------
    def id_of(self, d: Def) -> str | None:
        if isinstance(d, LocalItem):
            return self.p.ids[d.index]
        if isinstance(d, LocalModule):
            return self.module_item.get(d.path)
        if isinstance(d, ExternItem):
            return d.item_id or None
        return None

    def add(
        self, src: str, kind: EdgeKind, defs: list[Def], target: str, line: int, via: str = ""
    ) -> None:
        """One edge per distinct resolved id, or one unresolved edge."""
        dsts = list(dict.fromkeys(x for x in (self.id_of(d) for d in defs) if x is not None))
        outside = any(isinstance(d, ExternItem | Opaque) for d in defs)
        extra = via or ("extern" if outside else "")
        if not dsts:
            self.put(Edge(src, kind, None, target, line, extra))
        for dst in dsts:
            self.put(Edge(src, kind, dst, target, line, extra))

    def put(self, edge: Edge) -> None:
        self.edges.append(edge)
        self.gens.append(self.current)

    # ---- builders ----------------------------------------------------------------
    def build(self) -> list[Edge]:
        self.structure()
        for i in range(len(self.r.slots)):
            self.current = i
            self.own_edges(i)
        return self.edges

    def own_edges(self, i: int) -> None:
        kind = self.r.slots[i].raw.kind
        if kind == "impl":
            self.impl_edges(i)
        elif kind in ("use", "extern_crate"):
            self.use_edges(i)
        self.ref_edges(i)

    def slot_edges(self, i: int) -> tuple[list[Edge], list[int]]:
        """Every edge `build` makes for slot `i` (its `contains` edge too), in the order
        `build` makes them, with the slot they are made for (`gens`)."""
        saved = self.edges, self.gens
        self.edges, self.gens = [], []
        self.current = i
        try:
            s = self.r.slots[i]
            if s.parent is not None:
                self.contains(s.parent, i)
            elif s.raw.parent is None:
                for owner in self.file_owners.get(s.file, ()):
                    self.contains(owner, i)
            self.own_edges(i)
            return self.edges, self.gens
        finally:
            self.edges, self.gens = saved

    def contains(self, parent: int, child: int) -> None:
        raw = self.r.slots[child].raw
        ids = self.p.ids
        self.put(Edge(ids[parent], "contains", ids[child], raw.name, raw.line_start))

    def structure(self) -> None:
        for i, s in enumerate(self.r.slots):
            if s.parent is not None:
                self.current = i
                self.contains(s.parent, i)
        for node in self.tree.nodes:
            if node.file is None or node.declared_in is None or node.item_index is None:
                continue
            owner = self.slot_of.get((node.declared_in, node.item_index))
            if owner is None:
                continue
            for idx, raw in enumerate(self.tree.files[node.file].items):
                if raw.parent is None:
                    child = self.slot_of[(node.file, idx)]
                    self.current = child
                    self.contains(owner, child)

    def impl_edges(self, i: int) -> None:
        raw = self.r.slots[i].raw
        me = self.p.ids[i]
        line = raw.line_start
        selfs = self.p.impl_self.get(i, [])
        self.add(me, "impl_for", selfs, raw.impl_self or "", line)
        owner = local_type(selfs)
        owner_id = self.p.ids[owner.index] if owner is not None else None
        if raw.impl_trait:
            traits = self.p.impl_trait.get(i, [])
            self.add(me, "impl_of", traits, raw.impl_trait, line)
            if owner_id is not None and not raw.impl_trait.lstrip().startswith("!"):
                self.add(owner_id, "implements", traits, raw.impl_trait, line)
        elif owner_id is not None:
            self.put(Edge(owner_id, "inherent_impl", me, raw.impl_self or "", line))

    def use_edges(self, i: int) -> None:
        s = self.r.slots[i]
        raw = s.raw
        me = self.p.ids[i]
        kind: EdgeKind = "reexports" if raw.visibility == "pub" else "imports"
        if raw.kind == "extern_crate":
            self.add(me, kind, [], raw.name, raw.line_start, "extern")
            return
        if not s.module_level:
            return
        for entry in raw.uses:
            if entry.glob:
                self.glob_edges(i, entry, kind)
                continue
            segs = entry.path[:-1] if entry.path and entry.path[-1] == "self" else entry.path
            written = "::".join(entry.path)
            if entry.alias is not None:
                written = f"{written} as {entry.alias}"
            defs = self.r.resolve(s.module, segs, ALL_NS, in_use=True)
            self.add(me, kind, defs, written, raw.line_start)

    def glob_edges(self, i: int, entry: UseEntry, kind: EdgeKind) -> None:
        s = self.r.slots[i]
        me = self.p.ids[i]
        written = "::".join(entry.path)
        containers = self.r.resolve(s.module, entry.path, TYPE_NS, in_use=True)
        if kind == "imports" or not containers:
            self.add(me, kind, containers, f"{written}::*", s.raw.line_start, "glob")
            return
        scope = self.r.scopes[s.module]
        for container in containers:  # a pub glob makes each member visible: one edge each
            seen: set[tuple[str, Def]] = set()
            for ns, name, _vis, d in self.r.glob_members(container, s.module):
                if (name, d) in seen or all(b.target != d for b in scope.lookup(ns, name)):
                    continue  # already linked, or shadowed by an explicit name
                seen.add((name, d))
                self.add(me, kind, [d], f"{written}::{name}", s.raw.line_start, "glob")

    def ref_edges(self, i: int) -> None:
        raw = self.r.slots[i].raw
        refs = raw.refs
        derives = [ref.path for ref in refs if ref.kind == "derive"]
        if not derives and raw.attrs.derives:
            derives = list(raw.attrs.derives)
        if not refs and not derives:
            return
        me = self.p.ids[i]
        ctx = RefContext(self.r, self.p, i)
        for path in derives:
            line = next(
                (x.line for x in refs if x.kind == "derive" and x.path == path), raw.line_start
            )
            derived = resolve_ref(self.r, self.p, ctx, path, ALL_NS) or []
            self.add(me, "implements", prefer_trait(derived), path, line, "derive")
        for ref in refs:
            if ref.kind == "method_call":
                candidates = self.methods_by_name.get(ref.path, [])
                dst = self.p.ids[candidates[0]] if len(candidates) == 1 else None
                self.put(Edge(me, "calls", dst, ref.path, ref.line, "method_call"))
            elif ref.kind == "calls":
                found = resolve_ref(self.r, self.p, ctx, ref.path, VALUE_NS)
                if found is not None:
                    self.add(me, "calls", found, ref.path, ref.line)
            elif ref.kind in ("uses_type", "bound"):
                found = resolve_type_ref(self.r, self.p, ctx, ref.path)
                if found is not None:
                    self.add(me, ref.kind, found, ref.path, ref.line)


def build_edges(r: Resolver, placement: Placement, tree: ModuleTree) -> list[Edge]:
    return EdgeBuilder(r, placement, tree).build()
