"""A package's build targets, found the way cargo finds them.

Explicit [lib]/[[bin]]/[[example]]/[[test]]/[[bench]] entries come first; the
conventional layout (src/lib.rs, src/main.rs, src/bin/*, examples/*, tests/*,
benches/*) adds the rest unless `autobins = false` and friends switch it off.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustrag.discover.fs import children, is_dir, is_file
from rustrag.discover.manifest import Manifest
from rustrag.model import Problem, Target, TargetKind

_KIND_ORDER: tuple[TargetKind, ...] = ("lib", "bin", "example", "test", "bench", "build")


@dataclass(frozen=True, slots=True)
class _Family:
    kind: TargetKind
    table: str  # the [[..]] array in Cargo.toml
    folder: str  # where auto-discovery looks
    auto_key: str


_FAMILIES = (
    _Family("bin", "bin", "src/bin", "autobins"),
    _Family("example", "example", "examples", "autoexamples"),
    _Family("test", "test", "tests", "autotests"),
    _Family("bench", "bench", "benches", "autobenches"),
)


def discover_targets(
    manifest: Manifest, package_name: str, edition: str, problems: list[Problem]
) -> list[Target]:
    """Every target of the package, roots relative to the crate root."""
    root = manifest.dir
    package = manifest.package or {}
    targets: list[Target] = []
    lib = _lib_target(manifest, package_name, package, problems)
    if lib is not None:
        targets.append(lib)
    for family in _FAMILIES:
        targets.extend(_family_targets(family, manifest, package_name, edition, problems))
    targets.extend(_build_targets(root, package.get("build"), manifest, problems))
    targets.sort(key=lambda t: (_KIND_ORDER.index(t.kind), t.name))
    return targets


def _lib_target(
    manifest: Manifest, package_name: str, package: dict[str, Any], problems: list[Problem]
) -> Target | None:
    table = manifest.data.get("lib")
    table = table if isinstance(table, dict) else None
    name = package_name.replace("-", "_")
    if table is not None and isinstance(table.get("name"), str):
        name = table["name"]
    if table is not None and isinstance(table.get("path"), str):
        return Target("lib", name, _normal(table["path"]))
    if is_file(manifest.dir / "src" / "lib.rs") and package.get("autolib") is not False:
        return Target("lib", name, "src/lib.rs")
    if table is not None:
        problems.append(
            Problem(
                str(manifest.path),
                manifest.line_of("[lib]"),
                "[lib] has no `path` and src/lib.rs does not exist",
            )
        )
    return None


def _family_targets(
    family: _Family, manifest: Manifest, package_name: str, edition: str, problems: list[Problem]
) -> list[Target]:
    root = manifest.dir
    package = manifest.package or {}
    entries = manifest.data.get(family.table)
    entries = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
    explicit: list[Target] = []
    for entry in entries:
        name = entry.get("name")
        if not isinstance(name, str):
            problems.append(
                Problem(
                    str(manifest.path),
                    manifest.line_of(f"[[{family.table}]]"),
                    f"a [[{family.table}]] entry has no `name`; skipped",
                )
            )
            continue
        path = entry.get("path")
        if isinstance(path, str):
            found: str | None = _normal(path)
        else:
            found = _infer_path(family, root, name, package_name)
        if found is None:
            problems.append(
                Problem(
                    str(manifest.path),
                    manifest.line_of(f"[[{family.table}]]"),
                    f"cannot find the root file of {family.kind} target `{name}`; give it a `path`",
                )
            )
            continue
        explicit.append(Target(family.kind, name, found))
    # Edition 2015 switched auto-discovery off for a kind as soon as one was declared.
    auto_default = not (edition == "2015" and explicit)
    if package.get(family.auto_key, auto_default) is False:
        return explicit
    names = {t.name for t in explicit}
    roots = {t.root for t in explicit}
    inferred = [
        t
        for t in _auto_targets(family, root, package_name)
        if t.name not in names and t.root not in roots
    ]
    return explicit + inferred


def _auto_targets(family: _Family, root: Path, package_name: str) -> list[Target]:
    found: list[Target] = []
    if family.kind == "bin" and is_file(root / "src" / "main.rs"):
        found.append(Target("bin", package_name, "src/main.rs"))
    folder = root / family.folder
    if not is_dir(folder):
        return found
    for entry in children(folder):
        if entry.name.startswith("."):
            continue
        if entry.suffix == ".rs" and is_file(entry):
            found.append(Target(family.kind, entry.stem, f"{family.folder}/{entry.name}"))
        elif is_dir(entry) and is_file(entry / "main.rs"):
            found.append(Target(family.kind, entry.name, f"{family.folder}/{entry.name}/main.rs"))
    return found


def _infer_path(family: _Family, root: Path, name: str, package_name: str) -> str | None:
    candidates = [f"{family.folder}/{name}.rs", f"{family.folder}/{name}/main.rs"]
    if family.kind == "bin" and name == package_name:
        candidates.insert(0, "src/main.rs")
    for candidate in candidates:
        if is_file(root / candidate):
            return candidate
    return None


def _build_targets(
    root: Path, build: Any, manifest: Manifest, problems: list[Problem]
) -> list[Target]:
    if build is False:
        return []
    if isinstance(build, str):
        return [_build_target(build)]
    if isinstance(build, list):  # cargo's multiple build scripts
        return [_build_target(b) for b in build if isinstance(b, str)]
    if is_file(root / "build.rs"):
        return [_build_target("build.rs")]
    if build is True:
        problems.append(Problem(str(manifest.path), 0, "`build = true` but there is no build.rs"))
    return []


def _build_target(path: str) -> Target:
    root = _normal(path)
    stem = posixpath.splitext(posixpath.basename(root))[0]
    return Target("build", f"build-script-{stem}", root)


def _normal(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/"))
