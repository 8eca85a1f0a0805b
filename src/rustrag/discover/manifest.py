"""Reading Cargo.toml files: parsing with located errors, package fields with inheritance.

A manifest that does not parse is a Problem for that package only; the loader caches
every result so each broken file is reported once however often it is reached.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustrag.model import Problem

MANIFEST = "Cargo.toml"
# tomllib reports positions only inside its message: "... (at line 3, column 7)".
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
# Cargo has defaulted a missing package version to this since 1.75.
DEFAULT_VERSION = "0.0.0"
# Cargo's edition when a manifest names none (it warns about it).
DEFAULT_EDITION = "2015"


@dataclass(slots=True)
class Manifest:
    path: Path  # absolute path of the Cargo.toml
    data: dict[str, Any]
    text: str

    @property
    def dir(self) -> Path:
        return self.path.parent

    @property
    def package(self) -> dict[str, Any] | None:
        table = self.data.get("package", self.data.get("project"))
        return table if isinstance(table, dict) else None

    @property
    def workspace(self) -> dict[str, Any] | None:
        table = self.data.get("workspace")
        return table if isinstance(table, dict) else None

    def line_of(self, header: str) -> int:
        """1-based line where `header` (e.g. "[package]") first appears, 0 if absent."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if line.strip().startswith(header):
                return number
        return 0


@dataclass(frozen=True, slots=True)
class PackageInfo:
    name: str
    version: str
    edition: str


class ManifestLoader:
    """Parses each Cargo.toml once and keeps the problems of the broken ones."""

    def __init__(self) -> None:
        self._cache: dict[Path, Manifest | None] = {}
        self.problems: list[Problem] = []

    def load(self, path: Path) -> Manifest | None:
        path = Path(path).absolute()
        if path not in self._cache:
            manifest, problem = _parse(path)
            self._cache[path] = manifest
            if problem is not None:
                self.problems.append(problem)
        return self._cache[path]


def _parse(path: Path) -> tuple[Manifest | None, Problem | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, Problem(str(path), 0, "Cargo.toml not found", "error")
    except (OSError, UnicodeDecodeError) as exc:
        return None, Problem(str(path), 0, f"cannot read Cargo.toml: {exc}", "error")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_LINE.search(message)
        line = int(found.group(1)) if found else 0
        reason = _TOML_LINE.sub("", message).strip()
        return None, Problem(
            str(path), line, f"Cargo.toml does not parse ({reason}); package skipped", "error"
        )
    return Manifest(path=path, data=data, text=text), None


def inherited(
    value: Any, key: str, manifest: Manifest, workspace: Manifest | None, problems: list[Problem]
) -> Any:
    """`value` itself, or for `key.workspace = true` the value from [workspace.package]."""
    if not (isinstance(value, dict) and value.get("workspace") is True):
        return value
    shared = (workspace.workspace or {}).get("package", {}) if workspace else {}
    if isinstance(shared, dict) and key in shared:
        return shared[key]
    problems.append(
        Problem(
            str(manifest.path),
            manifest.line_of("[package]"),
            f"`{key}.workspace = true` but the workspace root has no [workspace.package] {key}",
        )
    )
    return None


def package_info(
    manifest: Manifest, workspace: Manifest | None, problems: list[Problem]
) -> PackageInfo | None:
    """Name, version and edition of a package manifest; None when it has no usable name."""
    package = manifest.package
    if package is None:
        return None
    line = manifest.line_of("[package]")
    name = package.get("name")
    if not isinstance(name, str) or not name:
        problems.append(
            Problem(str(manifest.path), line, "[package] has no `name`; package skipped", "error")
        )
        return None
    version = inherited(package.get("version"), "version", manifest, workspace, problems)
    if not isinstance(version, str):
        problems.append(
            Problem(
                str(manifest.path),
                line,
                f"package `{name}` has no `version`; using {DEFAULT_VERSION} as cargo does",
            )
        )
        version = DEFAULT_VERSION
    edition = inherited(package.get("edition"), "edition", manifest, workspace, problems)
    if not isinstance(edition, str):
        edition = DEFAULT_EDITION
    return PackageInfo(name=name, version=version, edition=edition)


def lib_name_of(manifest: Manifest, package_name: str) -> str:
    lib = manifest.data.get("lib")
    if isinstance(lib, dict) and isinstance(lib.get("name"), str):
        return str(lib["name"])
    return package_name.replace("-", "_")
