"""Replacing and deleting one crate's rows, all inside one transaction.

Atomicity comes from SQLite: everything a crate write does (removing the old rows,
putting the new ones in batches, bumping the commit sequence) runs in one
`multi_transact`, which Cozo's SQLite engine maps to one `BEGIN ... COMMIT` on one
connection. A process killed at any point leaves either the old crate or the new one;
the kill -9 test in tests/test_store_atomicity.py checks exactly that. No staging
generation is needed, and readers (in WAL mode) keep seeing the old crate until COMMIT.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rustrag.model import CrateSource, ResolvedCrate
from rustrag.store.cozo_db import Transaction
from rustrag.store.encode import crate_row, rows_of
from rustrag.store.records import WriteStats
from rustrag.store.schema import (
    CRATE_RELATIONS,
    CRATES,
    ITEMS,
    META_COMMIT_SEQ,
    Relation,
)
from rustrag.store.shards import shard_key

# Rows per `:put` statement. Batches bound the size of one parameter list; they do not
# commit, so their size only trades Python-to-Rust conversion overhead against memory.
BATCH_ROWS = 10_000


def _delete_script(relation: Relation) -> str:
    keys = ", ".join(relation.key_names)
    if relation is CRATES:
        return f"?[crate_id] <- [[$crate_id]] :rm {relation.name} {{{keys}}}"
    if relation is ITEMS:
        # items are keyed by item_id alone: the by_crate index finds them
        return "?[item_id] := *items:by_crate{crate_id: $crate_id, item_id} :rm items {item_id}"
    # every other crate-owned relation has crate_id as its first key: a prefix scan
    return (
        f"?[{keys}] := crate_id = $crate_id, *{relation.name}{{{keys}}} "
        f":rm {relation.name} {{{keys}}}"
    )


def delete_crate_rows(tx: Transaction, crate_id: str) -> None:
    """Every row of the crate in this database, and its shard registration if any (the
    shard itself is the machine cache's and stays)."""
    for relation in CRATE_RELATIONS:
        tx.run(_delete_script(relation), {"crate_id": crate_id})
    tx.run("?[key] <- [[$key]] :rm meta {key}", {"key": shard_key(crate_id)})


def attach_shard_rows(
    tx: Transaction,
    crate: CrateSource,
    folder: Path,
    row_counts: dict[str, int],
    meta: dict[str, str],
) -> None:
    """A crate whose rows live in a shard: its `crates` row here, and the shard's name."""
    delete_crate_rows(tx, crate.crate_id)
    put_rows(tx, CRATES, [crate_row(crate, row_counts)])
    puts = {**meta, shard_key(crate.crate_id): str(folder)}
    tx.run(
        "?[key, value] <- $rows :put meta {key => value}",
        {"rows": [[k, v] for k, v in sorted(puts.items())]},
    )


def bump_commit_seq(tx: Transaction) -> int:
    rows = tx.run("?[value] := *meta{key: $key, value}", {"key": META_COMMIT_SEQ})
    seq = int(rows[0][0]) + 1 if rows else 1
    tx.run(
        "?[key, value] <- [[$key, $value]] :put meta {key => value}",
        {"key": META_COMMIT_SEQ, "value": str(seq)},
    )
    return seq


def put_rows(tx: Transaction, relation: Relation, rows: list[list[Any]]) -> None:
    script = relation.put_script("rows")
    for start in range(0, len(rows), BATCH_ROWS):
        tx.run(script, {"rows": rows[start : start + BATCH_ROWS]})


def replace_crate_rows(tx: Transaction, resolved: ResolvedCrate) -> WriteStats:
    started = time.perf_counter()
    crate_id = resolved.crate.crate_id
    rows = rows_of(resolved)
    delete_crate_rows(tx, crate_id)
    for relation in CRATE_RELATIONS:
        put_rows(tx, relation, rows[relation.name])
    bump_commit_seq(tx)
    return WriteStats(
        crate_id=crate_id,
        rows={name: len(r) for name, r in rows.items()},
        seconds=time.perf_counter() - started,
    )
