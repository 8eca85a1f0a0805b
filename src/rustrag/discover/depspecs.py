"""The dependencies a manifest declares, with workspace inheritance applied.

Covers [dependencies], [dev-dependencies], [build-dependencies] (and their old
underscore spellings) plus every [target.'..'.*] variant: static analysis wants the
dependencies of all platforms at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rustrag.discover.manifest import Manifest
from rustrag.model import Problem

DepKind = Literal["normal", "dev", "build"]
_TABLES: dict[str, DepKind] = {
    "dependencies": "normal",
    "dev-dependencies": "dev",
    "dev_dependencies": "dev",
    "build-dependencies": "build",
    "build_dependencies": "build",
}


@dataclass(frozen=True, slots=True)
class DepSpec:
    key: str  # the name in the table: what `use` paths are based on when renamed
    package: str  # the real package name (`package = ".."`, else the key)
    req: str | None  # version requirement as written
    path: Path | None  # absolute folder of a path dependency
    git: str | None
    kind: DepKind
    optional: bool

    @property
    def renamed(self) -> bool:
        return self.package != self.key


def dependency_specs(
    manifest: Manifest,
    workspace: Manifest | None,
    kinds: frozenset[DepKind],
    problems: list[Problem],
) -> list[DepSpec]:
    specs: list[DepSpec] = []
    for table in _dependency_tables(manifest.data):
        for table_name, kind in _TABLES.items():
            if kind not in kinds:
                continue
            entries = table.get(table_name)
            if not isinstance(entries, dict):
                continue
            for key, raw in entries.items():
                spec = _spec(key, raw, kind, manifest, workspace, problems)
                if spec is not None:
                    specs.append(spec)
    return specs


def _dependency_tables(data: dict[str, Any]) -> list[dict[str, Any]]:
    tables = [data]
    targets = data.get("target")
    if isinstance(targets, dict):
        tables.extend(t for t in targets.values() if isinstance(t, dict))
    return tables


def _spec(
    key: str,
    raw: Any,
    kind: DepKind,
    manifest: Manifest,
    workspace: Manifest | None,
    problems: list[Problem],
) -> DepSpec | None:
    base = manifest.dir
    if isinstance(raw, str):
        raw = {"version": raw}
    if not isinstance(raw, dict):
        problems.append(Problem(str(manifest.path), 0, f"dependency `{key}` is not a table"))
        return None
    if raw.get("workspace") is True:
        shared = _workspace_dependency(key, workspace)
        if shared is None:
            problems.append(
                Problem(
                    str(manifest.path),
                    0,
                    f"dependency `{key}` has `workspace = true` but the workspace root has no "
                    f"[workspace.dependencies] {key}",
                )
            )
            return None
        # The member may add features or make it optional; everything else comes from
        # the root, whose relative paths are relative to the root.
        raw = {**shared, **{k: v for k, v in raw.items() if k != "workspace"}}
        assert workspace is not None
        base = workspace.dir
    package = raw.get("package", key)
    version = raw.get("version")
    path = raw.get("path")
    git = raw.get("git")
    return DepSpec(
        key=key,
        package=package if isinstance(package, str) else key,
        req=version if isinstance(version, str) else None,
        path=(base / path).resolve() if isinstance(path, str) else None,
        git=git if isinstance(git, str) else None,
        kind=kind,
        optional=raw.get("optional") is True,
    )


def _workspace_dependency(key: str, workspace: Manifest | None) -> dict[str, Any] | None:
    if workspace is None or workspace.workspace is None:
        return None
    shared = workspace.workspace.get("dependencies", {})
    if not isinstance(shared, dict) or key not in shared:
        return None
    entry = shared[key]
    if isinstance(entry, str):
        return {"version": entry}
    return entry if isinstance(entry, dict) else None
