"""The orphan checks of `status --verify` (rustrag.update.verify), as set lookups.

Written as Datalog negations (`*edges{src: s}, not *items{item_id: s}`) they cost ~110 s
on a 1M-line index (240k items, 614k edges; 2 shared cores under load): Cozo answers each
negation row by row. Reading each relation's key columns once and checking membership in
Python sets gives the same rows in ~12 s. The rows that fail a check are few (none in a
sound index), so their other columns are fetched only for them.
"""

from __future__ import annotations

from typing import Any

from rustrag.store.cozo_db import CozoDb

Rows = list[list[Any]]


def _column(db: CozoDb, query: str) -> set[str]:
    return {str(row[0]) for row in db.query(query)}


def orphan_rows(db: CozoDb) -> tuple[dict[str, Rows], Rows]:
    """Per check name (verify._ORPHAN_CHECKS), the offending rows; and the edges
    (src, kind, dst) whose resolved target this database lacks."""
    crates = _column(db, "?[c] := *crates{crate_id: c}")
    items = db.query("?[i, c, p, f] := *items{item_id: i, crate_id: c, parent_id: p, file: f}")
    item_ids = {str(row[0]) for row in items}
    files = {(str(c), str(r)) for c, r in db.query("?[c, r] := *files{crate_id: c, rel_path: r}")}
    found: dict[str, Rows] = {
        "files belong to crates": sorted([c, r] for c, r in files if c not in crates),
        "items belong to crates": sorted([c, i] for i, c, _p, _f in items if c not in crates),
        "item parents exist": sorted(
            [i, p] for i, _c, p, _f in items if p is not None and p not in item_ids
        ),
        "item files are stored": sorted(
            [i, f] for i, c, _p, f in items if (str(c), str(f)) not in files
        ),
    }
    found["paths belong to items"] = _rows_naming_missing(
        db,
        item_ids,
        "?[i] := *item_paths{item_id: i}",
        "?[i, p] := i in $ids, *item_paths{item_id: i, path: p}",
    )
    found["edge sources exist"] = _rows_naming_missing(
        db,
        item_ids,
        "?[s] := *edges{src: s}",
        "?[s, k, t] := s in $ids, *edges{src: s, kind: k, target: t}",
    )
    dangling = _rows_naming_missing(
        db,
        item_ids,
        "?[d] := *edges{dst: d}, !is_null(d)",
        "?[s, k, d] := *edges{src: s, kind: k, dst: d}, !is_null(d), is_in(d, $ids)",
    )
    return found, dangling


def _rows_naming_missing(db: CozoDb, item_ids: set[str], names: str, rows: str) -> Rows:
    """The `rows` (a query over `$ids`) of the item ids that `names` (a one-column query)
    lists but `item_ids` lacks; no second query when there are none."""
    lost = sorted(_column(db, names) - item_ids)
    return db.query(rows, {"ids": lost}) if lost else []
