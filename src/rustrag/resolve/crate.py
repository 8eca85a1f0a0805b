"""resolve_crate: a crate's parsed files in, its items with paths and its edges out."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rustrag.model import CrateSource, ExportTable, Item, ParsedFile, ResolvedCrate
from rustrag.resolve.canonical import place_items
from rustrag.resolve.edges import build_edges
from rustrag.resolve.expand import CrateMacros
from rustrag.resolve.modtree import build_module_tree
from rustrag.resolve.public import compute_publicity
from rustrag.resolve.scope import Resolver
from rustrag.resolve.slots import build_slots


def resolve_crate(
    crate: CrateSource,
    files: Mapping[str, ParsedFile],
    externs: Mapping[str, ExportTable],
    *,
    load_file: Callable[[str], ParsedFile | None] | None = None,
) -> ResolvedCrate:
    """Place every item of `crate` in its module tree, name it, and link it.

    `files` are the crate's parsed .rs files by path relative to the crate root;
    `externs` the ExportTables of its dependencies by extern name; `load_file` parses a
    file a module declaration needs that `files` lacks (None when it cannot).
    """
    macros = CrateMacros(files)  # the crate's own macro_rules, expanded where called
    tree = build_module_tree(crate, files, load_file, macros.expand_file)
    slots = build_slots(tree)
    resolver = Resolver(crate, tree, slots, externs)
    resolver.run_imports()
    placement = place_items(resolver, crate.crate_id)
    publicity = compute_publicity(resolver, placement)
    edges = build_edges(resolver, placement, tree)

    items: list[Item] = []
    for i, s in enumerate(slots):
        raw = s.raw
        name = raw.name
        if raw.kind == "use" and raw.uses:
            name = raw.uses[0].name if not raw.uses[0].glob else "*"
        elif raw.kind == "extern_crate" and raw.uses and raw.uses[0].alias:
            name = raw.uses[0].alias
        items.append(
            Item(
                item_id=placement.ids[i],
                crate_id=crate.crate_id,
                kind=raw.kind,
                name=name,
                path=placement.paths[i],
                paths=publicity.slot_paths[i],
                public=publicity.slot_public[i],
                visibility=raw.visibility,
                file=s.file,
                module=s.module,
                parent_id=None if s.parent is None else placement.ids[s.parent],
                raw=raw,
            )
        )

    problems = [p for rel in sorted(tree.files) for p in tree.files[rel].problems]
    problems.extend(tree.problems)
    return ResolvedCrate(
        crate=crate,
        files=[tree.files[rel] for rel in sorted(tree.files)],
        modules=tree.nodes,
        items=items,
        edges=edges,
        unlinked_files=tree.unlinked,
        problems=problems,
    )
