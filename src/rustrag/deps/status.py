"""`deps status`: every dependency of a project, its locked version, the requirement that
asked for it (checked against the lock), whether its source was found and whether this
index holds it as it is on disk now."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import blake3

from rustrag.deps.source_hash import SourceUnreadable, sources_hash
from rustrag.deps.state import (
    META_LAST_UPDATE,
    META_LOCKFILE,
    META_STATE,
    CrateState,
    read_for_workspace,
)
from rustrag.discover import discover_workspace
from rustrag.discover.depspecs import DepKind, dependency_specs
from rustrag.discover.lockfile import read_lockfile
from rustrag.discover.manifest import ManifestLoader
from rustrag.discover.semver import satisfies
from rustrag.model import CrateSource, Problem
from rustrag.store import IndexMissing, Store

LOCKFILE = "Cargo.lock"
MANIFEST = "Cargo.toml"
_ALL_KINDS: frozenset[DepKind] = frozenset({"normal", "dev", "build"})


@dataclass(slots=True)
class DepStatus:
    name: str
    version: str | None  # locked version; None when the lock has none for the requirement
    crate_id: str | None
    direct: bool  # named in a member's Cargo.toml
    requirement: str | None  # as written in Cargo.toml (None for transitive ones)
    kinds: list[str] = field(default_factory=list)  # normal / dev / build
    satisfied: bool | None = None  # requirement matches the locked version (None: no req)
    source_found: bool = False
    source: str = ""  # registry, directory, git, path
    indexed: bool = False  # this index holds the crate
    current: bool = False  # ... built from the sources as they are now

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "crate_id": self.crate_id,
            "direct": self.direct,
            "requirement": self.requirement,
            "kinds": self.kinds,
            "satisfied": self.satisfied,
            "source_found": self.source_found,
            "source": self.source,
            "indexed": self.indexed,
            "current": self.current,
        }


@dataclass(slots=True)
class DepsStatus:
    root: str
    dependencies: list[DepStatus]
    lockfile_changed: bool  # Cargo.lock differs from the one the index was built from
    last_update: str | None  # JSON of the last DepsUpdateReport, when any
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "lockfile_changed": self.lockfile_changed,
            "dependencies": [d.to_json() for d in self.dependencies],
            "problems": [
                {"file": p.file, "line": p.line, "reason": p.reason, "severity": p.severity}
                for p in self.problems
            ],
        }


def dependency_status(path: Path, index_dir: Path) -> DepsStatus:
    ws = discover_workspace(path)
    root = Path(ws.root)
    problems = list(ws.problems)
    by_id = {c.crate_id: c for c in ws.crates}
    lock, lock_problems = (
        read_lockfile(root / LOCKFILE)
        if (root / LOCKFILE).is_file()
        else (
            None,
            [
                Problem(
                    str(root / LOCKFILE), 0, "no Cargo.lock: run `cargo generate-lockfile`", "error"
                )
            ],
        )
    )
    problems.extend(p for p in lock_problems if p not in problems)
    stored, states, lock_hash, last = _index_facts(index_dir, root)
    loader = ManifestLoader()
    root_manifest = loader.load(root / MANIFEST)
    workspace_manifest = root_manifest if root_manifest and root_manifest.workspace else None
    rows: dict[str, DepStatus] = {}
    for member in (c for c in ws.crates if c.source == "workspace"):
        manifest = loader.load(Path(member.root) / MANIFEST)
        if manifest is None:
            continue
        for spec in dependency_specs(manifest, workspace_manifest, _ALL_KINDS, problems):
            crate_id = member.dependencies.get(spec.key.replace("-", "_"))
            if crate_id is None and lock is not None:
                versions = [p.version for p in lock.named(spec.package)]
                fitting = [v for v in versions if satisfies(v, spec.req)] or versions
                crate_id = f"{spec.package}@{fitting[-1]}" if fitting else None
            version = crate_id.partition("@")[2] if crate_id else None
            row = rows.setdefault(
                f"{spec.key}|{crate_id}",
                DepStatus(spec.package, version, crate_id, True, spec.req),
            )
            row.kinds = sorted({*row.kinds, spec.kind})
            if spec.req is not None and version is not None:
                row.satisfied = satisfies(version, spec.req)
                if not row.satisfied:
                    problems.append(
                        Problem(
                            str(manifest.path),
                            0,
                            f"{spec.key}: requirement `{spec.req}` is not satisfied by the "
                            f"locked version {version}; run `cargo update -p {spec.package}`",
                            "error",
                        )
                    )
    direct_ids = {r.crate_id for r in rows.values()}
    for crate in ws.crates:
        if crate.source != "workspace" and crate.crate_id not in direct_ids:
            rows[crate.crate_id] = DepStatus(crate.name, crate.version, crate.crate_id, False, None)
    for row in rows.values():
        _fill_source(row, by_id.get(row.crate_id or ""), stored, states)
    current_lock = _hash(root / LOCKFILE)
    return DepsStatus(
        root=str(root),
        dependencies=sorted(rows.values(), key=lambda r: (not r.direct, r.name, r.version or "")),
        lockfile_changed=lock_hash is not None and lock_hash != current_lock,
        last_update=last,
        problems=problems,
    )


def _fill_source(
    row: DepStatus, crate: CrateSource | None, stored: set[str], states: dict[str, CrateState]
) -> None:
    row.indexed = row.crate_id in stored
    if crate is None or not Path(crate.root).is_dir():
        return
    row.source_found = True
    row.source = crate.source
    state = states.get(crate.crate_id)
    if row.indexed and state is not None:
        try:
            row.current = state.sources == sources_hash(crate)
        except SourceUnreadable:
            row.current = False


def _index_facts(
    index_dir: Path, root: Path
) -> tuple[set[str], dict[str, CrateState], str | None, str | None]:
    """What the index recorded for the workspace at `root` (an index folder may hold
    several workspaces, each with its own lock and state)."""
    try:
        store = Store.open(index_dir, read_only=True)
    except IndexMissing:
        return set(), {}, None, None
    with store:
        stored = {c.crate.crate_id for c in store.crates()}
        states = CrateState.load_all(read_for_workspace(store, META_STATE, root))
        lock_hash = read_for_workspace(store, META_LOCKFILE, root)
        return stored, states, lock_hash, read_for_workspace(store, META_LAST_UPDATE, root)


def _hash(path: Path) -> str:
    try:
        return str(blake3.blake3(path.read_bytes()).hexdigest())
    except OSError:
        return ""
