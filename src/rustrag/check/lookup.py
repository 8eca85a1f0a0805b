"""Cached reads of the index for one check session: public paths, items, type members.

One `IndexLookup` lives as long as its `Workspace`; the export table of a crate (every
public path, ~70 ms for clap) is read once, after which most look-ups are dict hits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustrag.api import Workspace
from rustrag.check.stdnames import OPEN_TRAITS
from rustrag.model import ExportTable, Item
from rustrag.store.records import MethodOf

if TYPE_CHECKING:
    from rustrag.check.suggest import Replacement

TYPE_KINDS = frozenset({"struct", "enum", "union", "type_alias", "trait"})
MEMBER_KINDS = frozenset({"method", "fn", "variant", "assoc_const", "assoc_type", "const"})


@dataclass(slots=True)
class Members:
    """What `Type::name` / `value.name()` can reach on one type."""

    by_name: dict[str, list[Item]]  # methods, variants, assoc items, trait-provided methods
    open: bool  # implements a trait (Deref, Iterator) that brings methods the index can't list


class IndexLookup:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._tables: dict[str, ExportTable | None] = {}
        self._by_name: dict[str, dict[str, list[str]]] = {}
        self._items: dict[str, Item | None] = {}
        self._members: dict[str, Members] = {}
        # (path, crate id) -> the version diff's replacement; filled by the checker
        self.replacements: dict[tuple[str, str], Replacement | None] = {}

    # -- crates and paths ---------------------------------------------------------------

    def table(self, crate_id: str) -> ExportTable | None:
        if crate_id not in self._tables:
            self._tables[crate_id] = self.workspace.store.export_table(crate_id)
        return self._tables[crate_id]

    def path_entries(self, crate_id: str, path: str) -> list[tuple[str, str]]:
        """(item_id, kind) of the items public under exactly `path`."""
        table = self.table(crate_id)
        return list(table.paths.get(path, [])) if table is not None else []

    def names(self, crate_id: str) -> dict[str, list[str]]:
        """Last path segment -> every public path ending in it, shortest first."""
        if crate_id not in self._by_name:
            table = self.table(crate_id)
            names: dict[str, list[str]] = {}
            for path in table.paths if table is not None else ():
                names.setdefault(path.rsplit("::", 1)[-1], []).append(path)
            for paths in names.values():
                paths.sort(key=lambda p: (p.count("::"), p))
            self._by_name[crate_id] = names
        return self._by_name[crate_id]

    def macros(self, crate_id: str) -> dict[str, str]:
        table = self.table(crate_id)
        return table.macros if table is not None else {}

    # -- items ----------------------------------------------------------------------------

    def item(self, item_id: str) -> Item | None:
        if item_id not in self._items:
            self._items[item_id] = self.workspace.store.item(item_id)
        return self._items[item_id]

    def items_at(self, crate_id: str, path: str) -> list[Item]:
        """Items public under `path`, definitions before the `use` items re-exporting them."""
        found = [self.item(item_id) for item_id, _ in self.path_entries(crate_id, path)]
        items = [i for i in found if i is not None]
        return sorted(items, key=lambda i: i.kind == "use")

    def type_named(self, crate_id: str, name: str) -> Item | None:
        """The one public type of a crate with this name (None when none or ambiguous)."""
        candidates: dict[str, Item] = {}
        for path in self.names(crate_id).get(name, []):
            for item_id, kind in self.path_entries(crate_id, path):
                if kind in TYPE_KINDS:
                    item = self.item(item_id)
                    if item is not None:
                        candidates[item.item_id] = item
        return next(iter(candidates.values())) if len(candidates) == 1 else None

    def members(self, type_item: Item) -> Members:
        cached = self._members.get(type_item.item_id)
        if cached is not None:
            return cached
        store = self.workspace.store
        by_name: dict[str, list[Item]] = {}
        for child in store.children(type_item.item_id):
            if child.kind in MEMBER_KINDS:
                by_name.setdefault(child.name, []).append(child)
        methods: list[MethodOf] = store.methods_of(type_item.item_id)
        for method in methods:
            by_name.setdefault(method.method.name, []).append(method.method)
        is_open = False
        for edge in store.edges_from(type_item.item_id, kinds=("implements",)):
            trait_name = edge.target.rsplit("::", 1)[-1].split("<", 1)[0]
            if trait_name in OPEN_TRAITS:
                is_open = True
            if edge.dst is None:
                continue
            # trait-provided (default) methods: the impl block does not repeat them
            for provided in store.children(edge.dst):
                if provided.kind in MEMBER_KINDS:
                    by_name.setdefault(provided.name, []).append(provided)
        members = Members(by_name, is_open)
        self._members[type_item.item_id] = members
        return members
