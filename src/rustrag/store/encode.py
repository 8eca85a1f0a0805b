"""Turning a model.ResolvedCrate into rows, one list per relation, in schema column order."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from rustrag.model import (
    Attrs,
    CrateSource,
    Edge,
    Item,
    ModuleNode,
    ParsedFile,
    Problem,
    Ref,
    ResolvedCrate,
    UseEntry,
)
from rustrag.store.schema import (
    CRATE_RELATIONS,
    CRATES,
    EDGES,
    FILES,
    ITEM_PATHS,
    ITEMS,
    MODULES,
    PROBLEMS,
    Relation,
)

Row = list[Any]


def reversed_path(path: str) -> str:
    """`a::b::C` -> `C::b::a`: the key under which suffixes of a path become prefixes."""
    return "::".join(reversed(path.split("::")))


# json.dumps builds a new encoder on every call when given options; one shared encoder
# halves the cost over the ~100k values of a large crate.
_json = json.JSONEncoder(separators=(",", ":")).encode


# Hand-written instead of dataclasses.asdict, which deep-copies and was a third of the
# time spent encoding a 20k-item crate.
def _attrs_json(a: Attrs) -> str:
    return _json(
        {
            "derives": a.derives,
            "cfg": a.cfg,
            "deprecated": a.deprecated,
            "deprecated_note": a.deprecated_note,
            "deprecated_since": a.deprecated_since,
            "doc_hidden": a.doc_hidden,
            "path_attr": a.path_attr,
            "macro_export": a.macro_export,
            "other": a.other,
        }
    )


def _uses_json(uses: list[UseEntry]) -> str:
    return _json([{"path": u.path, "alias": u.alias, "glob": u.glob} for u in uses])


def _refs_json(refs: list[Ref]) -> str:
    return _json(
        [{"kind": r.kind, "path": r.path, "line": r.line, "arg_count": r.arg_count} for r in refs]
    )


_GETTERS = {r.name: itemgetter(*r.column_names) for r in CRATE_RELATIONS}


def _ordered(relation: Relation, values: dict[str, Any]) -> Row:
    # Building rows from dicts keyed by column name keeps them right when columns move.
    return list(_GETTERS[relation.name](values))


def crate_rows(resolved: ResolvedCrate, row_counts: dict[str, int]) -> list[Row]:
    return [crate_row(resolved.crate, row_counts)]


def crate_row(crate: CrateSource, row_counts: dict[str, int]) -> Row:
    return _ordered(
        CRATES,
        {
            "crate_id": crate.crate_id,
            "name": crate.name,
            "version": crate.version,
            "source": crate.source,
            "root": crate.root,
            "edition": crate.edition,
            "extern_name": crate.extern_name,
            "lib_name": crate.lib_name,
            "indexed_at": time.time(),
            "dependencies": _json(crate.dependencies),
            "features": _json(crate.features),
            "targets": _json(
                [{"kind": t.kind, "name": t.name, "root": t.root} for t in crate.targets]
            ),
            "source_files": _json(crate.files),
            "row_counts": _json(row_counts),
        },
    )


def file_rows(resolved: ResolvedCrate) -> list[Row]:
    crate_id = resolved.crate.crate_id
    unlinked = set(resolved.unlinked_files)
    module_of = {m.file: m.path for m in resolved.modules if m.file is not None}
    return [
        file_row(crate_id, f, module_of.get(f.rel_path), f.rel_path not in unlinked)
        for f in resolved.files
    ]


def file_row(crate_id: str, f: ParsedFile, module: str | None, linked: bool) -> Row:
    return _ordered(
        FILES,
        {
            "crate_id": crate_id,
            "rel_path": f.rel_path,
            "abs_path": f.path,
            "size": f.size,
            "mtime_ns": f.mtime_ns,
            "blake3": f.blake3,
            "lines": f.lines,
            "module": module,
            "linked": linked,
            "inner_docs": f.inner_docs,
            "inner_attrs": _json(f.inner_attrs),
            "macro_uses": _json(f.macro_uses),
        },
    )


def module_rows(resolved: ResolvedCrate) -> list[Row]:
    return module_rows_of(resolved.crate.crate_id, resolved.modules)


def module_rows_of(crate_id: str, modules: list[ModuleNode]) -> list[Row]:
    return [
        _ordered(
            MODULES,
            {
                "crate_id": crate_id,
                "path": m.path,
                "file": m.file,
                "item_index": m.item_index,
                "declared_in": m.declared_in,
            },
        )
        for m in modules
    ]


def item_row(item: Item) -> Row:
    raw = item.raw
    return _ordered(
        ITEMS,
        {
            "item_id": item.item_id,
            "crate_id": item.crate_id,
            "kind": item.kind,
            "name": item.name,
            "path": item.path,
            "public": item.public,
            "visibility": item.visibility,
            "file": item.file,
            "module": item.module,
            "parent_id": item.parent_id,
            "raw_parent": raw.parent,
            "generics": raw.generics,
            "where_clause": raw.where_clause,
            "signature": raw.signature,
            "docs": raw.docs,
            "attrs": _attrs_json(raw.attrs),
            "deprecated": raw.attrs.deprecated,
            "line_start": raw.line_start,
            "line_end": raw.line_end,
            "byte_start": raw.byte_start,
            "byte_end": raw.byte_end,
            "fingerprint": raw.fingerprint,
            "in_macro": raw.in_macro,
            "macro_name": raw.macro_name,
            "impl_trait": raw.impl_trait,
            "impl_self": raw.impl_self,
            "mod_inline": raw.mod_inline,
            "is_unsafe": raw.is_unsafe,
            "is_async": raw.is_async,
            "is_const": raw.is_const,
            "supertraits": _json(raw.supertraits),
            "uses": _uses_json(raw.uses),
            "refs": _refs_json(raw.refs),
        },
    )


def item_path_rows(item: Item) -> list[Row]:
    """The canonical path (public or not) and every public path of one item."""
    public_paths = set(item.paths)
    rows = []
    for path in sorted(public_paths | {item.path}):
        rows.append(
            _ordered(
                ITEM_PATHS,
                {
                    "crate_id": item.crate_id,
                    "item_id": item.item_id,
                    "path": path,
                    "rev": reversed_path(path),
                    "canonical": path == item.path,
                    "public": path in public_paths,
                    "kind": item.kind,
                },
            )
        )
    return rows


# Edges are the most numerous rows: they are built as lists directly, in this order,
# which the schema must keep (checked at import).
_EDGE_ORDER = ("crate_id", "src", "kind", "target", "line", "dst", "via")
if EDGES.column_names != _EDGE_ORDER:
    raise RuntimeError("the EDGES columns changed: update edge_rows")


def edge_rows(crate_id: str, edges: Iterable[Edge]) -> list[Row]:
    # The key is (crate, src, kind, target, line): duplicates collapse, the last one wins,
    # exactly as Cozo's :put would resolve them, but without sending them.
    by_key: dict[tuple[str, str, str, int], Row] = {}
    for e in edges:
        by_key[(e.src, e.kind, e.target, e.line)] = [
            crate_id,
            e.src,
            e.kind,
            e.target,
            e.line,
            e.dst,
            e.via,
        ]
    return list(by_key.values())


def problem_rows(resolved: ResolvedCrate) -> list[Row]:
    return problem_rows_of(resolved.crate.crate_id, resolved.problems, resolved.files)


def problem_rows_of(
    crate_id: str, crate_problems: Iterable[Problem], files: Iterable[ParsedFile]
) -> list[Row]:
    problems = [*crate_problems, *(p for f in files for p in f.problems)]
    by_key: dict[tuple[str, int, str], Row] = {}
    for p in problems:
        by_key[(p.file, p.line, p.reason)] = _ordered(
            PROBLEMS,
            {
                "crate_id": crate_id,
                "file": p.file,
                "line": p.line,
                "reason": p.reason,
                "severity": p.severity,
            },
        )
    return list(by_key.values())


def rows_of(resolved: ResolvedCrate) -> dict[str, list[Row]]:
    """Every row of one crate, by relation name."""
    crate_id = resolved.crate.crate_id
    rows = {
        FILES.name: file_rows(resolved),
        MODULES.name: module_rows(resolved),
        ITEMS.name: [item_row(i) for i in resolved.items],
        ITEM_PATHS.name: [row for i in resolved.items for row in item_path_rows(i)],
        EDGES.name: edge_rows(crate_id, resolved.edges),
        PROBLEMS.name: problem_rows(resolved),
    }
    counts = {name: len(r) for name, r in rows.items()}
    return {CRATES.name: crate_rows(resolved, counts), **rows}


def crate_of_item(item_id: str) -> str:
    """An item id starts with its crate's id (`clap@4.0.32|clap::Command|struct`)."""
    return item_id.partition("|")[0]


def crate_keyed(item_ids: Iterable[str]) -> list[list[str]]:
    """[crate id, item id] pairs: relations owned by a crate are keyed by the two, and
    a query given both looks each up by key instead of joining `items` for the crate."""
    return [[crate_of_item(i), i] for i in item_ids]
