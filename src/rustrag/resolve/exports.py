"""A resolved crate's public face, as the ExportTable other crates resolve `use`s against."""

from __future__ import annotations

from rustrag.model import ExportTable, ResolvedCrate

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
    crate = resolved.crate
    table = ExportTable(crate_id=crate.crate_id, extern_name=crate.extern_name)
    local_ids = {it.item_id for it in resolved.items}
    by_id = {it.item_id: it for it in resolved.items}

    def put(path: str, item_id: str, kind: str) -> None:
        hits = table.paths.setdefault(path, [])
        if (item_id, kind) not in hits:
            hits.append((item_id, kind))

    for it in resolved.items:
        if it.kind in _NO_PATH_KINDS:
            continue
        for path in it.paths:
            put(path, it.item_id, it.kind)
    for edge in resolved.edges:
        if edge.kind != "reexports" or edge.dst is None or edge.dst in local_ids:
            continue
        use = by_id.get(edge.src)
        if use is None or not use.paths:
            continue
        name = bound_name(edge.target)
        for path in use.paths:
            if path.rsplit("::", 1)[-1] == name:
                put(path, edge.dst, kind_of_id(edge.dst))
    root = crate.extern_name
    for path, hits in table.paths.items():
        head, _, name = path.rpartition("::")
        if head != root:
            continue
        for item_id, kind in hits:
            if kind == "macro_rules":
                table.macros.setdefault(name, item_id)
    return table
