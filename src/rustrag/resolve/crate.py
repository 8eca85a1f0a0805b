"""resolve_crate: a crate's parsed files in, its items with paths and its edges out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rustrag.model import (
    CrateSource,
    Edge,
    ExportTable,
    Item,
    ParsedFile,
    Problem,
    ResolvedCrate,
)
from rustrag.resolve.canonical import Placement, place_items
from rustrag.resolve.edges import EdgeBuilder
from rustrag.resolve.expand import CrateMacros
from rustrag.resolve.modtree import ModuleTree, build_module_tree
from rustrag.resolve.public import Publicity, compute_publicity
from rustrag.resolve.scope import Resolver
from rustrag.resolve.slots import build_slots


@dataclass(slots=True)
class CrateResolution:
    """Every stage's result for one crate, kept together so that a warm indexer can
    update them after an edit instead of resolving again (rustrag.resolve.incremental)."""

    crate: CrateSource
    externs: Mapping[str, ExportTable]
    files: dict[str, ParsedFile]  # the parsed files as given (before macro expansion)
    macros: CrateMacros
    tree: ModuleTree
    resolver: Resolver
    placement: Placement
    publicity: Publicity
    builder: EdgeBuilder
    items: list[Item]  # by slot
    edges: list[Edge]

    def resolved(self) -> ResolvedCrate:
        tree = self.tree
        return ResolvedCrate(
            crate=self.crate,
            files=[tree.files[rel] for rel in sorted(tree.files)],
            modules=tree.nodes,
            items=self.items,
            edges=self.edges,
            unlinked_files=tree.unlinked,
            problems=crate_problems(tree),
        )


def crate_problems(tree: ModuleTree) -> list[Problem]:
    problems = [p for rel in sorted(tree.files) for p in tree.files[rel].problems]
    problems.extend(tree.problems)
    return problems


def make_item(
    crate_id: str, r: Resolver, placement: Placement, publicity: Publicity, i: int
) -> Item:
    """The Item of slot `i`, once paths and publicity are known."""
    s = r.slots[i]
    raw = s.raw
    name = raw.name
    if raw.kind == "use" and raw.uses:
        name = raw.uses[0].name if not raw.uses[0].glob else "*"
    elif raw.kind == "extern_crate" and raw.uses and raw.uses[0].alias:
        name = raw.uses[0].alias
    return Item(
        item_id=placement.ids[i],
        crate_id=crate_id,
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


def resolve_crate_state(
    crate: CrateSource,
    files: Mapping[str, ParsedFile],
    externs: Mapping[str, ExportTable],
    *,
    load_file: Callable[[str], ParsedFile | None] | None = None,
) -> CrateResolution:
    """`resolve_crate`, keeping every stage's result (see CrateResolution)."""
    macros = CrateMacros(files)  # the crate's own macro_rules, expanded where called
    tree = build_module_tree(crate, files, load_file, macros.expand_file)
    slots = build_slots(tree)
    resolver = Resolver(crate, tree, slots, externs)
    resolver.run_imports()
    placement = place_items(resolver, crate.crate_id)
    publicity = compute_publicity(resolver, placement)
    builder = EdgeBuilder(resolver, placement, tree)
    edges = builder.build()
    items = [
        make_item(crate.crate_id, resolver, placement, publicity, i) for i in range(len(slots))
    ]
    return CrateResolution(
        crate=crate,
        externs=externs,
        files=dict(files),
        macros=macros,
        tree=tree,
        resolver=resolver,
        placement=placement,
        publicity=publicity,
        builder=builder,
        items=items,
        edges=edges,
    )


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
    return resolve_crate_state(crate, files, externs, load_file=load_file).resolved()
