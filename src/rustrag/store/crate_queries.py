"""Reads about whole crates: crates, files, modules, problems, exports, counts."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from rustrag.model import ExportTable, Item, ModuleNode
from rustrag.store.cozo_db import CozoDb
from rustrag.store.decode import (
    columns,
    crate_from_row,
    file_from_row,
    item_from_row,
    module_from_row,
    problem_from_row,
)
from rustrag.store.records import CrateProblem, StoredCrate, StoredFile, StoreStats
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

_CRATE_COLUMNS = columns(CRATES)
_ITEM_COLUMNS = columns(ITEMS)


def crates(db: CozoDb) -> list[StoredCrate]:
    rows = db.query(f"?[{_CRATE_COLUMNS}] := *crates{{{_CRATE_COLUMNS}}} :order crate_id")
    return [crate_from_row(r) for r in rows]


def crate(db: CozoDb, crate_id: str) -> StoredCrate | None:
    rows = db.query(
        f"?[{_CRATE_COLUMNS}] := crate_id = $id, *crates{{{_CRATE_COLUMNS}}}", {"id": crate_id}
    )
    return crate_from_row(rows[0]) if rows else None


def crate_ids(db: CozoDb) -> list[str]:
    return sorted(r[0] for r in db.query("?[crate_id] := *crates{crate_id}"))


def _owned_rows(db: CozoDb, relation: str, cols: str, crate_id: str) -> list[list[Any]]:
    return db.query(f"?[{cols}] := crate_id = $id, *{relation}{{{cols}}}", {"id": crate_id})


def files(db: CozoDb, crate_id: str) -> list[StoredFile]:
    rows = _owned_rows(db, FILES.name, columns(FILES), crate_id)
    return sorted((file_from_row(r) for r in rows), key=lambda f: f.rel_path)


def modules(db: CozoDb, crate_id: str) -> list[ModuleNode]:
    rows = _owned_rows(db, MODULES.name, columns(MODULES), crate_id)
    return sorted((module_from_row(r) for r in rows), key=lambda m: m.path)


def problems(db: CozoDb, crate_id: str | None = None) -> list[CrateProblem]:
    cols = columns(PROBLEMS)
    if crate_id is None:
        rows = db.query(f"?[{cols}] := *problems{{{cols}}}")
    else:
        rows = _owned_rows(db, PROBLEMS.name, cols, crate_id)
    return sorted_problems([problem_from_row(r) for r in rows])


def sorted_problems(found: list[CrateProblem]) -> list[CrateProblem]:
    return sorted(found, key=lambda p: (p.crate_id, p.problem.file, p.problem.line))


def export_table(db: CozoDb, crate_id: str) -> ExportTable | None:
    """The public paths and exported macros of one crate; None when it is not indexed."""
    stored = crate(db, crate_id)
    if stored is None:
        return None
    table = ExportTable(crate_id=crate_id, extern_name=stored.crate.extern_name)
    rows = db.query(
        "?[path, item_id, kind] := crate_id = $id, *item_paths{crate_id, item_id, path, "
        "public, kind}, public",
        {"id": crate_id},
    )
    for path, item_id, kind in sorted(rows):
        table.paths.setdefault(path, []).append((item_id, kind))
    # find macros through item_paths.kind (a prefix scan) and read only their items:
    # filtering items on kind made Cozo read every item of the crate (0.9 s for 20k)
    macros = db.query(
        "macro[item_id] := *item_paths{crate_id: $id, item_id, canonical, kind}, canonical, "
        "kind = 'macro_rules'\n"
        "?[name, item_id, attrs] := macro[item_id], *items{item_id, name, attrs}",
        {"id": crate_id},
    )
    for name, item_id, attrs in sorted(macros):
        if json.loads(attrs).get("macro_export"):
            table.macros[name] = item_id
    return table


def crate_items(db: CozoDb, crate_id: str) -> list[Item]:
    """Every item of one crate with its public paths, in file and line order."""
    rows = db.query(
        f"?[{_ITEM_COLUMNS}] := *items:by_crate{{crate_id: $id, item_id}}, "
        f"*items{{{_ITEM_COLUMNS}}}",
        {"id": crate_id},
    )
    path_rows = db.query(
        "?[item_id, path] := crate_id = $id, *item_paths{crate_id, item_id, path, public}, public",
        {"id": crate_id},
    )
    paths_of: dict[str, list[str]] = {}
    for item_id, path in path_rows:
        paths_of.setdefault(item_id, []).append(path)
    return sorted(
        (item_from_row(r, paths_of.get(r[0], [])) for r in rows),
        key=lambda i: (i.file, i.raw.line_start, i.item_id),
    )


def export_rows(db: CozoDb, crate_id: str) -> list[dict[str, object]]:
    """One flat dict per item of a crate, for `rustrag export` and rustdoc comparison."""
    stored = crate(db, crate_id)
    if stored is None:
        return []
    items = crate_items(db, crate_id)
    return [
        {
            "item_id": i.item_id,
            "kind": i.kind,
            "name": i.name,
            "path": i.path,
            "paths": i.paths,
            "public": i.public,
            "visibility": i.visibility,
            "crate": stored.crate.name,
            "version": stored.crate.version,
            "file": i.file,
            "line_start": i.raw.line_start,
            "line_end": i.raw.line_end,
            "fingerprint": i.raw.fingerprint,
            "in_macro": i.raw.in_macro,
            "macro_name": i.raw.macro_name,
            "signature": i.raw.signature,
            "docs": i.raw.docs,
            "deprecated": i.raw.attrs.deprecated,
            "parent_id": i.parent_id,
        }
        for i in items
    ]


def _count(db: CozoDb, relation: Relation) -> int:
    # bind every key column: the count is of rows, not of distinct first keys
    keys = ", ".join(relation.key_names)
    rows = db.query(f"?[count({relation.key_names[0]})] := *{relation.name}{{{keys}}}")
    return int(rows[0][0]) if rows else 0


def count_rows(db: CozoDb) -> dict[str, int]:
    """Exact row counts by scanning every relation (about 1 s per 500k rows)."""
    return {r.name: _count(db, r) for r in CRATE_RELATIONS}


def db_bytes(db_file: Path) -> int:
    """Size of the database and its write-ahead log and shared-memory index."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        part = db_file.with_name(db_file.name + suffix)
        if part.exists():
            total += part.stat().st_size
    return total


def stats(db: CozoDb) -> StoreStats:
    """Counts as recorded by each crate's write: one small read, no scans."""
    totals: dict[str, int] = {}
    # crate_id is selected too: a query result is a set, and two crates with identical
    # counts would otherwise collapse into one row.
    rows = db.query("?[crate_id, row_counts] := *crates{crate_id, row_counts}")
    for _, counts in rows:
        for name, n in json.loads(counts).items():
            totals[name] = totals.get(name, 0) + int(n)
    return StoreStats(
        crates=len(rows),
        files=totals.get(FILES.name, 0),
        items=totals.get(ITEMS.name, 0),
        item_paths=totals.get(ITEM_PATHS.name, 0),
        edges=totals.get(EDGES.name, 0),
        problems=totals.get(PROBLEMS.name, 0),
        modules=totals.get(MODULES.name, 0),
        db_bytes=db_bytes(db.path),
    )


def total_lines(db: CozoDb) -> int:
    rows = db.query("?[sum(lines)] := *files{crate_id, rel_path, lines}")
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def rebased_file(stored: StoredFile, root: str) -> StoredFile:
    """A file row of a shard, with the absolute path of this project's copy."""
    if not root:
        return stored
    return replace(stored, abs_path=str(Path(root) / stored.rel_path))
