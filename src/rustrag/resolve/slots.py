"""The crate's items in one flat list, each placed in the module it is written in."""

from __future__ import annotations

from dataclasses import dataclass

from rustrag.model import RawItem
from rustrag.resolve.modtree import ModuleTree


@dataclass(slots=True)
class Slot:
    file: str
    index: int  # position in the file's ParsedFile.items
    raw: RawItem
    module: str  # canonical path of the module the item is written in
    crate_root: str  # root module path of the target the file belongs to
    parent: int | None  # slot of raw.parent
    module_level: bool  # directly in a module, so it binds a name there


def build_slots(tree: ModuleTree) -> list[Slot]:
    """Slots of every linked file, in file then byte order (the order item ids count in)."""
    slots: list[Slot] = []
    for rel in sorted(tree.file_module):
        pf = tree.files[rel]
        file_root = tree.modules[tree.file_module[rel]].crate_root
        base = len(slots)
        order = sorted(range(len(pf.items)), key=lambda i: (pf.items[i].byte_start, i))
        position = {idx: base + n for n, idx in enumerate(order)}
        for idx in order:
            raw = pf.items[idx]
            module = _module_of(tree, rel, pf.items, idx)
            parent = raw.parent
            level = parent is None or (rel, parent) in tree.inline_module
            slots.append(
                Slot(
                    file=rel,
                    index=idx,
                    raw=raw,
                    module=module,
                    crate_root=file_root,
                    parent=None if parent is None else position.get(parent),
                    module_level=level,
                )
            )
    return slots


def module_of(tree: ModuleTree, rel: str, items: list[RawItem], idx: int) -> str:
    """The module item `idx` of file `rel` is written in (inline modules count)."""
    return _module_of(tree, rel, items, idx)


def _module_of(tree: ModuleTree, rel: str, items: list[RawItem], idx: int) -> str:
    p = items[idx].parent
    seen = 0
    while p is not None and seen <= len(items):  # bounded: a bad parent chain must not hang
        inline = tree.inline_module.get((rel, p))
        if inline is not None:
            return inline
        p = items[p].parent if 0 <= p < len(items) else None
        seen += 1
    return tree.file_module[rel]
