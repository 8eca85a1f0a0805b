"""`rustrag watch`: keep the index current while the user edits.

The watch process is the index's one writer for as long as it runs: it opens an
`Indexer` with warm state (parses, export tables and the last written rows of each crate
stay in memory), so an editor save costs a stat of the edited crate, one parse, an
update of that crate's resolution for the edited file (rustrag.resolve.incremental; a
full resolve when the edit changes `mod`s, `use`s or macros) and a write of the rows
that differ. Queries from other processes
never wait for it: the store is SQLite in WAL mode, and readers see the last committed
crate.

Changes arrive from watchfiles (inotify), debounced: a burst of saves (format-on-save, a
branch switch) becomes one update. Edited `.rs` files update only the crates that hold
them (new or deleted files re-list that crate's files). A `Cargo.toml` or `Cargo.lock`
change re-runs discovery and the dependency update (with the automatic snapshot before
a dependency version change); it runs on the same writer thread, and edits made
meanwhile are buffered by watchfiles and applied right after, none lost.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from rustrag.config import Limits
from rustrag.discover import discover_workspace, list_rust_files
from rustrag.model import CrateSource, Workspace
from rustrag.pipeline import Indexer, IndexReport

MANIFESTS = frozenset({"Cargo.toml", "Cargo.lock"})
DEFAULT_DEBOUNCE_MS = 50
# With no change, the watcher still wakes this often (to notice `stop_event`, and once at
# start to tell that it is live); a wake costs microseconds.
_IDLE_WAKE_MS = 200
# folders whose changes never concern the index
_IGNORED_DIRS = frozenset({"target", ".git", ".rustrag", "node_modules"})


@dataclass(slots=True)
class WatchEvent:
    """One update the watcher made (or tried to): what moved and what it cost."""

    kind: str  # "ready" (initial catch-up), "sources", "dependencies", "error"
    paths: list[str] = field(default_factory=list)
    report: IndexReport | None = None
    seconds: float = 0.0  # discovery (when needed) + scan + parse + resolve + write
    search_seconds: float = 0.0  # bringing the lexical snapshot up to date afterwards
    error: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "event": self.kind,
            "paths": self.paths,
            "seconds": round(self.seconds, 4),
            "search_seconds": round(self.search_seconds, 4),
            "crates_updated": self.report.crates_updated if self.report else [],
            # of those, the ones updated in place from the edited files (no full resolve)
            "crates_patched": self.report.crates_patched if self.report else [],
            "files_parsed": self.report.files_parsed if self.report else 0,
            "rows_written": self.report.rows_written if self.report else 0,
            "snapshot_id": self.report.snapshot_id if self.report else None,
            "error": self.error,
        }


def is_relevant(path: str, index_dir: Path) -> bool:
    p = Path(path)
    if p.is_relative_to(index_dir) or _IGNORED_DIRS.intersection(p.parts):
        return False
    return p.suffix == ".rs" or p.name in MANIFESTS


def owning_crate(path: Path, crates: Iterable[CrateSource]) -> CrateSource | None:
    """The member whose folder holds `path` (the deepest one, for nested packages)."""
    best: CrateSource | None = None
    for crate in crates:
        inside = crate.source == "workspace" and path.is_relative_to(crate.root)
        if inside and (best is None or len(crate.root) > len(best.root)):
            best = crate
    return best


class Watcher:
    """Watch `path`'s workspace and keep the index at `index_dir` current."""

    def __init__(
        self,
        path: Path,
        index_dir: Path,
        *,
        limits: Limits | None = None,
        include_deps: bool = True,
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
        embed: bool = False,
        on_event: Callable[[WatchEvent], None] | None = None,
    ) -> None:
        self.embed = embed
        self.path = Path(path).resolve()
        self.index_dir = Path(index_dir).resolve()
        self.limits = limits or Limits()
        self.include_deps = include_deps
        self.debounce_ms = debounce_ms
        self.on_event = on_event or (lambda event: None)
        self.stop_event = threading.Event()
        self._workspace: Workspace | None = None

    def _discover(self) -> Workspace:
        return discover_workspace(
            self.path, include_deps=self.include_deps, max_file_bytes=self.limits.max_file_bytes
        )

    def run(self) -> None:
        """Start watching, catch up, then update on every change until `stop_event`.

        The catch-up runs only once the watcher is live (its first, possibly empty,
        batch), so an edit made while catching up is never missed: it arrives as the
        next batch."""
        with Indexer(self.index_dir, limits=self.limits, keep_warm=True) as indexer:
            self._workspace = self._discover()
            root = Path(self._workspace.root)
            caught_up = False
            for changes in watchfiles.watch(
                root,
                watch_filter=lambda _change, p: is_relevant(p, self.index_dir),
                debounce=self.debounce_ms,
                step=10,
                rust_timeout=_IDLE_WAKE_MS,
                yield_on_timeout=True,
                stop_event=self.stop_event,
                raise_interrupt=False,
            ):
                if not caught_up:
                    self._catch_up(indexer)
                    caught_up = True
                if changes:
                    self.apply(indexer, sorted({p for _, p in changes}))

    def _catch_up(self, indexer: Indexer) -> None:
        assert self._workspace is not None
        started = time.perf_counter()
        report = indexer.run(self._workspace, include_deps=self.include_deps)
        ready = WatchEvent("ready", [], report, time.perf_counter() - started)
        self._refresh_search(indexer, ready)
        self.on_event(ready)

    def apply(self, indexer: Indexer, paths: list[str]) -> WatchEvent:
        """One debounced batch of changed paths."""
        started = time.perf_counter()
        manifests = any(Path(p).name in MANIFESTS for p in paths)
        try:
            if manifests or self._workspace is None:
                self._workspace = self._discover()
                report = indexer.run(self._workspace, include_deps=self.include_deps)
                kind = "dependencies"
            else:
                focus = self._refresh_file_lists(paths)
                report = indexer.run(
                    self._workspace,
                    include_deps=self.include_deps,
                    plan_dependencies=False,
                    auto_snapshot=False,
                    focus=focus,
                )
                kind = "sources"
            event = WatchEvent(kind, paths, report, time.perf_counter() - started)
            self._refresh_search(indexer, event)
        except Exception as exc:  # the watcher survives one bad update; it says so
            event = WatchEvent("error", paths, None, time.perf_counter() - started, error=str(exc))
        self.on_event(event)
        return event

    def _refresh_search(self, indexer: Indexer, event: WatchEvent) -> None:
        """The lexical snapshot for the crates just written (and, with `embed`, the
        background embedding job, which embeds only fingerprints it has not seen)."""
        if event.report is None or not (event.report.crates_updated or event.kind == "ready"):
            return
        from rustrag.retrieve.build import refresh_search_indexes  # a later stage's upkeep

        started = time.perf_counter()
        refresh_search_indexes(
            indexer.store,
            self.index_dir,
            embed=self.embed,
            changed_crates=event.report.crates_updated,
            item_changes=event.report.item_changes,
        )
        event.search_seconds = time.perf_counter() - started

    def _refresh_file_lists(self, paths: list[str]) -> set[str]:
        """The ids of the members holding `paths`; a member that gained or lost a file
        gets its file list read again (only then: listing costs a walk of the crate)."""
        assert self._workspace is not None
        crates = self._workspace.crates
        focus: set[str] = set()
        for raw in paths:
            crate = owning_crate(Path(raw), crates)
            if crate is None:
                continue
            focus.add(crate.crate_id)
            rel = Path(raw).relative_to(crate.root).as_posix()
            if (rel in crate.files) != Path(raw).exists():
                files, _ = list_rust_files(
                    Path(crate.root), max_file_bytes=self.limits.max_file_bytes
                )
                index = crates.index(crate)
                crates[index] = dataclasses.replace(crate, files=files)
        return focus
