"""The effective `cfg` of every indexed item: its own and every enclosing one's.

An item is compiled only when its own `#[cfg]`, the cfg of each item around it (impl,
inline module, fn), the `#[cfg]` on the `mod` declarations of the modules above it and
the `#![cfg]` at the top of their files all hold. A file's `#![cfg]` is an attribute of
the module, so it also switches off the `mod` item that declares it (`pub mod windows;`
over a windows.rs starting `#![cfg(windows)]` is no module on Linux). The export carries
only the item's own attributes, so this reads the index rustrag just wrote (items with
their raw attributes, module nodes, files with their inner attributes) and folds each
chain into a list of predicates that must all hold. A module declared more than once
(cfg alternatives) is on when any of its declarations is, which becomes one `any(..)`
predicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rustrag.model import Item
from rustrag.store import Store

MAX_CHAIN = 64  # parents and modules nest far less deeply; this only stops bad cycles


class CfgChains:
    def __init__(
        self,
        items: Sequence[Item],
        file_cfgs: dict[str, list[str]],
        mounted: dict[tuple[str, str], str] | None = None,
    ) -> None:
        self.by_id = {item.item_id: item for item in items}
        self.file_cfgs = file_cfgs
        # (declaring file, module path) -> the file a `mod x;` there mounts
        self.mounted = mounted or {}
        self.mod_decls: dict[str, list[Item]] = {}
        for item in items:
            if item.kind == "mod":
                self.mod_decls.setdefault(item.path, []).append(item)
        self._items: dict[str, list[str]] = {}
        self._modules: dict[str, list[str]] = {}

    def of_item(self, item_id: str, depth: int = 0) -> list[str]:
        cached = self._items.get(item_id)
        if cached is not None:
            return cached
        item = self.by_id.get(item_id)
        if item is None or depth > MAX_CHAIN:
            return []
        # Attrs.cfg joins several `#[cfg]`s (and cfg_if! branch conditions) with " && ".
        own = item.raw.attrs.cfg.split(" && ") if item.raw.attrs.cfg else []
        if item.kind == "mod":
            own += self.file_cfgs.get(self.mounted.get((item.file, item.path), ""), [])
        if item.parent_id is not None:
            outer = self.of_item(item.parent_id, depth + 1)
        else:
            outer = self.file_cfgs.get(item.file, []) + self.of_module(item.module, depth + 1)
        found = _unique(own + outer)
        self._items[item_id] = found
        return found

    def of_module(self, module: str, depth: int = 0) -> list[str]:
        cached = self._modules.get(module)
        if cached is not None:
            return cached
        self._modules[module] = []  # a cycle ends here instead of recursing
        decls = self.mod_decls.get(module, [])
        chains = [self.of_item(d.item_id, depth + 1) for d in decls] if depth <= MAX_CHAIN else []
        found: list[str] = []
        if len(chains) == 1:
            found = chains[0]
        elif chains and all(chains):
            found = ["any(" + ", ".join(f"all({', '.join(c)})" for c in chains) + ")"]
        self._modules[module] = found
        return found


def _unique(predicates: list[str]) -> list[str]:
    return list(dict.fromkeys(predicates))


def inner_cfg(attribute: str) -> str | None:
    """`cfg(unix)` (the text of a `#![cfg(unix)]`) -> `unix`; None for other attributes."""
    text = attribute.strip()
    if text.startswith("cfg(") and text.endswith(")"):
        return text[4:-1].strip()
    return None


def effective_cfgs(index_dir: Path, crate_id: str, item_ids: Sequence[str]) -> dict[str, list[str]]:
    """item id -> the cfg predicates that must all hold for the item to be compiled."""
    store = Store.open(index_dir, read_only=True)
    try:
        items = store.items(list(item_ids))
        files = store.files(crate_id)
        modules = store.modules(crate_id)
    finally:
        store.close()
    file_cfgs: dict[str, list[str]] = {}
    for stored in files:
        predicates = [p for p in map(inner_cfg, stored.inner_attrs) if p is not None]
        if predicates:
            file_cfgs[stored.rel_path] = predicates
    mounted = {
        (node.declared_in, node.path): node.file
        for node in modules
        if node.file is not None and node.declared_in is not None
    }
    chains = CfgChains(items, file_cfgs, mounted)
    return {item.item_id: chains.of_item(item.item_id) for item in items}
