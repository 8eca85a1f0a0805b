"""A resolved crate's public face, as the ExportTable other crates resolve `use`s against."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rustrag.model import CrateSource, Edge, ExportTable, Item, ResolvedCrate

_NO_PATH_KINDS = frozenset({"use", "extern_crate", "impl"})


def kind_of_id(item_id: str) -> str:
    """`crate@1|a::B|struct#2` -> `struct`."""
    return item_id.rsplit("|", 1)[-1].split("#", 1)[0]


def bound_name(target: str) -> str:
    """The name a reexport edge's written target binds: `a::B as C` -> `C`, `a::B` -> `B`."""
    if " as " in target:
        return target.rsplit(" as ", 1)[1].strip()
    return target.rsplit("::", 1)[-1]


def export_table(resolved: ResolvedCrate) -> ExportTable:
    """Every public path of the crate -> the items it names, re-exported foreign ones too."""
    reexports = reexport_entries(resolved.items, resolved.edges)
    return build_export_table(resolved.crate, resolved.items, reexports)


def reexport_entries(items: Sequence[Item], edges: Iterable[Edge]) -> list[tuple[str, str, str]]:
    """(public path, item id, kind) of every foreign item a `pub use` makes public."""
    local_ids = {it.item_id for it in items}
    by_id = {it.item_id: it for it in items}
    out: list[tuple[str, str, str]] = []
    for edge in edges:
        if edge.kind != "reexports" or edge.dst is None or edge.dst in local_ids:
            continue
        use = by_id.get(edge.src)
        if use is None or not use.paths:
            continue
        name = bound_name(edge.target)
        for path in use.paths:
            if path.rsplit("::", 1)[-1] == name:
                out.append((path, edge.dst, kind_of_id(edge.dst)))
    return out


def build_export_table(
    crate: CrateSource, items: Iterable[Item], reexports: Iterable[tuple[str, str, str]]
) -> ExportTable:
    """The table from the items in slot order, then the foreign re-exports."""
    table = ExportTable(crate_id=crate.crate_id, extern_name=crate.extern_name)

    def put(path: str, item_id: str, kind: str) -> None:
        hits = table.paths.setdefault(path, [])
        if (item_id, kind) not in hits:
            hits.append((item_id, kind))

    for it in items:
        if it.kind in _NO_PATH_KINDS:
            continue
        for path in it.paths:
            put(path, it.item_id, it.kind)
    for path, item_id, kind in reexports:
        put(path, item_id, kind)
    root = crate.extern_name
    for path, hits in table.paths.items():
        head, _, name = path.rpartition("::")
        if head != root:
            continue
        for item_id, kind in hits:
            if kind == "macro_rules":
                table.macros.setdefault(name, item_id)
    return table
