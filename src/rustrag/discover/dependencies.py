"""Phase 2 of discover: the dependencies of the members, at their locked versions."""

from __future__ import annotations

from pathlib import Path

from rustrag.discover.cargo_config import load_source_config
from rustrag.discover.cargo_metadata import run_cargo_metadata
from rustrag.discover.deps_manifests import ManifestResolver, PackageNode
from rustrag.discover.deps_metadata import crates_from_metadata
from rustrag.discover.fs import is_file
from rustrag.discover.locate import SourceLocator
from rustrag.discover.lockfile import LOCKFILE, read_lockfile
from rustrag.discover.manifest import MANIFEST, ManifestLoader
from rustrag.discover.semver import Version
from rustrag.model import CrateSource, Problem


def resolve_dependencies(
    root: Path,
    members: list[PackageNode],
    loader: ManifestLoader,
    *,
    max_file_bytes: int,
    use_cargo: bool,
) -> tuple[list[CrateSource], list[Problem]]:
    """Dependency crates of the workspace at `root`, sorted by name and version.

    Fills `dependencies` of every crate. Prefers cargo's own resolution; without it
    reads Cargo.lock and the manifests.
    """
    config, problems = load_source_config(root)
    locator = SourceLocator(config)
    lock_path = root / LOCKFILE
    if use_cargo:
        graph, why = run_cargo_metadata(root, locked=is_file(lock_path))
        if graph is not None:
            found = crates_from_metadata(
                graph,
                [m.crate for m in members],
                locator,
                max_file_bytes=max_file_bytes,
                problems=problems,
            )
            return _sorted(found), problems
        problems.append(
            Problem(
                str(root / MANIFEST),
                0,
                f"{why}; reading Cargo.lock and the manifests instead",
            )
        )
    lock = None
    if is_file(lock_path):
        lock, lock_problems = read_lockfile(lock_path)
        problems.extend(lock_problems)
    resolver = ManifestResolver(
        lock, locator, loader, max_file_bytes=max_file_bytes, problems=problems
    )
    found = resolver.resolve(members)
    if resolver.unresolved:
        shown = ", ".join(resolver.unresolved[:5])
        more = f" and {len(resolver.unresolved) - 5} more" if len(resolver.unresolved) > 5 else ""
        problems.append(
            Problem(
                str(lock_path),
                0,
                f"dependencies were not resolved ({shown}{more}): no usable Cargo.lock. "
                f"Run `cargo generate-lockfile` in {root} (online once, or offline with "
                "vendored sources), then index again",
                "error",
            )
        )
    return _sorted(found), problems


def _sorted(crates: list[CrateSource]) -> list[CrateSource]:
    def key(crate: CrateSource) -> tuple[str, tuple[int, ...], str]:
        try:
            parsed = Version.parse(crate.version)
            return (crate.name, (parsed.major, parsed.minor, parsed.patch), crate.version)
        except ValueError:
            return (crate.name, (), crate.version)

    return sorted(crates, key=key)
