"""A warm writer's copy of a crate's stored rows, keyed, and deltas against it.

`delta.diff_crate_rows` compares two row lists, keying both every time: for a 57k-line
crate that is ~0.25 s of dictionary building after a one-line edit. A watch process keeps
each crate's rows keyed between runs instead, so a full re-resolve costs one keying of
the new rows, and an incremental resolve (rustrag.resolve.incremental) costs only the
rows it names: the changed items, their paths, the edges of the recomputed slots, the
edited files' rows, and the crate's small relations (modules, problems, crate row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rustrag.model import CrateSource, Edge, Item, ModuleNode, ParsedFile, Problem
from rustrag.store.delta import CrateDelta, RelationDelta, Row, RowsByRelation
from rustrag.store.encode import (
    crate_row,
    edge_rows,
    file_row,
    item_path_rows,
    item_row,
    module_rows_of,
    problem_rows_of,
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
    RELATIONS_BY_NAME,
)

Key = tuple[Any, ...]
KeyedRows = dict[str, dict[Key, tuple[Any, ...]]]  # relation -> key columns -> whole row


def _width(name: str) -> int:
    return len(RELATIONS_BY_NAME[name].keys)


def keyed_rows(rows: Mapping[str, Sequence[Row]]) -> KeyedRows:
    """Rows by relation and key; rows sharing a key collapse to the last (as :put does)."""
    out: KeyedRows = {}
    for relation in CRATE_RELATIONS:
        width = len(relation.keys)
        out[relation.name] = {tuple(row[:width]): tuple(row) for row in rows.get(relation.name, [])}
    return out


def diff_keyed(crate_id: str, old: KeyedRows, new: RowsByRelation) -> tuple[CrateDelta, KeyedRows]:
    """The delta from `old` to `new` (a whole crate's rows), and `new` keyed."""
    new_keyed = keyed_rows(new)
    delta = CrateDelta(crate_id)
    for relation in CRATE_RELATIONS:
        before = old.get(relation.name, {})
        after = new_keyed[relation.name]
        delta.relations[relation.name] = RelationDelta(
            puts=[list(row) for key, row in after.items() if before.get(key) != row],
            removes=[list(key) for key in before if key not in after],
        )
    return delta, new_keyed


@dataclass(slots=True)
class RowChanges:
    """Per relation: keys whose rows may have changed or vanished, and the new rows.
    A relation in `replace` is given whole (its rows stand for all of the crate's)."""

    keys: dict[str, set[Key]] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    replace: set[str] = field(default_factory=set)

    def old(self, relation: str, keys: Iterable[Key]) -> None:
        self.keys.setdefault(relation, set()).update(keys)

    def new(self, relation: str, rows: Iterable[Row]) -> None:
        self.rows.setdefault(relation, []).extend(rows)


def patch_keyed(crate_id: str, warm: KeyedRows, changes: RowChanges) -> CrateDelta:
    """Apply `changes` to `warm` in place and return what the store must do."""
    delta = CrateDelta(crate_id)
    for relation in CRATE_RELATIONS:
        name = relation.name
        width = len(relation.keys)
        table = warm.setdefault(name, {})
        new_by_key = {tuple(row[:width]): tuple(row) for row in changes.rows.get(name, [])}
        candidates = set(table) if name in changes.replace else changes.keys.get(name, set())
        rel_delta = RelationDelta()
        for key, row in new_by_key.items():
            if table.get(key) != row:
                rel_delta.puts.append(list(row))
                table[key] = row
        for key in candidates:
            if key not in new_by_key and key in table:
                rel_delta.removes.append(list(key))
                del table[key]
        delta.relations[name] = rel_delta
    return delta


def item_keys(item: Item) -> tuple[Key, list[Key]]:
    """The item's key in `items` and its keys in `item_paths`."""
    paths = sorted(set(item.paths) | {item.path})
    return (item.item_id,), [(item.crate_id, item.item_id, path) for path in paths]


def patch_changes(
    crate: CrateSource,
    old_items: Iterable[Item | None],
    new_items: Iterable[Item | None],
    edge_keys: Iterable[tuple[str, str, str, int]],
    new_edges: Iterable[Edge],
    files: Iterable[tuple[ParsedFile, str | None, bool]],
    modules: list[ModuleNode] | None,
    problems: list[Problem],
    all_files: Iterable[ParsedFile],
) -> RowChanges:
    """The rows an incremental update touches. `edge_keys` are (src, kind, target, line)
    of the edges that may have changed, `new_edges` the edges now stored under them;
    `files` are (file, module, linked) of the edited files; `modules` the module nodes
    when they moved (None: unchanged)."""
    crate_id = crate.crate_id
    changes = RowChanges()
    for item in old_items:
        if item is not None:
            key, path_keys = item_keys(item)
            changes.old(ITEMS.name, [key])
            changes.old(ITEM_PATHS.name, path_keys)
    for item in new_items:
        if item is not None:
            changes.new(ITEMS.name, [item_row(item)])
            changes.new(ITEM_PATHS.name, item_path_rows(item))
    changes.old(EDGES.name, ((crate_id, *key) for key in edge_keys))
    changes.new(EDGES.name, edge_rows(crate_id, new_edges))
    for parsed, module, linked in files:
        changes.old(FILES.name, [(crate_id, parsed.rel_path)])
        changes.new(FILES.name, [file_row(crate_id, parsed, module, linked)])
    if modules is not None:
        changes.new(MODULES.name, module_rows_of(crate_id, modules))
        changes.replace.add(MODULES.name)
    changes.new(PROBLEMS.name, problem_rows_of(crate_id, problems, all_files))
    changes.replace.add(PROBLEMS.name)
    return changes


def finish_crate_row(
    crate: CrateSource, warm: KeyedRows, module_count: int, delta: CrateDelta
) -> None:
    """Put the crate's row (its stamp and row counts) into `delta` and `warm`."""
    counts = {
        FILES.name: len(warm.get(FILES.name, {})),
        MODULES.name: module_count,
        ITEMS.name: len(warm.get(ITEMS.name, {})),
        ITEM_PATHS.name: len(warm.get(ITEM_PATHS.name, {})),
        EDGES.name: len(warm.get(EDGES.name, {})),
        PROBLEMS.name: len(warm.get(PROBLEMS.name, {})),
    }
    row = crate_row(crate, counts)
    width = _width(CRATES.name)
    warm.setdefault(CRATES.name, {})[tuple(row[:width])] = tuple(row)
    delta.relations[CRATES.name] = RelationDelta(puts=[row])
