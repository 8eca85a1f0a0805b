"""Dependency crates from Cargo.lock and the manifests, when cargo cannot tell us.

Walks the manifests from the members outwards. Path dependencies are followed with or
without a lockfile (their version is in their own manifest, and they may belong to
another workspace whose [workspace.package] and [workspace.dependencies] they
inherit); registry and git dependencies take the locked version that satisfies the
requirement, preferring what the lockfile lists for the declaring package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rustrag.discover.crates import build_crate
from rustrag.discover.depspecs import DepKind, DepSpec, dependency_specs
from rustrag.discover.fs import is_file
from rustrag.discover.locate import SourceLocator
from rustrag.discover.lockfile import LockedPackage, Lockfile
from rustrag.discover.manifest import MANIFEST, Manifest, ManifestLoader
from rustrag.discover.members import find_workspace_root
from rustrag.discover.semver import Version, VersionReq, version_order
from rustrag.model import CrateSource, Problem

_MEMBER_KINDS: frozenset[DepKind] = frozenset({"normal", "dev", "build"})
_DEPENDENCY_KINDS: frozenset[DepKind] = frozenset({"normal"})


@dataclass(slots=True)
class PackageNode:
    crate: CrateSource
    manifest: Manifest
    workspace: Manifest | None  # the root its `*.workspace = true` keys refer to
    is_member: bool
    lock_source: str | None = None  # its `source` in Cargo.lock (None for path packages)


class ManifestResolver:
    def __init__(
        self,
        lock: Lockfile | None,
        locator: SourceLocator,
        loader: ManifestLoader,
        *,
        max_file_bytes: int,
        problems: list[Problem],
    ) -> None:
        self._lock = lock
        self._locator = locator
        self._loader = loader
        self._max_file_bytes = max_file_bytes
        self._problems = problems
        self._by_dir: dict[Path, CrateSource] = {}
        self._by_id: dict[str, CrateSource] = {}
        self._missing: set[str] = set()
        self._queue: list[PackageNode] = []
        self.found: list[CrateSource] = []
        self.unresolved: list[str] = []  # registry/git dependencies skipped for lack of a lock

    def resolve(self, members: list[PackageNode]) -> list[CrateSource]:
        for node in members:
            self._by_dir[Path(node.crate.root)] = node.crate
            self._by_id.setdefault(node.crate.crate_id, node.crate)
        self._queue.extend(members)
        while self._queue:
            self._visit(self._queue.pop(0))
        return self.found

    def _visit(self, node: PackageNode) -> None:
        kinds = _MEMBER_KINDS if node.is_member else _DEPENDENCY_KINDS
        specs = dependency_specs(node.manifest, node.workspace, kinds, self._problems)
        entry = None
        if self._lock is not None:
            crate = node.crate
            entry = self._lock.entry(crate.name, crate.version, node.lock_source)
        for spec in specs:
            if spec.path is not None:
                target_id, target = self._path_crate(spec, node)
            elif self._lock is not None:
                target_id, target = self._locked_crate(spec, node, self._lock, entry)
            else:
                if not spec.optional and spec.package not in self.unresolved:
                    self.unresolved.append(spec.package)
                continue
            if target_id is None:
                continue
            if spec.renamed or target is None:
                extern = spec.key.replace("-", "_")
            else:
                extern = target.extern_name
            node.crate.dependencies[extern] = target_id

    def _path_crate(
        self, spec: DepSpec, node: PackageNode
    ) -> tuple[str | None, CrateSource | None]:
        assert spec.path is not None
        known = self._by_dir.get(spec.path)
        if known is not None:
            return known.crate_id, known
        manifest_path = spec.path / MANIFEST
        if not is_file(manifest_path):
            self._problems.append(
                Problem(
                    str(node.manifest.path),
                    0,
                    f"path dependency `{spec.key}` of {node.crate.name}: no Cargo.toml in "
                    f"{spec.path}",
                )
            )
            return None, None
        manifest = self._loader.load(manifest_path)
        if manifest is None:
            return None, None
        workspace = self._loader.load(find_workspace_root(manifest_path, self._loader) / MANIFEST)
        crate = self._build(manifest, workspace, "path")
        if crate is None:
            return None, None
        self._by_dir[spec.path] = crate
        self._queue.append(PackageNode(crate, manifest, workspace, is_member=False))
        return crate.crate_id, crate

    def _locked_crate(
        self, spec: DepSpec, node: PackageNode, lock: Lockfile, entry: LockedPackage | None
    ) -> tuple[str | None, CrateSource | None]:
        chosen = self._choose(spec, node, lock, entry)
        if chosen is None:
            return None, None
        crate_id = chosen.crate_id
        if crate_id in self._by_id:
            return crate_id, self._by_id[crate_id]
        if crate_id in self._missing:
            return crate_id, None
        assert chosen.source is not None
        located = self._locator.locate(chosen.name, chosen.version, chosen.source)
        manifest = self._loader.load(located.root / MANIFEST) if located else None
        if located is None or manifest is None:
            self._missing.add(crate_id)
            self._problems.append(
                Problem(
                    str(lock.path),
                    0,
                    f"sources of {crate_id} ({chosen.source}) are not on this machine; "
                    "run `cargo fetch` online once, or vendor it (`cargo vendor`)",
                )
            )
            return crate_id, None
        root = find_workspace_root(manifest.path, self._loader)
        workspace = self._loader.load(root / MANIFEST)
        crate = self._build(manifest, workspace, located.kind)
        if crate is None:
            return None, None
        self._by_id[crate_id] = crate
        self._queue.append(
            PackageNode(crate, manifest, workspace, is_member=False, lock_source=chosen.source)
        )
        return crate_id, crate

    def _choose(
        self, spec: DepSpec, node: PackageNode, lock: Lockfile, entry: LockedPackage | None
    ) -> LockedPackage | None:
        """The locked package `spec` resolves to; None (with a Problem if it matters)."""
        if entry is not None:
            listed = (lock.find(ref) for ref in entry.dependencies if ref.name == spec.package)
            candidates = [p for p in listed if p is not None]
        else:
            candidates = lock.named(spec.package)
        wants_git = spec.git is not None
        candidates = [
            p
            for p in candidates
            if p.source is not None and p.source.startswith("git+") == wants_git
        ]
        requirement = spec.req or "*"
        where = str(node.manifest.path)
        if not candidates:
            # Optional dependencies are locked only when some feature turns them on.
            if not spec.optional:
                self._problems.append(
                    Problem(
                        where,
                        0,
                        f'{node.crate.name} depends on {spec.package} "{requirement}" but '
                        "Cargo.lock has no such package; run `cargo update` to refresh it",
                    )
                )
            return None
        try:
            req = VersionReq.parse(requirement)
        except ValueError:
            self._problems.append(
                Problem(where, 0, f"bad version requirement for {spec.package}: {requirement!r}")
            )
            req = VersionReq(())
        matching = [p for p in candidates if _satisfies(req, p.version)]
        if not matching:
            locked = ", ".join(sorted(p.version for p in candidates))
            self._problems.append(
                Problem(
                    where,
                    0,
                    f"Cargo.lock does not satisfy {node.crate.name}'s requirement "
                    f'{spec.package} = "{requirement}" (locked: {locked}); run '
                    f"`cargo update -p {spec.package}`",
                    "error",
                )
            )
            return None
        return max(matching, key=lambda p: version_order(p.version))

    def _build(
        self, manifest: Manifest, workspace: Manifest | None, source: str
    ) -> CrateSource | None:
        crate = build_crate(
            manifest,
            workspace,
            source,
            lib_only=True,
            max_file_bytes=self._max_file_bytes,
            problems=self._problems,
        )
        if crate is not None:
            self.found.append(crate)
        return crate


def _satisfies(req: VersionReq, version: str) -> bool:
    try:
        return req.matches(Version.parse(version))
    except ValueError:
        return False
