"""Turning one parsed package manifest into the CrateSource the pipeline indexes."""

from __future__ import annotations

from rustrag.discover.files import list_rust_files
from rustrag.discover.manifest import Manifest, lib_name_of, package_info
from rustrag.discover.targets import discover_targets
from rustrag.model import CrateSource, Problem


def build_crate(
    manifest: Manifest,
    workspace: Manifest | None,
    source: str,
    *,
    lib_only: bool,
    max_file_bytes: int,
    problems: list[Problem],
) -> CrateSource | None:
    """The crate a manifest describes; None (with a Problem) when it is not a package."""
    info = package_info(manifest, workspace, problems)
    if info is None:
        return None
    targets = discover_targets(manifest, info.name, info.edition, problems)
    if lib_only:
        targets = [t for t in targets if t.kind == "lib"]
    files, file_problems = list_rust_files(manifest.dir, max_file_bytes=max_file_bytes)
    problems.extend(file_problems)
    return CrateSource(
        name=info.name,
        version=info.version,
        root=str(manifest.dir),
        source=source,
        edition=info.edition,
        lib_name=lib_name_of(manifest, info.name),
        targets=targets,
        files=files,
    )
