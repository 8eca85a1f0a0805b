"""Dependency crates from the graph `cargo metadata` resolved."""

from __future__ import annotations

import os
from pathlib import Path

from rustrag.discover.cargo_metadata import MetadataGraph, MetadataPackage
from rustrag.discover.files import list_rust_files
from rustrag.discover.locate import SourceLocator
from rustrag.model import CrateSource, Problem, Target


def crates_from_metadata(
    graph: MetadataGraph,
    members: list[CrateSource],
    locator: SourceLocator,
    *,
    max_file_bytes: int,
    problems: list[Problem],
) -> list[CrateSource]:
    """Fill the members' dependency maps and return the dependency crates they reach.

    Members follow all their dependencies (dev and build too); dependencies only their
    normal ones, since only those are part of what a member can name.
    """
    member_by_dir = {Path(c.root): c for c in members}
    crates: dict[str, CrateSource] = {}
    queue: list[str] = []
    for package_id in graph.members:
        package = graph.packages.get(package_id)
        member = member_by_dir.get(package.manifest_path.parent.resolve()) if package else None
        if member is not None:
            member.features = graph.features.get(package_id, [])
            crates[package_id] = member
            queue.append(package_id)
    member_ids = set(queue)
    found: list[CrateSource] = []
    while queue:
        package_id = queue.pop(0)
        crate = crates[package_id]
        for dep in graph.deps.get(package_id, []):
            if package_id not in member_ids and "normal" not in dep.kinds:
                continue
            target = crates.get(dep.package_id)
            if target is None:
                package = graph.packages.get(dep.package_id)
                if package is None:
                    continue
                target = _dependency_crate(package, graph, locator, max_file_bytes, problems)
                crates[dep.package_id] = target
                found.append(target)
                queue.append(dep.package_id)
            crate.dependencies[dep.extern_name] = target.crate_id
    return found


def _dependency_crate(
    package: MetadataPackage,
    graph: MetadataGraph,
    locator: SourceLocator,
    max_file_bytes: int,
    problems: list[Problem],
) -> CrateSource:
    root = package.manifest_path.parent
    targets: list[Target] = []
    lib_name = None
    if package.lib is not None:
        lib_name, src_path = package.lib
        targets.append(Target("lib", lib_name, Path(os.path.relpath(src_path, root)).as_posix()))
    files, file_problems = list_rust_files(root, max_file_bytes=max_file_bytes)
    problems.extend(file_problems)
    return CrateSource(
        name=package.name,
        version=package.version,
        root=str(root),
        source=_source_kind(package, locator),
        edition=package.edition,
        lib_name=lib_name,
        targets=targets,
        files=files,
        features=graph.features.get(package.package_id, []),
    )


def _source_kind(package: MetadataPackage, locator: SourceLocator) -> str:
    if package.source is None:
        return "path"
    if locator.directory_of(package.manifest_path.parent.resolve()):
        return "directory"
    return "git" if package.source.startswith("git+") else "registry"
