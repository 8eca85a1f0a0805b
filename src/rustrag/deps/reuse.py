"""The pipeline's dependency hooks: skip what is already indexed, reuse what the
machine cache holds, cache what was just built, and record scope and state.

Per dependency crate (members are always indexed by the pipeline):

* unchanged: this index already holds it with the same artifact key and features, so it
  is neither parsed, resolved nor written (a lockfile bump touches only what moved);
* cached: the per-machine cache holds its artifact, so it is written without parsing
  or resolving;
* fresh: parsed and resolved as usual, then stored in the cache (path dependencies are
  the user's own code and are not cached).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import blake3

from rustrag.deps.artifact_cache import Artifact, ArtifactCache, CorruptArtifact
from rustrag.deps.cache_dir import cache_dir
from rustrag.deps.cfg_marks import cfg_marks
from rustrag.deps.scope import project_scope
from rustrag.deps.source_hash import SourceUnreadable, artifact_key, sources_hash
from rustrag.deps.state import (
    META_CFG_PREFIX,
    META_LAST_UPDATE,
    META_LOCKFILE,
    META_SCOPE,
    META_STATE,
    CrateState,
    DepsUpdateReport,
    read_for_workspace,
    workspace_key,
)
from rustrag.model import CrateSource, ExportTable, Problem, ResolvedCrate, Workspace
from rustrag.store import IndexMissing, Store, StoreError

Decision = Literal["unchanged", "cached", "fresh"]
_CACHEABLE_SOURCES = frozenset({"registry", "directory", "git"})
LOCKFILE = "Cargo.lock"


@dataclass(slots=True)
class _Plan:
    decision: Decision
    state: CrateState | None  # None when the sources could not be hashed
    artifact: Artifact | None = None


@dataclass(slots=True)
class DependencyReuse:
    workspace: Workspace
    enabled: bool
    cache: ArtifactCache
    plans: dict[str, _Plan] = field(default_factory=dict)
    previous: dict[str, CrateState] = field(default_factory=dict)
    stored_ids: set[str] = field(default_factory=set)
    report: DepsUpdateReport = field(default_factory=DepsUpdateReport)
    lockfile_hash: str = ""
    started: float = field(default_factory=time.perf_counter)
    _marks: dict[str, str] = field(default_factory=dict)  # crate_id -> cfg marks JSON

    @property
    def problems(self) -> list[Problem]:
        return self.report.problems

    def skips(self, crate: CrateSource) -> bool:
        """True when the pipeline must neither parse nor resolve this crate."""
        plan = self.plans.get(crate.crate_id)
        return plan is not None and plan.decision != "fresh"

    def write_reused(
        self, crate: CrateSource, store: Store, tables: dict[str, ExportTable]
    ) -> Artifact | None:
        """Attach a cached crate's shard (returned); nothing for an unchanged one, whose
        export table the pipeline reads back from the store when needed."""
        plan = self.plans[crate.crate_id]
        if plan.decision == "unchanged" or plan.artifact is None:
            self.report.unchanged.append(crate.crate_id)
            return None
        artifact = plan.artifact
        tables[crate.crate_id] = artifact.table
        self.attach(crate, store, artifact)
        self.report.from_cache.append(crate.crate_id)
        return artifact

    def attach(self, crate: CrateSource, store: Store, artifact: Artifact) -> None:
        """Make `artifact`'s shard this index's copy of `crate` (rustrag.store.shards)."""
        store.attach_shard(crate, artifact.folder, artifact.row_counts)
        self._marks[crate.crate_id] = artifact.marks  # recorded per workspace by finish()

    def record(self, resolved: ResolvedCrate, table: ExportTable) -> Artifact | None:
        """A crate the pipeline just resolved: when it is a dependency the machine cache
        can keep, build its shard and return it, for the pipeline to attach instead of
        writing the rows into the project's database; None otherwise."""
        crate = resolved.crate
        marks = _marks_json(resolved)
        self._marks[crate.crate_id] = marks
        plan = self.plans.get(crate.crate_id)
        if plan is None:
            return None  # a member
        if crate.crate_id not in self.report.reindexed:
            self.report.reindexed.append(crate.crate_id)
        if plan.state is None or crate.source not in _CACHEABLE_SOURCES:
            return None
        try:
            return self.cache.store(plan.state.key, resolved, table, marks)
        except (OSError, StoreError) as exc:
            self.problems.append(
                Problem(
                    str(self.cache.root),
                    0,
                    f"{crate.crate_id}: not cached ({exc}); stored in this index only",
                )
            )
            return None

    def finish(self, store: Store) -> DepsUpdateReport:
        """Delete dependencies no longer locked and record scope, state and cfg marks,
        all under this workspace's root (deps/state.py: one index folder, several
        workspaces)."""
        root = self.workspace.root
        current = {c.crate_id for c in self.workspace.crates}
        if self.enabled:
            kept_by_others = _crates_of_other_workspaces(store, root)
            for crate_id in sorted(self.stored_ids - current - kept_by_others):
                if crate_id in self.previous:
                    store.delete_crate(crate_id)
                    store.set_meta(META_CFG_PREFIX + crate_id, "")
                    store.set_meta(workspace_key(META_CFG_PREFIX + crate_id, root), "")
                    self.report.removed.append(crate_id)
            states = {cid: p.state for cid, p in self.plans.items() if p.state is not None}
            store.set_meta(workspace_key(META_STATE, root), CrateState.dump_all(states))
            store.set_meta(workspace_key(META_LOCKFILE, root), self.lockfile_hash)
        scope = project_scope(self.workspace.crates).dumps()
        store.set_meta(workspace_key(META_SCOPE, root), scope)
        for crate_id, marks in self._marks.items():
            store.set_meta(workspace_key(META_CFG_PREFIX + crate_id, root), marks)
        self.report.seconds = time.perf_counter() - self.started
        report = json.dumps(self.report.to_json())
        store.set_meta(workspace_key(META_LAST_UPDATE, root), report)
        return self.report


def _crates_of_other_workspaces(store: Store, root: str) -> set[str]:
    """Crates another workspace of this index folder indexed (pipeline's ownership row)."""
    text = store.get_meta("pipeline.workspace_crates")
    owned = json.loads(text) if text else {}
    return {c for other, ids in owned.items() if other != root for c in ids}


def plan_dependency_reuse(
    workspace: Workspace,
    ordered: list[CrateSource],
    index_dir: Path,
    *,
    include_deps: bool,
) -> DependencyReuse:
    """Decide for each dependency in `ordered` (dependencies before dependents) whether
    it is unchanged, comes from the machine cache, or must be indexed."""
    reuse = DependencyReuse(workspace, include_deps, ArtifactCache(cache_dir()))
    if not include_deps:
        return reuse
    reuse.lockfile_hash = _file_hash(Path(workspace.root) / LOCKFILE)
    previous_lock = _read_previous(reuse, index_dir)
    reuse.report.lockfile_changed = previous_lock != reuse.lockfile_hash
    keys: dict[str, str] = {}
    for crate in ordered:
        if crate.source == "workspace":
            continue
        plan = _plan_one(reuse, crate, keys)
        reuse.plans[crate.crate_id] = plan
        if plan.state is not None:
            keys[crate.crate_id] = plan.state.key
    return reuse


def _read_previous(reuse: DependencyReuse, index_dir: Path) -> str | None:
    try:
        store = Store.open(index_dir, read_only=True)
    except IndexMissing:
        return None
    with store:
        root = reuse.workspace.root
        reuse.previous = CrateState.load_all(read_for_workspace(store, META_STATE, root))
        # a crate whose shard left the machine cache is not stored any more
        gone = {c for c, folder in store.shard_folders().items() if not folder.is_dir()}
        reuse.stored_ids = {c.crate.crate_id for c in store.crates()} - gone
        return read_for_workspace(store, META_LOCKFILE, root)


def _plan_one(reuse: DependencyReuse, crate: CrateSource, keys: dict[str, str]) -> _Plan:
    try:
        sources = sources_hash(crate)
    except SourceUnreadable as exc:
        reuse.problems.append(
            Problem(crate.root, 0, f"{crate.crate_id}: {exc}; indexed without caching", "error")
        )
        return _Plan("fresh", None)
    state = CrateState(artifact_key(crate, sources, keys), sources, sorted(crate.features))
    before = reuse.previous.get(crate.crate_id)
    if before is not None and before.sources != sources:
        reuse.problems.append(
            Problem(
                crate.root,
                0,
                f"{crate.crate_id}: the source folder changed under the same version "
                "(files differ from the last index); re-indexed from the current files",
            )
        )
    if before == state and crate.crate_id in reuse.stored_ids:
        return _Plan("unchanged", state)
    if crate.source in _CACHEABLE_SOURCES:
        try:
            artifact = reuse.cache.load(crate, state.key)
        except CorruptArtifact as exc:
            reuse.problems.append(Problem(crate.root, 0, f"{crate.crate_id}: cache entry {exc}"))
            artifact = None
        if artifact is not None:
            return _Plan("cached", state, artifact)
    return _Plan("fresh", state)


def _marks_json(resolved: ResolvedCrate) -> str:
    return json.dumps({k: v.to_json() for k, v in sorted(cfg_marks(resolved).items())})


def _file_hash(path: Path) -> str:
    try:
        return blake3.blake3(path.read_bytes()).hexdigest()
    except OSError:
        return ""
