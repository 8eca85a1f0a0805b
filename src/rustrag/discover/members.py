"""Which Cargo.toml is the workspace root, and which packages are its members."""

from __future__ import annotations

import glob
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rustrag.discover.depspecs import DepKind, dependency_specs
from rustrag.discover.errors import DiscoveryError
from rustrag.discover.fs import is_dir, is_file
from rustrag.discover.manifest import MANIFEST, Manifest, ManifestLoader
from rustrag.model import Problem

_ALL_KINDS: frozenset[DepKind] = frozenset({"normal", "dev", "build"})


@dataclass(slots=True)
class WorkspaceLayout:
    root: Path  # folder of the root manifest
    root_manifest: Manifest | None  # None when the root Cargo.toml does not parse
    member_dirs: list[Path]  # root package first, then by relative path


def find_package_manifest(start: Path) -> Path:
    """The nearest Cargo.toml at or above `start`."""
    here = start if is_dir(start) else start.parent
    for folder in (here, *here.parents):
        candidate = folder / MANIFEST
        if is_file(candidate):
            return candidate
    raise DiscoveryError(
        f"no Cargo.toml at or above {start}: point rustrag at a Cargo package or workspace "
        "folder (one holding Cargo.toml), or create one with `cargo init`"
    )


def find_workspace_root(manifest_path: Path, loader: ManifestLoader) -> Path:
    """Folder of the workspace root manifest that owns the package at `manifest_path`."""
    manifest = loader.load(manifest_path)
    if manifest is not None:
        if manifest.workspace is not None:
            return manifest.dir
        declared = (manifest.package or {}).get("workspace")
        if isinstance(declared, str):
            target = (manifest.dir / declared).resolve()
            if is_file(target / MANIFEST):
                return target
    package_dir = manifest_path.parent
    for folder in package_dir.parents:
        candidate = folder / MANIFEST
        if not is_file(candidate):
            continue
        ancestor = loader.load(candidate)
        if ancestor is None or ancestor.workspace is None:
            continue
        if package_dir in _member_dirs(ancestor, loader, problems=None):
            return folder
    return package_dir


def workspace_layout(
    root: Path, loader: ManifestLoader, problems: list[Problem]
) -> WorkspaceLayout:
    manifest = loader.load(root / MANIFEST)
    if manifest is None:
        return WorkspaceLayout(root=root, root_manifest=None, member_dirs=[root])
    if manifest.workspace is None:
        return WorkspaceLayout(root=root, root_manifest=manifest, member_dirs=[root])
    return WorkspaceLayout(
        root=root, root_manifest=manifest, member_dirs=_member_dirs(manifest, loader, problems)
    )


def _member_dirs(
    root_manifest: Manifest, loader: ManifestLoader, problems: list[Problem] | None
) -> list[Path]:
    """Members of a workspace: its own package, `members` globs minus `exclude`, and
    path dependencies of members that live inside the root (cargo adds those itself)."""
    root = root_manifest.dir
    table = root_manifest.workspace or {}
    listed: list[Path] = []
    explicit: set[Path] = set()
    for pattern in _strings(table.get("members")):
        matches = sorted(glob.glob(str(root / pattern)))
        if not glob.has_magic(pattern):
            explicit.add((root / pattern).resolve())
            if not matches and problems is not None:
                problems.append(
                    Problem(str(root_manifest.path), 0, f"workspace member `{pattern}` not found")
                )
        for match in matches:
            folder = Path(match).resolve()
            if not is_dir(folder):
                continue
            if is_file(folder / MANIFEST):
                listed.append(folder)
            elif problems is not None:
                problems.append(
                    Problem(str(folder), 0, "workspace member folder has no Cargo.toml; skipped")
                )
    excluded = [(root / e).resolve() for e in _strings(table.get("exclude"))]

    def is_member(folder: Path) -> bool:
        if folder in explicit:
            return True
        return not any(folder == e or e in folder.parents for e in excluded)

    members: list[Path] = []
    queue = [root] if root_manifest.package is not None else []
    queue += [d for d in listed if is_member(d)]
    while queue:
        folder = queue.pop(0)
        if folder in members:
            continue
        members.append(folder)
        queue.extend(_inner_path_deps(folder, root_manifest, loader, is_member))
    head = [root] if root in members else []
    rest = sorted((m for m in members if m != root), key=lambda m: m.relative_to(root).as_posix())
    return head + rest


def _inner_path_deps(
    folder: Path,
    root_manifest: Manifest,
    loader: ManifestLoader,
    is_member: Callable[[Path], bool],
) -> list[Path]:
    manifest = loader.load(folder / MANIFEST)
    if manifest is None:
        return []
    root = root_manifest.dir
    # Problems in these specs are reported when the dependencies are resolved.
    specs = dependency_specs(manifest, root_manifest, _ALL_KINDS, problems=[])
    return [
        spec.path
        for spec in specs
        if spec.path is not None
        and (spec.path == root or root in spec.path.parents)
        and is_file(spec.path / MANIFEST)
        and is_member(spec.path)
    ]


def _strings(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]
