"""Runs the stages in order: discover → parse (process pool) → resolve → store, incrementally.

This module only sequences the stages and moves their outputs along; it holds no Rust
knowledge of its own. Every run is incremental (a first run is the case where nothing
is stored yet), which is also what makes a run killed half-way resume where it stopped:

1. scan: stat every file against the stored (size, mtime); a moved stat is re-hashed; only
   a new blake3 (or a missing cache entry) makes a file to parse (rustrag.update.file_scan);
2. parse: those files only, in worker processes (tree-sitter holds the GIL); every parse
   lands in the parse cache (rustrag.update.parse_cache);
3. per crate, dependencies first (`_index_crate`): skip it when no file, no manifest
   field and no dependency export table changed (rustrag.update.crate_state); otherwise
   resolve it from cached parses and write only the rows that differ from the stored ones,
   with its state, in one transaction (rustrag.store.delta). A warm indexer (`rustrag
   watch`) first tries to update the crate's kept resolution for just the edited files
   (rustrag.update.warm, rustrag.resolve.incremental) and falls back to a full resolve.

The rows written are exactly those a clean index would write, so an incremental index and
a clean one export the same thing (tests/test_incremental.py checks it on real crates).
Resolution and writing stay in this process, so the store has exactly one writer.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rustrag.config import Limits
from rustrag.deps.artifact_cache import Artifact
from rustrag.deps.reuse import DependencyReuse, plan_dependency_reuse
from rustrag.discover import discover_workspace
from rustrag.model import CrateSource, ExportTable, ParsedFile, Problem, Workspace
from rustrag.parse import parse_file
from rustrag.resolve import export_table
from rustrag.resolve.crate import CrateResolution, resolve_crate_state
from rustrag.resolve.incremental import WarmCrate
from rustrag.store import Store, StoredCrate
from rustrag.store.delta import (
    CrateDelta,
    ItemChanges,
    RowsByRelation,
    delete_crate_and_meta,
    read_crate_rows,
    read_file_states,
    read_meta_prefix,
    read_total_lines,
    write_crate_delta,
)
from rustrag.store.encode import rows_of
from rustrag.store.schema import FILES
from rustrag.store.warm_rows import KeyedRows, diff_keyed, keyed_rows
from rustrag.update.crate_state import (
    CRATE_STATE_PREFIX,
    CrateState,
    deps_digest,
    export_digest,
    same_source,
    state_key,
)
from rustrag.update.file_scan import CrateScan, cached_loader, parse_with_cache, scan_crate
from rustrag.update.parse_cache import ParseCache, collect_parsers
from rustrag.update.runlog import record_run
from rustrag.update.snapshots import take_snapshot
from rustrag.update.warm import EDITABLE_SOURCES, patch_crate

# Below this many files a process pool costs more to start than it saves.
_POOL_THRESHOLD_FILES = 48


class Progress(Protocol):
    """What the pipeline tells its caller while it works (a progress bar, a log, nothing)."""

    def phase(self, name: str, total: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class _Silent:
    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass


@dataclass(slots=True)
class IndexReport:
    root: str
    index_dir: str
    crates: int = 0  # in the index after the run
    files: int = 0
    items: int = 0
    edges: int = 0
    lines: int = 0
    parse_seconds: float = 0.0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    # what this run did (the incremental part)
    crates_updated: list[str] = field(default_factory=list)  # re-resolved and diffed
    crates_skipped: int = 0  # unchanged: nothing read beyond a stat
    crates_removed: list[str] = field(default_factory=list)
    files_parsed: int = 0
    lines_parsed: int = 0
    rows_written: int = 0  # rows put or removed
    # crates brought up to date by an incremental resolve of their edited files (watch)
    crates_patched: list[str] = field(default_factory=list)
    # crate id -> why an incremental resolve was not possible (a full one ran instead)
    full_resolve_reasons: dict[str, str] = field(default_factory=dict)
    # crate id -> items and files its delta changed: the search refresh patches just those
    item_changes: dict[str, ItemChanges] = field(default_factory=dict)
    snapshot_id: str | None = None  # taken automatically before a dependency change

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "root": self.root,
            "index_dir": self.index_dir,
            "crates": self.crates,
            "files": self.files,
            "items": self.items,
            "edges": self.edges,
            "lines": self.lines,
            "seconds": round(self.seconds, 3),
            "parse_seconds": round(self.parse_seconds, 3),
            "crates_updated": self.crates_updated,
            "crates_skipped": self.crates_skipped,
            "crates_removed": self.crates_removed,
            "files_parsed": self.files_parsed,
            "lines_parsed": self.lines_parsed,
            "rows_written": self.rows_written,
            "crates_patched": self.crates_patched,
            "snapshot_id": self.snapshot_id,
            "warnings": len(self.problems),
        }


def _parse_task(task: tuple[str, str, int]) -> ParsedFile:
    abs_path, rel_path, max_bytes = task
    return parse_file(abs_path, rel_path, max_bytes=max_bytes)


def _parse_all(
    tasks: list[tuple[str, str, int]], workers: int, progress: Progress
) -> Iterable[ParsedFile]:
    progress.phase("parse", len(tasks))
    if workers <= 1 or len(tasks) < _POOL_THRESHOLD_FILES:
        for task in tasks:
            yield _parse_task(task)
            progress.advance()
        return
    # Big files first would balance better, but order by crate keeps memory flat; chunks of
    # a few files amortise the pickling round trip without starving the last worker.
    chunk = max(1, min(16, len(tasks) // (workers * 8) or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for parsed in pool.map(_parse_task, tasks, chunksize=chunk):
            yield parsed
            progress.advance()


def _dependency_order(crates: list[CrateSource]) -> list[CrateSource]:
    """Crates with their dependencies first, so each crate resolves against finished
    export tables. Cycles (possible through dev-dependencies) are broken arbitrarily."""
    by_id = {c.crate_id: c for c in crates}
    ordered: list[CrateSource] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done

    def visit(crate: CrateSource) -> None:
        stack: list[tuple[CrateSource, Iterator[str]]] = [
            (crate, iter(crate.dependencies.values()))
        ]
        state[crate.crate_id] = 1
        while stack:
            current, deps = stack[-1]
            for dep_id in deps:
                dep = by_id.get(dep_id)
                if dep is not None and dep_id not in state:
                    state[dep_id] = 1
                    stack.append((dep, iter(dep.dependencies.values())))
                    break
            else:
                stack.pop()
                state[current.crate_id] = 2
                ordered.append(current)

    for crate in crates:
        if crate.crate_id not in state:
            visit(crate)
    return ordered


def dependency_change(stored: Iterable[str], workspace: Workspace) -> tuple[set[str], set[str]]:
    """(dependency crate ids newly locked, stored ones no longer locked)."""
    current = {c.crate_id for c in workspace.crates if c.source != "workspace"}
    before = set(stored) - {c.crate_id for c in workspace.crates if c.source == "workspace"}
    return current - before, before - current


class Indexer:
    """One writer on one index. `index_workspace` uses it for a single run; `rustrag watch`
    keeps it open (`keep_warm`) so that parses and export tables stay in memory between
    runs, and the stored rows and whole resolution of each workspace (or path) crate it
    resolved: an edit then costs no re-reads and, mostly, no full resolve."""

    def __init__(
        self, index_dir: Path, *, limits: Limits | None = None, keep_warm: bool = False
    ) -> None:
        self.index_dir = Path(index_dir)
        self.limits = limits or Limits()
        self.keep_warm = keep_warm
        self.store = Store.open(self.index_dir)  # IndexBusy when another writer runs
        self.cache = ParseCache(self.index_dir, keep_in_memory=keep_warm)
        # keep_warm: each written crate's rows, keyed, and each editable crate's whole
        # resolution, which an edit then updates instead of resolving the crate again
        self._warm_rows: dict[str, KeyedRows] = {}
        # (crates in _warm_rows, lines of every other crate) at the last full line count
        self._lines_basis: tuple[frozenset[str], int] | None = None
        self._warm_crates: dict[str, WarmCrate] = {}

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Indexer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(
        self,
        workspace: Workspace,
        *,
        include_deps: bool = True,
        plan_dependencies: bool = True,
        progress: Progress | None = None,
        auto_snapshot: bool = True,
        focus: set[str] | None = None,
    ) -> IndexReport:
        """Bring the index to `workspace`'s current sources.

        For `rustrag watch`, after .rs edits: `plan_dependencies=False` skips the
        dependency layer's source hashing, and `focus` (crate ids) limits the stat pass
        to the crates holding the edited files; any other crate is scanned only when a
        focused crate's export table changed under it."""
        started = time.perf_counter()
        progress = progress or _Silent()
        run = _Run(self, workspace, progress, focus)
        if auto_snapshot:
            run.snapshot_before_dependency_change()
        reuse = (
            plan_dependency_reuse(workspace, run.crates, self.index_dir, include_deps=include_deps)
            if plan_dependencies
            else None
        )
        run.reuse = reuse
        # Crates go through parse → resolve → store in batches of about
        # _BATCH_LINES lines (in dependency order), and a batch's parses are dropped once
        # it is stored: peak memory follows the batch, not the whole corpus, while each
        # batch still gives the process pool enough files to keep every core busy.
        # A watch update (`focus`) parses only the edited crates: one batch, and no stat
        # of every file of the corpus to size batches (~20 ms on 1M lines).
        batches = [run.crates] if focus is not None else _batches(run.crates, _BATCH_LINES)
        for batch in batches:
            run.scan_and_parse(reuse, batch)
            progress.phase("resolve+store", len(batch))
            for crate in batch:
                run.index_crate(crate, reuse)
                run.release(crate)
                progress.advance()
        if reuse is not None:
            reuse.finish(self.store)  # rustrag.deps: drop unlocked crates, record state
            run.report.problems.extend(reuse.problems)
        run.remove_vanished(include_deps=include_deps)
        run.collect_garbage()
        run.finish_report(time.perf_counter() - started)
        record_run(self.store, self.index_dir, run.report)
        return run.report


class _Run:
    """The state of one run: what is stored, what was scanned, what changed so far."""

    def __init__(
        self,
        indexer: Indexer,
        workspace: Workspace,
        progress: Progress,
        focus: set[str] | None = None,
    ) -> None:
        self.focus = focus
        self.indexer = indexer
        self.store = indexer.store
        self.cache = indexer.cache
        self.limits = indexer.limits
        self.workspace = workspace
        self.progress = progress
        self.crates = _dependency_order(workspace.crates)
        self.by_id = {c.crate_id: c for c in self.crates}
        self.report = IndexReport(root=workspace.root, index_dir=str(indexer.index_dir))
        self.report.problems.extend(workspace.problems)
        self.stored: dict[str, StoredCrate] = {c.crate.crate_id: c for c in self.store.crates()}
        self.file_states = read_file_states(self.store)
        self.states: dict[str, CrateState] = {}
        for key, value in read_meta_prefix(self.store, CRATE_STATE_PREFIX).items():
            state = CrateState.from_json(value)
            if state is not None:
                self.states[key[len(CRATE_STATE_PREFIX) :]] = state
        self.scans: dict[str, CrateScan] = {}
        self.tables: dict[str, ExportTable] = {}  # resolved in this run
        self.reuse: DependencyReuse | None = None  # rustrag.deps hooks, set by run()
        self.export_digests: dict[str, str] = {}  # every crate handled so far
        self.built_shards: dict[str, Artifact] = {}  # rustrag.deps: shards to attach
        self.resolutions: dict[str, CrateResolution] = {}  # keep_warm: just resolved
        self.parsed_now: dict[str, str] = {}  # absolute path -> digest, parsed this run

    # -- before any write ---------------------------------------------------------------

    def snapshot_before_dependency_change(self) -> None:
        added, removed = dependency_change(self.stored, self.workspace)
        if self.stored and (added or removed):
            reason = f"dependencies change: +{len(added)} -{len(removed)} crates"
            info = take_snapshot(self.store, self.indexer.index_dir, reason=reason)
            self.report.snapshot_id = info.snapshot_id

    def scan_and_parse(self, reuse: DependencyReuse | None, crates: list[CrateSource]) -> None:
        self.progress.phase("scan", len(crates))
        tasks: list[tuple[str, str, int]] = []
        owners: list[str] = []
        for crate in crates:
            self.progress.advance()
            if reuse is not None and reuse.skips(crate):
                continue  # rustrag.deps: unchanged or taken from the machine cache
            if self.focus is not None and crate.crate_id not in self.focus:
                continue  # scanned later only if it must be resolved again
            scan = self._scan(crate)
            for rel in scan.to_parse:
                tasks.append((os.path.join(crate.root, rel), rel, self.limits.max_file_bytes))
                owners.append(crate.crate_id)
        parse_started = time.perf_counter()
        parsed_files = _parse_all(tasks, self.limits.worker_count(), self.progress)
        for crate_id, parsed in zip(owners, parsed_files, strict=True):
            self.cache.put(parsed)
            if parsed.blake3:
                self.parsed_now[parsed.path] = parsed.blake3
            self.scans[crate_id].parsed[parsed.rel_path] = parsed
            self.report.files_parsed += 1
            self.report.lines_parsed += parsed.lines
        self.report.parse_seconds += time.perf_counter() - parse_started

    def release(self, crate: CrateSource) -> None:
        """Forget a stored crate's parses (the parse cache on disk still has them)."""
        scan = self.scans.get(crate.crate_id)
        if scan is not None:
            scan.parsed.clear()

    def _scan(self, crate: CrateSource) -> CrateScan:
        scan = self.scans.get(crate.crate_id)
        if scan is None:
            stored = self.stored.get(crate.crate_id)
            scan = scan_crate(
                crate,
                self.file_states.get(crate.crate_id, {}),
                int(stored.indexed_at * 1e9) if stored else 0,
                self.cache,
                self.limits.max_file_bytes,
            )
            self.scans[crate.crate_id] = scan
        return scan

    # -- one crate ----------------------------------------------------------------------

    def index_crate(self, crate: CrateSource, reuse: DependencyReuse | None) -> None:
        """The per-crate step: reuse, skip, or resolve and write the difference."""
        crate_id = crate.crate_id
        if reuse is not None and reuse.skips(crate):
            reused = reuse.write_reused(crate, self.store, self.tables)
            if reused is not None:  # written from the machine cache by rustrag.deps
                digest = export_digest(self.tables[crate_id])
                deps = deps_digest(crate, self.export_digests)
                self.store.set_meta(state_key(crate_id), CrateState(digest, deps).to_json())
                self.export_digests[crate_id] = digest
                self.report.crates_updated.append(crate_id)
            else:
                self.export_digests[crate_id] = self._stored_digest(crate)
                self.report.crates_skipped += 1
            return
        deps = deps_digest(crate, self.export_digests)
        if self._is_current(crate, deps):
            self.export_digests[crate_id] = self.states[crate_id].export_digest
            self.report.crates_skipped += 1
            return
        if self.indexer.keep_warm and self._patch_warm(crate, deps):
            return
        table, rows = self._resolve(crate)
        digest = export_digest(table)
        resolution = self.resolutions.pop(crate_id, None)
        if resolution is not None:  # kept for the next edit (see _patch_warm)
            self.indexer._warm_crates[crate_id] = WarmCrate(resolution, table, deps)
        shard = self.built_shards.pop(crate_id, None)
        if shard is not None and self.reuse is not None:
            # rustrag.deps built the crate's shard in the machine cache: attach it
            self.reuse.attach(crate, self.store, shard)
            self.store.set_meta(state_key(crate_id), CrateState(digest, deps).to_json())
            self.indexer._warm_rows.pop(crate_id, None)
            self.export_digests[crate_id] = digest
            self.report.crates_updated.append(crate_id)
            self.report.rows_written += sum(shard.row_counts.values())
            return
        if crate_id in self.store.shard_folders():
            # its rows were in a shard and now go into this database (the machine cache
            # could not take them): drop the shard's registration first
            delete_crate_and_meta(self.store, crate_id, [])
            self.stored.pop(crate_id, None)
        old_rows = self.indexer._warm_rows.pop(crate_id, None)
        if old_rows is None:
            stored = read_crate_rows(self.store, crate_id) if crate_id in self.stored else {}
            old_rows = keyed_rows(stored)
        delta, keyed = diff_keyed(crate_id, old_rows, rows)
        self._write(crate, delta, digest, deps)
        if self.indexer.keep_warm and crate.source in EDITABLE_SOURCES:
            # only crates an edit can reach: a dependency is rewritten rarely, and then
            # reading its rows back costs less than holding every crate's rows
            self.indexer._warm_rows[crate_id] = keyed

    def _write(self, crate: CrateSource, delta: CrateDelta, digest: str, deps: str) -> None:
        crate_id = crate.crate_id
        if crate_id in self.stored:
            since = self.stored[crate_id].indexed_at
            self.report.item_changes[crate_id] = delta.item_changes(since)
        delta.meta_puts[state_key(crate_id)] = CrateState(digest, deps).to_json()
        write_crate_delta(self.store, delta)
        self.export_digests[crate_id] = digest
        self.report.crates_updated.append(crate_id)
        self.report.rows_written += delta.changed_rows

    def _patch_warm(self, crate: CrateSource, deps: str) -> bool:
        """Watch: bring a crate whose resolution is warm up to its edited files without
        resolving it again (rustrag.update.warm); False when a full resolve must run."""
        crate_id = crate.crate_id
        warm = self.indexer._warm_crates.pop(crate_id, None)
        rows = self.indexer._warm_rows.get(crate_id)
        state = self.states.get(crate_id)
        if warm is None or rows is None or state is None or crate_id not in self.stored:
            return False
        scan = self._scan(crate)
        listed = set(crate.files)
        if any(rel not in listed for rel in (*scan.changed, *scan.removed)):
            # a `#[path]` target outside the listed files: only a full resolve reloads it
            self.indexer._warm_rows.pop(crate_id, None)
            return False
        outcome = patch_crate(warm, crate, self._parsed(crate), deps, state.export_digest, rows)
        if isinstance(outcome, str):
            self.indexer._warm_rows.pop(crate_id, None)  # possibly half updated
            self.report.full_resolve_reasons[crate_id] = outcome
            return False
        self.tables[crate_id] = outcome.table
        if outcome.digest != state.export_digest:
            self.cache.put_table(outcome.table, outcome.digest)
        self.report.problems.extend(outcome.problems)
        self._write(crate, outcome.delta, outcome.digest, deps)
        self.indexer._warm_crates[crate_id] = warm
        self.report.crates_patched.append(crate_id)
        return True

    def _is_current(self, crate: CrateSource, deps: str) -> bool:
        stored = self.stored.get(crate.crate_id)
        state = self.states.get(crate.crate_id)
        if stored is None or state is None or state.deps_digest != deps:
            return False
        if self.focus is not None and crate.crate_id not in self.focus:
            return True  # watch: no file of it was edited, and its dependencies held
        return not self._scan(crate).dirty and same_source(stored.crate, crate)

    def _resolve(self, crate: CrateSource) -> tuple[ExportTable, RowsByRelation]:
        resolution = resolve_crate_state(
            crate,
            self._parsed(crate),
            self._externs(crate),
            load_file=cached_loader(crate.root, self.cache, self.limits.max_file_bytes),
        )
        resolved = resolution.resolved()
        if self.indexer.keep_warm and crate.source in EDITABLE_SOURCES:
            self.resolutions[crate.crate_id] = resolution
        table = export_table(resolved)
        self.tables[crate.crate_id] = table
        self.cache.put_table(table, export_digest(table))
        self.report.problems.extend(resolved.problems)
        if self.reuse is not None:  # rustrag.deps: fill the machine cache, record cfg marks
            shard = self.reuse.record(resolved, table)
            if shard is not None:  # its rows are in the shard: none to write here
                self.built_shards[crate.crate_id] = shard
                return table, {}
        return table, rows_of(resolved)

    def _parsed(self, crate: CrateSource) -> dict[str, ParsedFile]:
        scan = self._scan(crate)
        parsed: dict[str, ParsedFile] = {}
        for rel in crate.files:
            found = scan.parsed.get(rel)
            if found is None:  # unchanged but no longer cached (see CrateScan.uncached)
                found = parse_with_cache(
                    os.path.join(crate.root, rel), rel, self.cache, self.limits.max_file_bytes
                )
                self.report.files_parsed += 1
                self.report.lines_parsed += found.lines
            parsed[rel] = found
        return parsed

    def _externs(self, crate: CrateSource) -> dict[str, ExportTable]:
        externs: dict[str, ExportTable] = {}
        for extern_name, dep_id in crate.dependencies.items():
            table = self._table_of(dep_id)
            if table is not None:
                externs[extern_name] = table
        return externs

    def _table_of(self, crate_id: str) -> ExportTable | None:
        """A dependency's export table: resolved in this run, else the cached one for its
        stored digest, else read back from the store (an index from an older rustrag)."""
        table = self.tables.get(crate_id)
        if table is not None:
            return table
        digest = self.export_digests.get(crate_id)
        if digest is not None:
            table = self.cache.get_table(crate_id, digest)
        if table is None and crate_id in self.by_id and crate_id in self.export_digests:
            # The cache lost it: resolve the dependency again in memory, exactly as a
            # clean index would see it (its rows are current, nothing is written).
            table, _ = self._resolve(self.by_id[crate_id])
        if table is None:
            table = self.store.export_table(crate_id)
        if table is not None:
            self.tables[crate_id] = table
        return table

    def _stored_digest(self, crate: CrateSource) -> str:
        state = self.states.get(crate.crate_id)
        if state is not None:
            return state.export_digest
        table = self.store.export_table(crate.crate_id)
        return export_digest(table) if table is not None else "missing"

    # -- after the crates ---------------------------------------------------------------

    def remove_vanished(self, *, include_deps: bool) -> None:
        """Crates this workspace indexed last time that it no longer has (a removed member,
        an unlocked dependency the dependency layer did not already drop). Crates other
        workspaces put into the same index folder are theirs to remove, so one folder can
        hold several projects (or several versions of a crate indexed from their sources)
        side by side. A --no-deps run knows nothing about dependencies and leaves them."""
        current = {c.crate_id for c in self.crates}
        owned = _read_workspace_crates(self.store)
        root = self.workspace.root
        previous = set(owned.get(root, []))
        others = {c for other, ids in owned.items() if other != root for c in ids}
        stored = {c.crate.crate_id: c for c in self.store.crates() if c.crate.crate_id in previous}
        for crate_id, stored_crate in sorted(stored.items()):
            if crate_id in current or crate_id in others:
                continue  # still in this workspace, or still used by another one
            if not include_deps and stored_crate.crate.source != "workspace":
                current.add(crate_id)  # still this workspace's, just not looked at
                continue
            delete_crate_and_meta(self.store, crate_id, [state_key(crate_id)])
            self.report.crates_removed.append(crate_id)
            self.indexer._warm_rows.pop(crate_id, None)
            self.indexer._warm_crates.pop(crate_id, None)
        owned[root] = sorted(current)
        self.store.set_meta(_WORKSPACE_CRATES_KEY, json.dumps(owned, sort_keys=True))

    def collect_garbage(self) -> None:
        """Bounded upkeep of the parse cache: the parses this run superseded (one small
        folder per file it parsed), the export tables of the crates it wrote, and, on a
        whole run, the caches of other parser versions."""
        self.cache.collect(self.parsed_now)
        digests = self.export_digests
        self.cache.collect_tables(
            {cid: digests[cid] for cid in self.report.crates_updated if cid in digests}
        )
        if self.focus is None:
            collect_parsers(self.indexer.index_dir)

    def finish_report(self, seconds: float) -> None:
        stats = self.store.stats()
        self.report.crates = stats.crates
        self.report.files = stats.files
        self.report.items = stats.items
        self.report.edges = stats.edges
        self.report.lines = self._total_lines()
        self.report.seconds = seconds

    def _total_lines(self) -> int:
        """Lines of every stored file. Summing them means a query per shard database
        (~15 ms on 70 crates); a watch update takes the lines outside its warm crates
        from the last full count and adds those of the warm crates' kept file rows."""
        indexer = self.indexer
        warm = indexer._warm_rows
        basis = indexer._lines_basis
        if self.focus is not None and basis is not None and basis[0] == frozenset(warm):
            return basis[1] + sum(_file_lines(rows) for rows in warm.values())
        lines = read_total_lines(self.store)
        if indexer.keep_warm:
            outside = lines - sum(_file_lines(rows) for rows in warm.values())
            indexer._lines_basis = (frozenset(warm), outside)
        return lines


_FILE_LINES = FILES.column_names.index("lines")


def _file_lines(rows: KeyedRows) -> int:
    return sum(int(row[_FILE_LINES]) for row in rows.get(FILES.name, {}).values())


# Lines of Rust parsed before the batch is resolved and stored (see Indexer.run).
_BATCH_LINES = 250_000


def _batches(crates: list[CrateSource], max_lines: int) -> list[list[CrateSource]]:
    """Consecutive runs of `crates` whose sources add up to about `max_lines` lines,
    estimated from file sizes (~35 bytes a line) so no file is read twice."""
    batches: list[list[CrateSource]] = [[]]
    budget = max_lines * 35
    used = 0
    for crate in crates:
        size = 0
        for rel in crate.files:
            with contextlib.suppress(OSError):
                size += os.path.getsize(os.path.join(crate.root, rel))
        if batches[-1] and used + size > budget:
            batches.append([])
            used = 0
        batches[-1].append(crate)
        used += size
    return [batch for batch in batches if batch]


_WORKSPACE_CRATES_KEY = "pipeline.workspace_crates"  # {workspace root: [crate ids]}


def _read_workspace_crates(store: Store) -> dict[str, list[str]]:
    text = store.get_meta(_WORKSPACE_CRATES_KEY)
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return {str(k): [str(c) for c in v] for k, v in data.items()} if isinstance(data, dict) else {}


def index_workspace(
    path: Path,
    index_dir: Path,
    *,
    limits: Limits | None = None,
    include_deps: bool = True,
    progress: Progress | None = None,
    embed: bool = False,
) -> IndexReport:
    """Index the workspace at `path` (and, with include_deps, its locked dependencies)
    into the store at `index_dir`, writing only what changed since the last run, then
    refresh the search indexes (with `embed`, embedding continues in the background).
    Raises IndexBusy when another process writes this index, and otherwise only when
    the index itself cannot be written."""
    started = time.perf_counter()
    limits = limits or Limits()
    # The writer lock first: a second `rustrag index` learns at once that it must wait.
    with Indexer(index_dir, limits=limits) as indexer:
        workspace = discover_workspace(
            path, include_deps=include_deps, max_file_bytes=limits.max_file_bytes
        )
        report = indexer.run(workspace, include_deps=include_deps, progress=progress)
        from rustrag.retrieve.build import refresh_search_indexes  # a later stage's upkeep

        refresh_search_indexes(
            indexer.store,
            index_dir,
            embed=embed,
            changed_crates=report.crates_updated,
            item_changes=report.item_changes,
            progress=progress,
        )
    report.seconds = time.perf_counter() - started
    return report
