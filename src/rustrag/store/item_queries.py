"""Reads about items: by id, by name or path, children, paths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rustrag.model import Item
from rustrag.store.cozo_db import CozoDb
from rustrag.store.decode import columns, item_from_row
from rustrag.store.encode import crate_keyed, reversed_path
from rustrag.store.records import MATCH_RANK, ItemMatch, ItemPath, MatchKind
from rustrag.store.schema import ITEMS

_ITEM_COLUMNS = columns(ITEMS)

# find_items orders hits by one number: match kind first, then public before private,
# then shorter paths (`clap::Command` before `clap::builder::command::Command`).
_RANK_STEP = 100_000
_PRIVATE_PENALTY = 10_000


def items_by_ids(db: CozoDb, item_ids: Sequence[str]) -> dict[str, Item]:
    """The items among `item_ids` that exist, each with its public paths."""
    if not item_ids:
        return {}
    ids = sorted(set(item_ids))
    rows = db.query(
        f"?[{_ITEM_COLUMNS}] := item_id in $ids, *items{{{_ITEM_COLUMNS}}}", {"ids": ids}
    )
    paths = db.query(
        "wanted[crate_id, item_id] <- $keys "
        "?[item_id, path] := wanted[crate_id, item_id], "
        "*item_paths{crate_id, item_id, path, public}, public",
        {"keys": crate_keyed(ids)},
    )
    paths_of: dict[str, list[str]] = {}
    for item_id, path in paths:
        paths_of.setdefault(item_id, []).append(path)
    return {row[0]: item_from_row(row, paths_of.get(row[0], [])) for row in rows}


def item(db: CozoDb, item_id: str) -> Item | None:
    return items_by_ids(db, [item_id]).get(item_id)


def ordered_items(db: CozoDb, item_ids: Sequence[str]) -> list[Item]:
    """Items in the order of `item_ids`, skipping ids that do not exist."""
    found = items_by_ids(db, item_ids)
    return [found[i] for i in dict.fromkeys(item_ids) if i in found]


def item_paths(db: CozoDb, item_id: str) -> list[ItemPath]:
    rows = db.query(
        "?[path, canonical, public] := item_id = $id, *items{item_id, crate_id}, "
        "*item_paths{crate_id, item_id, path, canonical, public}",
        {"id": item_id},
    )
    return sorted(
        (ItemPath(path=p, canonical=c, public=pub) for p, c, pub in rows),
        key=lambda ip: (not ip.canonical, ip.path),
    )


def children(db: CozoDb, item_id: str) -> list[Item]:
    rows = db.query(
        "?[line_start, item_id] := *items:by_parent{parent_id: $id, item_id}, "
        "*items{item_id, line_start}",
        {"id": item_id},
    )
    return ordered_items(db, [r[1] for r in sorted(rows)])


def _filters(crate_id: str | None, kinds: Sequence[str] | None) -> str:
    parts = []
    if crate_id is not None:
        parts.append("crate_id = $crate_id")
    if kinds is not None:
        parts.append("is_in(kind, $kinds)")
    return "".join(f", {p}" for p in parts)


def _score(rank: int) -> str:
    return f"score = {rank * _RANK_STEP} + if(public, 0, {_PRIVATE_PENALTY}) + length(path)"


def _find_script(single_segment: bool, filters: str, limit: int) -> str:
    path_cols = "canonical, public, kind, crate_id, item_id, path"
    exact = (
        f"hit[item_id, path, score] := *item_paths:by_rev{{rev: $rev, {path_cols}}}{filters}, "
        f"rank = if(canonical, {MATCH_RANK['canonical']}, {MATCH_RANK['path']}), "
        f"score = rank * {_RANK_STEP} + if(public, 0, {_PRIVATE_PENALTY}) + length(path)"
    )
    # For one segment every path ending in it is a name match; for more it is a suffix.
    suffix_rank = MATCH_RANK["name"] if single_segment else MATCH_RANK["suffix"]
    suffix = (
        f"hit[item_id, path, score] := *item_paths:by_rev{{rev, {path_cols}}}, "
        f"rev >= $lo, rev < $hi{filters}, {_score(suffix_rank)}"
    )
    # No rule looks at items.name: resolve gives every named item a canonical path ending
    # in its name, so the range above finds them, and a join with items for a common
    # name ("new": 3.7k hits in the benchmark index) cost 40 ms.
    rules = [exact, suffix]
    return "\n".join(
        [
            *rules,
            "best[item_id, min(score)] := hit[item_id, _, score]",
            "?[score, path, item_id] := best[item_id, score], hit[item_id, path, score]",
            ":order score, path",
            # an item can tie with itself under two paths: fetch spares, dedupe in Python
            f":limit {2 * limit}",
        ]
    )


def _match_kind(score: int) -> MatchKind:
    rank = score // _RANK_STEP
    for kind, value in MATCH_RANK.items():
        if value == rank:
            return kind
    raise ValueError(f"unknown rank in score {score}")


def find_items(
    db: CozoDb,
    query: str,
    *,
    crate_id: str | None = None,
    kinds: Sequence[str] | None = None,
    limit: int = 50,
) -> list[ItemMatch]:
    """Items whose name, canonical path, public path or path suffix is `query`.

    Exact canonical paths rank first, then other exact paths, then exact names, then
    suffixes (`Command::new` finds `clap::builder::Command::new`).
    """
    text = query.strip().removeprefix("::")
    if not text or limit <= 0:
        return []
    single = "::" not in text
    rev = reversed_path(text)
    params: dict[str, Any] = {
        "rev": rev,
        "lo": rev + "::",
        "hi": rev + ":;",  # ";" follows ":" in code-point order: the end of the range
        "crate_id": crate_id,
        "kinds": list(kinds) if kinds is not None else [],
    }
    rows = db.query(_find_script(single, _filters(crate_id, kinds), limit), params)
    picked: dict[str, tuple[int, str]] = {}
    for score, path, item_id in rows:
        picked.setdefault(item_id, (score, path))
    chosen = list(picked.items())[:limit]
    found = items_by_ids(db, [item_id for item_id, _ in chosen])
    return [
        ItemMatch(item=found[item_id], matched_path=path, match=_match_kind(score))
        for item_id, (score, path) in chosen
        if item_id in found
    ]


def best_matches(matches: list[ItemMatch], limit: int) -> list[ItemMatch]:
    """Hits of several databases merged in the order `find_items` gives each one."""
    ranked = sorted(
        matches,
        key=lambda m: (
            MATCH_RANK[m.match],
            not m.item.public,
            len(m.matched_path),
            m.matched_path,
            m.item.item_id,
        ),
    )
    best: dict[str, ItemMatch] = {}
    for match in ranked:
        best.setdefault(match.item.item_id, match)
    return list(best.values())[:limit]
