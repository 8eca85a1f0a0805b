"""discover_workspace: from a path to every crate that indexing it involves."""

from __future__ import annotations

from pathlib import Path

from rustrag.discover.crates import build_crate
from rustrag.discover.dependencies import resolve_dependencies
from rustrag.discover.deps_manifests import PackageNode
from rustrag.discover.errors import DiscoveryError
from rustrag.discover.files import DEFAULT_MAX_FILE_BYTES
from rustrag.discover.fs import exists
from rustrag.discover.manifest import MANIFEST, ManifestLoader
from rustrag.discover.members import find_package_manifest, find_workspace_root, workspace_layout
from rustrag.model import Problem, Workspace


def discover_workspace(
    path: str | Path,
    *,
    include_deps: bool = True,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    use_cargo: bool = True,
) -> Workspace:
    """The workspace holding `path`: members first, then their dependencies.

    Raises DiscoveryError only when there is no Cargo.toml at or above `path`; every
    other defect of the input becomes a Problem in the result. `use_cargo=False` skips
    `cargo metadata` and resolves dependencies from Cargo.lock and manifests alone.
    """
    start = Path(path).absolute()
    if not exists(start):
        raise DiscoveryError(f"{start} does not exist: give the folder of a Cargo project")
    start = start.resolve()
    loader = ManifestLoader()
    problems: list[Problem] = []
    root = find_workspace_root(find_package_manifest(start), loader)
    layout = workspace_layout(root, loader, problems)
    members: list[PackageNode] = []
    for folder in layout.member_dirs:
        manifest = loader.load(folder / MANIFEST)
        if manifest is None:
            continue
        crate = build_crate(
            manifest,
            layout.root_manifest,
            "workspace",
            lib_only=False,
            max_file_bytes=max_file_bytes,
            problems=problems,
        )
        if crate is not None:
            members.append(PackageNode(crate, manifest, layout.root_manifest, is_member=True))
    crates = [m.crate for m in members]
    if include_deps:
        found, dependency_problems = resolve_dependencies(
            root, members, loader, max_file_bytes=max_file_bytes, use_cargo=use_cargo
        )
        crates.extend(found)
        problems.extend(dependency_problems)
    return Workspace(root=str(root), crates=crates, problems=loader.problems + problems)
