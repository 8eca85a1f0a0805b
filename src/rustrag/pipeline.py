"""Runs the stages in order: discover → parse (process pool) → resolve → store.

This module only sequences the stages and moves their outputs along; it holds no Rust
knowledge of its own. Parsing fans out to worker processes (tree-sitter holds the GIL
while it parses); resolution and writing stay in this process, so the store has exactly
one writer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rustrag.config import Limits
from rustrag.discover import discover_workspace
from rustrag.model import CrateSource, ExportTable, ParsedFile, Problem, ResolvedCrate
from rustrag.parse import parse_file
from rustrag.resolve import export_table, resolve_crate
from rustrag.store import Store

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
    crates: int = 0
    files: int = 0
    items: int = 0
    edges: int = 0
    lines: int = 0
    parse_seconds: float = 0.0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds > 0 else 0.0


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
        stack: list[tuple[CrateSource, Iterable[str]]] = [
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


def _file_loader(crate: CrateSource, max_bytes: int) -> Callable[[str], ParsedFile | None]:
    root = Path(crate.root).resolve()

    def load(rel_path: str) -> ParsedFile | None:
        target = (root / rel_path).resolve()
        # Never read outside the crate, whatever a #[path] attribute says.
        if not target.is_relative_to(root) or not target.is_file():
            return None
        return parse_file(str(target), target.relative_to(root).as_posix(), max_bytes=max_bytes)

    return load


def index_workspace(
    path: Path,
    index_dir: Path,
    *,
    limits: Limits | None = None,
    include_deps: bool = True,
    progress: Progress | None = None,
) -> IndexReport:
    """Index the workspace at `path` (and, with include_deps, its locked dependencies)
    into the store at `index_dir`. Raises only when the index itself cannot be written."""
    limits = limits or Limits()
    progress = progress or _Silent()
    started = time.perf_counter()

    workspace = discover_workspace(
        path, include_deps=include_deps, max_file_bytes=limits.max_file_bytes
    )
    report = IndexReport(root=workspace.root, index_dir=str(index_dir))
    report.problems.extend(workspace.problems)

    crates = _dependency_order(workspace.crates)
    tasks = [
        (os.path.join(crate.root, rel), rel, limits.max_file_bytes)
        for crate in crates
        for rel in crate.files
    ]
    owner = [crate.crate_id for crate in crates for _ in crate.files]
    parsed_by_crate: dict[str, dict[str, ParsedFile]] = {c.crate_id: {} for c in crates}
    parse_started = time.perf_counter()
    parsed_files = _parse_all(tasks, limits.worker_count(), progress)
    for crate_id, parsed in zip(owner, parsed_files, strict=True):
        parsed_by_crate[crate_id][parsed.rel_path] = parsed
        report.lines += parsed.lines
    report.parse_seconds = time.perf_counter() - parse_started

    with Store.open(index_dir) as store:
        tables: dict[str, ExportTable] = {}
        progress.phase("resolve+store", len(crates))
        for crate in crates:
            externs = _externs_for(crate, tables, store)
            resolved = resolve_crate(
                crate,
                parsed_by_crate.pop(crate.crate_id),
                externs,
                load_file=_file_loader(crate, limits.max_file_bytes),
            )
            tables[crate.crate_id] = export_table(resolved)
            store.replace_crate(resolved)
            _count(report, resolved)
            progress.advance()
    report.seconds = time.perf_counter() - started
    return report


def _externs_for(
    crate: CrateSource, tables: Mapping[str, ExportTable], store: Store
) -> dict[str, ExportTable]:
    externs: dict[str, ExportTable] = {}
    for extern_name, crate_id in crate.dependencies.items():
        table = tables.get(crate_id)
        if table is None and store.crate(crate_id) is not None:
            table = store.export_table(crate_id)
        if table is not None:
            externs[extern_name] = table
    return externs


def _count(report: IndexReport, resolved: ResolvedCrate) -> None:
    report.crates += 1
    report.files += len(resolved.files)
    report.items += len(resolved.items)
    report.edges += len(resolved.edges)
    report.problems.extend(resolved.problems)
