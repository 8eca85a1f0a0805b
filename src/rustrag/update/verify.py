"""`rustrag status --verify`: does the index agree with itself and with the disk?

Corruption (the index contradicts itself) and staleness (the sources moved on since the
last run) are told apart: the first means "roll back or rebuild", the second "run
`rustrag index`". Checks, cheapest first:

* rows: every crate's recorded row counts equal the rows present; every file, item,
  path and edge row belongs to a stored crate; parents, path owners and edge sources
  exist; resolved edge targets exist (in any crate);
* crate states: every crate carries the state its write recorded, and its dependency
  digest matches its dependencies' current export digests. Each crate is written in one
  transaction, so a killed run leaves every crate whole, but a dependent it did not reach
  may still be resolved against a dependency's previous exports: reported as
  "interrupted", which the next run repairs (it re-resolves exactly those crates);
* files: every stored file still has its size, mtime and blake3 on disk (stale, not
  corrupt, when not);
* search snapshots (`search/bm25` with its row facts, `search/vectors`, when present):
  their checksums, and that their live ids are items of the index.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import blake3

from rustrag.index.idlist import IdList
from rustrag.index.snapshot import SnapshotError
from rustrag.index.vectors import VectorIndex
from rustrag.retrieve import layout
from rustrag.retrieve.build import load_lexical
from rustrag.store import Store
from rustrag.store.cozo_db import CozoDb
from rustrag.store.delta import read_file_states, read_meta_prefix
from rustrag.update.crate_state import CRATE_STATE_PREFIX, CrateState, deps_digest
from rustrag.update.verify_rows import orphan_rows

Severity = Literal["corrupt", "interrupted", "stale", "damaged_snapshot"]
# Problems listed per check before the rest is only counted.
_SHOWN = 20


@dataclass(slots=True)
class Finding:
    check: str
    severity: Severity
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "severity": self.severity, "detail": self.detail}


@dataclass(slots=True)
class VerifyReport:
    checks: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def corrupt(self) -> bool:
        return any(f.severity == "corrupt" for f in self.findings)

    @property
    def clean(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        return {
            "clean": self.clean,
            "corrupt": self.corrupt,
            "checks": self.checks,
            "findings": [f.to_json() for f in self.findings],
        }


# (check name, message prefix) of the orphan checks `verify_rows.orphan_rows` answers:
# rows whose crate, parent item, file row or edge source is missing from their database.
_ORPHAN_CHECKS: tuple[tuple[str, str], ...] = (
    ("files belong to crates", "file row of an unknown crate"),
    ("items belong to crates", "item of an unknown crate"),
    ("item parents exist", "item whose parent is missing"),
    ("item files are stored", "item in a file with no file row"),
    ("paths belong to items", "path of a missing item"),
    ("edge sources exist", "edge from a missing item"),
)

# Edges may point into another database (a dependency's shard): the targets missing from
# the edge's own database are looked up across the whole store afterwards.
_EDGE_TARGETS = ("edge targets exist", "edge to a missing item")


def _rows_check(db: CozoDb, report: VerifyReport) -> list[list[Any]]:
    """The orphan checks on one database; returns its edges whose target it lacks."""
    found, dangling = orphan_rows(db)
    for name, message in _ORPHAN_CHECKS:
        _report_rows(report, name, message, found[name])
    return dangling


def _report_rows(report: VerifyReport, name: str, message: str, rows: list[Any]) -> None:
    for row in rows[:_SHOWN]:
        report.findings.append(Finding(name, "corrupt", f"{message}: {row}"))
    if len(rows) > _SHOWN:
        report.findings.append(Finding(name, "corrupt", f"... {len(rows) - _SHOWN} more"))


def _all_rows_checks(store: Store, report: VerifyReport) -> None:
    """Every database of the index (its own and each dependency shard) on its own, then
    edge targets across all of them."""
    report.checks.extend(name for name, _ in _ORPHAN_CHECKS)
    report.checks.append(_EDGE_TARGETS[0])
    per_database = store._each_database(lambda db, _crate: _rows_check(db, report))
    dangling = [row for rows in per_database for row in rows]
    found = {i.item_id for i in store.items(sorted({str(r[2]) for r in dangling}))}
    missing = [r for r in dangling if str(r[2]) not in found]
    _report_rows(report, *_EDGE_TARGETS, missing)


# Per-crate row counts, every key column bound so that rows (not first keys) are counted.
_COUNT_QUERIES: dict[str, str] = {
    "files": "?[c, count(r)] := *files{crate_id: c, rel_path: r}",
    "modules": "?[c, count(p)] := *modules{crate_id: c, path: p}",
    "items": "?[c, count(i)] := *items{item_id: i, crate_id: c}",
    "item_paths": "?[c, count(p)] := *item_paths{crate_id: c, item_id: i, path: p}",
    "edges": "?[c, count(s)] := *edges{crate_id: c, src: s, kind: k, target: t, line: l}",
    "problems": "?[c, count(f)] := *problems{crate_id: c, file: f, line: l, reason: r}",
}


def _all_counts_checks(store: Store, report: VerifyReport) -> None:
    report.checks.append(_COUNTS_CHECK)
    shards = set(store.shard_folders())
    # a shard crate's rows are counted in its shard, not in this index's database
    store._each_database(
        lambda db, crate: _counts_check(db, report, skip=shards if crate is None else set())
    )


_COUNTS_CHECK = "row counts match the writes"


def _counts_check(db: CozoDb, report: VerifyReport, skip: set[str]) -> None:
    """Each crate's rows against the counts its write recorded. A write records the rows
    it sent; Cozo's :put collapses rows sharing a key (two cfg'd `mod` items naming one
    module), so fewer rows than recorded is normal, more is not, and none at all where
    some were written means rows were lost."""
    name = _COUNTS_CHECK
    recorded: dict[str, dict[str, int]] = {}
    for crate_id, counts in db.query("?[c, rc] := *crates{crate_id: c, row_counts: rc}"):
        if str(crate_id) in skip:
            continue
        recorded[str(crate_id)] = {k: int(v) for k, v in json.loads(counts).items()}
    for relation, query in _COUNT_QUERIES.items():
        actual = {str(c): int(n) for c, n in db.query(query)}
        for crate_id, counts in sorted(recorded.items()):
            want, got = counts.get(relation, 0), actual.get(crate_id, 0)
            if got > want or (want and not got):
                report.findings.append(
                    Finding(name, "corrupt", f"{crate_id} {relation}: {got} rows, {want} written")
                )


def _states_check(store: Store, report: VerifyReport) -> None:
    name = "crates resolved against their dependencies' current exports"
    report.checks.append(name)
    crates = {c.crate.crate_id: c.crate for c in store.crates()}
    states: dict[str, CrateState] = {}
    for key, value in read_meta_prefix(store, CRATE_STATE_PREFIX).items():
        state = CrateState.from_json(value)
        if state is not None:
            states[key[len(CRATE_STATE_PREFIX) :]] = state
    digests = {crate_id: s.export_digest for crate_id, s in states.items()}
    for crate_id, crate in sorted(crates.items()):
        state = states.get(crate_id)
        if state is None:
            report.findings.append(
                Finding(name, "stale", f"{crate_id}: no recorded state (written by an older run)")
            )
        elif state.deps_digest != deps_digest(crate, digests):
            report.findings.append(
                Finding(
                    name,
                    "interrupted",
                    f"{crate_id}: resolved against other exports of its dependencies, or "
                    "by another rustrag version (a run stopped before reaching it, or an "
                    "upgrade; `rustrag index` repairs it)",
                )
            )


def _files_check(store: Store, report: VerifyReport, hash_files: bool) -> None:
    name = "stored files match the disk"
    report.checks.append(name)
    roots = {c.crate.crate_id: c.crate.root for c in store.crates()}
    stale: list[str] = []
    for crate_id, files in read_file_states(store).items():
        root = roots.get(crate_id, "")
        for rel, (size, mtime_ns, digest) in files.items():
            path = os.path.join(root, rel)
            try:
                info = os.stat(path)
            except OSError:
                stale.append(f"{path}: gone")
                continue
            if (info.st_size, info.st_mtime_ns) != (size, mtime_ns):
                stale.append(f"{path}: changed since the last index run")
            elif hash_files and digest and _digest(path) != digest:
                stale.append(f"{path}: content differs from its stored blake3")
    for line in stale[:_SHOWN]:
        report.findings.append(Finding(name, "stale", line))
    if len(stale) > _SHOWN:
        report.findings.append(Finding(name, "stale", f"... {len(stale) - _SHOWN} more files"))


def _digest(path: str) -> str:
    try:
        return blake3.blake3().update_mmap(path).hexdigest()
    except OSError:
        return ""


def _live_ids(ids: IdList, dead: Any) -> set[str]:
    return {ids[row] for row in range(len(ids)) if not bool(dead[row])}


def _search_check(index_dir: Path, report: VerifyReport, item_ids: Callable[[], set[str]]) -> None:
    """The lexical snapshot (with its row facts) and the vector snapshot, when present."""
    checks: list[tuple[str, Path, Callable[[], Any]]] = [
        ("lexical snapshot", layout.bm25_dir(index_dir), lambda: load_lexical(index_dir)[0]),
        (
            "vector snapshot",
            layout.vectors_dir(index_dir),
            lambda: VectorIndex.load(layout.vectors_dir(index_dir)),
        ),
    ]
    for name, folder, load in checks:
        if not folder.is_dir():
            continue
        report.checks.append(name)
        try:
            index = load()
        except SnapshotError as exc:
            report.findings.append(
                Finding(name, "damaged_snapshot", f"{exc}; the next `rustrag index` rebuilds it")
            )
            continue
        unknown = _live_ids(index.ids, index._dead) - item_ids()
        if unknown:
            sample = ", ".join(sorted(unknown)[:3])
            report.findings.append(
                Finding(name, "stale", f"{len(unknown)} ids not in the index (e.g. {sample})")
            )


def verify_index(store: Store, index_dir: Path, *, hash_files: bool = True) -> VerifyReport:
    report = VerifyReport()
    _all_rows_checks(store, report)
    _all_counts_checks(store, report)
    _states_check(store, report)
    _files_check(store, report, hash_files)
    ids: set[str] | None = None

    def item_ids() -> set[str]:
        nonlocal ids
        if ids is None:
            ids = {
                str(r[0])
                for rows in store._each_database(
                    lambda db, _crate: db.query("?[i] := *items{item_id: i}")
                )
                for r in rows
            }
        return ids

    _search_check(Path(index_dir), report, item_ids)
    return report
