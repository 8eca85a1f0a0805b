"""Cargo.lock, formats v1 to v4, as a list of locked packages and their dependencies."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustrag.model import Problem

LOCKFILE = "Cargo.lock"
_NEWEST_FORMAT = 4
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
# v1 writes "name version (source)"; v2+ only as much as tells packages apart.
_DEP_REF = re.compile(r"^(\S+)(?: (\S+))?(?: \((.+)\))?$")


@dataclass(frozen=True, slots=True)
class LockRef:
    name: str
    version: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class LockedPackage:
    name: str
    version: str
    source: str | None  # None for workspace members and path dependencies
    dependencies: tuple[LockRef, ...]

    @property
    def crate_id(self) -> str:
        return f"{self.name}@{self.version}"


@dataclass(slots=True)
class Lockfile:
    path: Path
    format: int
    packages: list[LockedPackage]

    def named(self, name: str) -> list[LockedPackage]:
        return [p for p in self.packages if p.name == name]

    def find(self, ref: LockRef) -> LockedPackage | None:
        for package in self.named(ref.name):
            if ref.version is not None and package.version != ref.version:
                continue
            if ref.source is not None and package.source != ref.source:
                continue
            return package
        return None

    def entry(self, name: str, version: str, source: str | None) -> LockedPackage | None:
        return self.find(LockRef(name, version, source))


def read_lockfile(path: Path) -> tuple[Lockfile | None, list[Problem]]:
    """The lockfile at `path`; None with a Problem when it cannot be used at all."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), 0, f"cannot read Cargo.lock: {exc}", "error")]
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        reason = _TOML_LINE.sub("", str(exc)).strip()
        return None, [
            Problem(
                str(path),
                int(found.group(1)) if found else 0,
                f"Cargo.lock does not parse ({reason}); regenerate it with "
                "`cargo generate-lockfile`",
                "error",
            )
        ]
    problems: list[Problem] = []
    version = data.get("version", 1)
    if not isinstance(version, int) or version > _NEWEST_FORMAT:
        problems.append(Problem(str(path), 0, f"unknown Cargo.lock format {version!r}; read as v4"))
        version = _NEWEST_FORMAT
    entries: list[Any] = list(
        data.get("package", []) if isinstance(data.get("package"), list) else []
    )
    if isinstance(data.get("root"), dict):  # the oldest v1 files kept the root package apart
        entries.append(data["root"])
    packages: list[LockedPackage] = []
    for entry in entries:
        package = _package(entry)
        if package is None:
            problems.append(
                Problem(str(path), 0, f"Cargo.lock entry without a name and version: {entry!r}")
            )
        else:
            packages.append(package)
    if not packages:
        problems.append(Problem(str(path), 0, "Cargo.lock lists no packages", "error"))
        return None, problems
    return Lockfile(path=path, format=version, packages=packages), problems


def _package(entry: Any) -> LockedPackage | None:
    if not isinstance(entry, dict):
        return None
    name, version, source = entry.get("name"), entry.get("version"), entry.get("source")
    if not isinstance(name, str) or not isinstance(version, str):
        return None
    refs = []
    for text in entry.get("dependencies", []) or []:
        found = _DEP_REF.match(text) if isinstance(text, str) else None
        if found is not None:
            refs.append(LockRef(found.group(1), found.group(2), found.group(3)))
    return LockedPackage(
        name=name,
        version=version,
        source=source if isinstance(source, str) else None,
        dependencies=tuple(refs),
    )
