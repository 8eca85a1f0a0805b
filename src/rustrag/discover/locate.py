"""Where the sources of a locked package are on this machine, without any network."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rustrag.discover.cargo_config import SourceConfig, SourceEntry, cargo_home
from rustrag.discover.fs import is_file
from rustrag.discover.manifest import MANIFEST, ManifestLoader, package_info
from rustrag.discover.members import find_workspace_root

# Git checkouts hold whole repositories; packages sit a few folders down at most.
_CHECKOUT_DEPTH = 4


@dataclass(frozen=True, slots=True)
class Located:
    root: Path  # folder holding the package's Cargo.toml
    kind: str  # CrateSource.source: "registry", "directory" or "git"


class SourceLocator:
    def __init__(self, config: SourceConfig) -> None:
        self._config = config
        # Its own loader: a broken manifest among unrelated vendored crates is not a
        # problem of this workspace.
        self._loader = ManifestLoader()
        self._home = cargo_home()
        self._directory_index: dict[Path, dict[tuple[str, str], Path]] = {}
        self._checkout_index: dict[tuple[str, str], list[Path]] | None = None

    def locate(self, name: str, version: str, source: str) -> Located | None:
        kind, _, url = source.partition("+")
        if kind == "sparse":
            url = source  # sparse registries are configured with their prefix
        if kind == "git":
            return self._locate_git(name, version, url)
        replaced = self._replaced(url)
        if replaced is not None and replaced.directory is not None:
            found = self._in_directory(replaced.directory, name, version)
            if found is not None:
                return Located(found, "directory")
        found = self._in_registry_cache(name, version)
        return Located(found, "registry") if found is not None else None

    def directory_of(self, path: Path) -> bool:
        """Whether `path` lies inside a configured directory source."""
        return any(d == path or d in path.parents for d in self._config.directories())

    def _replaced(self, url: str) -> SourceEntry | None:
        name = self._config.source_name(url)
        return self._config.replacement(name) if name is not None else None

    def _in_directory(self, folder: Path, name: str, version: str) -> Path | None:
        # `cargo vendor` names folders NAME or NAME-VERSION; Debian always NAME-VERSION.
        for candidate in (folder / f"{name}-{version}", folder / name):
            if self._identity(candidate) == (name, version):
                return candidate
        if folder not in self._directory_index:
            index: dict[tuple[str, str], Path] = {}
            try:
                children = sorted(folder.iterdir())
            except OSError:
                children = []
            for child in children:
                identity = self._identity(child)
                if identity is not None:
                    index.setdefault(identity, child)
            self._directory_index[folder] = index
        return self._directory_index[folder].get((name, version))

    def _in_registry_cache(self, name: str, version: str) -> Path | None:
        src = self._home / "registry" / "src"
        try:
            indexes = sorted(src.iterdir())
        except OSError:
            return None
        for index in indexes:
            candidate = index / f"{name}-{version}"
            if is_file(candidate / MANIFEST):
                return candidate
        return None

    def _locate_git(self, name: str, version: str, url: str) -> Located | None:
        repo, _, rev = url.partition("#")
        replaced = self._replaced(repo.split("?")[0])
        if replaced is not None and replaced.directory is not None:
            found = self._in_directory(replaced.directory, name, version)
            if found is not None:
                return Located(found, "directory")
        candidates = self._checkouts().get((name, version), [])
        # Checkout folders are named after a short commit id: prefer the locked commit.
        candidates = sorted(candidates, key=lambda p: not (rev and _checkout_of(p, rev)))
        return Located(candidates[0], "git") if candidates else None

    def _checkouts(self) -> dict[tuple[str, str], list[Path]]:
        if self._checkout_index is None:
            index: dict[tuple[str, str], list[Path]] = {}
            for manifest in _manifests_under(self._home / "git" / "checkouts", _CHECKOUT_DEPTH + 2):
                identity = self._identity(manifest.parent)
                if identity is not None:
                    index.setdefault(identity, []).append(manifest.parent)
            self._checkout_index = index
        return self._checkout_index

    def _identity(self, folder: Path) -> tuple[str, str] | None:
        path = folder / MANIFEST
        if not is_file(path):
            return None
        manifest = self._loader.load(path)
        if manifest is None or manifest.package is None:
            return None
        root = find_workspace_root(path, self._loader)
        workspace = self._loader.load(root / MANIFEST) if root != folder else manifest
        info = package_info(manifest, workspace, problems=[])
        return (info.name, info.version) if info is not None else None


def _checkout_of(package_dir: Path, rev: str) -> bool:
    # checkouts/<repo>-<hash>/<short rev>/<path inside the repo>
    return any(rev.startswith(part) for part in package_dir.parts if len(part) >= 7)


def _manifests_under(top: Path, depth: int) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(top):
        level = len(Path(folder).relative_to(top).parts)
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "target"]
        if level >= depth:
            dirs[:] = []
        if MANIFEST in files:
            found.append(Path(folder) / MANIFEST)
    return sorted(found)
