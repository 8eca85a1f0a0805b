"""Turning rows read from Cozo back into model objects and store records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from rustrag.model import (
    Attrs,
    CrateSource,
    Edge,
    EdgeKind,
    Item,
    ItemKind,
    ModuleNode,
    Problem,
    RawItem,
    Ref,
    RefKind,
    Target,
    TargetKind,
    UseEntry,
)
from rustrag.store.records import CrateProblem, StoredCrate, StoredFile
from rustrag.store.schema import CRATES, EDGES, FILES, ITEMS, MODULES, PROBLEMS, Relation

Row = Sequence[Any]


def columns(relation: Relation) -> str:
    """The relation's columns as a Cozo binding list, in the order decoders expect."""
    return ", ".join(relation.column_names)


def _named(relation: Relation, row: Row) -> dict[str, Any]:
    return dict(zip(relation.column_names, row, strict=True))


def crate_from_row(row: Row) -> StoredCrate:
    c = _named(CRATES, row)
    source = CrateSource(
        name=c["name"],
        version=c["version"],
        root=c["root"],
        source=c["source"],
        edition=c["edition"],
        lib_name=c["lib_name"],
        targets=[
            Target(kind=cast(TargetKind, t["kind"]), name=t["name"], root=t["root"])
            for t in json.loads(c["targets"])
        ],
        files=json.loads(c["source_files"]),
        features=json.loads(c["features"]),
        dependencies=json.loads(c["dependencies"]),
    )
    return StoredCrate(crate=source, indexed_at=float(c["indexed_at"]))


def file_from_row(row: Row) -> StoredFile:
    f = _named(FILES, row)
    f["inner_attrs"] = json.loads(f["inner_attrs"])
    f["macro_uses"] = json.loads(f["macro_uses"])
    return StoredFile(**f)


def module_from_row(row: Row) -> ModuleNode:
    m = _named(MODULES, row)
    return ModuleNode(
        path=m["path"], file=m["file"], item_index=m["item_index"], declared_in=m["declared_in"]
    )


def _attrs(text: str) -> Attrs:
    return Attrs(**json.loads(text))


def _raw(r: dict[str, Any]) -> RawItem:
    return RawItem(
        kind=cast(ItemKind, r["kind"]),
        name=r["name"],
        parent=r["raw_parent"],
        visibility=r["visibility"],
        generics=r["generics"],
        where_clause=r["where_clause"],
        signature=r["signature"],
        docs=r["docs"],
        attrs=_attrs(r["attrs"]),
        line_start=r["line_start"],
        line_end=r["line_end"],
        byte_start=r["byte_start"],
        byte_end=r["byte_end"],
        fingerprint=r["fingerprint"],
        in_macro=r["in_macro"],
        macro_name=r["macro_name"],
        impl_trait=r["impl_trait"],
        impl_self=r["impl_self"],
        mod_inline=r["mod_inline"],
        uses=[
            UseEntry(path=list(u["path"]), alias=u["alias"], glob=u["glob"])
            for u in json.loads(r["uses"])
        ],
        refs=[
            Ref(
                kind=cast(RefKind, f["kind"]),
                path=f["path"],
                line=f["line"],
                arg_count=f["arg_count"],
            )
            for f in json.loads(r["refs"])
        ],
        supertraits=json.loads(r["supertraits"]),
        is_unsafe=r["is_unsafe"],
        is_async=r["is_async"],
        is_const=r["is_const"],
    )


def item_from_row(row: Row, paths: list[str]) -> Item:
    """`paths` are the item's public paths; they live in item_paths, not in the row."""
    r = _named(ITEMS, row)
    return Item(
        item_id=r["item_id"],
        crate_id=r["crate_id"],
        kind=cast(ItemKind, r["kind"]),
        name=r["name"],
        path=r["path"],
        paths=sort_paths(paths, r["path"]),
        public=r["public"],
        visibility=r["visibility"],
        file=r["file"],
        module=r["module"],
        parent_id=r["parent_id"],
        raw=_raw(r),
    )


def sort_paths(paths: list[str], canonical: str) -> list[str]:
    """The order model.Item.paths promises: sorted, canonical first."""
    return sorted(set(paths), key=lambda p: (p != canonical, p))


def edge_from_row(row: Row) -> Edge:
    e = _named(EDGES, row)
    return Edge(
        src=e["src"],
        kind=cast(EdgeKind, e["kind"]),
        dst=e["dst"],
        target=e["target"],
        line=e["line"],
        via=e["via"],
    )


def problem_from_row(row: Row) -> CrateProblem:
    p = _named(PROBLEMS, row)
    return CrateProblem(
        crate_id=p["crate_id"],
        problem=Problem(file=p["file"], line=p["line"], reason=p["reason"], severity=p["severity"]),
    )
