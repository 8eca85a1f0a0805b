"""Which version of each dependency the checked code is compiled against.

Prefers `Workspace.scope()` (the dependency-scoping API) when it exists; until then the
workspace members' own dependency tables (extern name -> locked crate id) decide, and a
crate no member names falls back to its newest indexed version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import cast

from rustrag.api import Workspace
from rustrag.model import CrateSource


def _version_key(crate_id: str) -> tuple[int, ...]:
    version = crate_id.partition("@")[2].split("+")[0].split("-")[0]
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def _from_scope_api(workspace: Workspace, file: str | None) -> dict[str, str] | None:
    scope = getattr(workspace, "scope", None)
    if not callable(scope):
        return None
    try:
        result = cast(Callable[..., object], scope)()
    except Exception:  # a half-built API must not break check; the fallback still works
        return None
    mapping = getattr(result, "direct", result)
    if isinstance(mapping, Mapping) and mapping:
        return {str(k): str(v) for k, v in mapping.items()}
    return None


def dependency_scope(workspace: Workspace, file: str | None = None) -> dict[str, str]:
    """extern name -> crate id: what `use name::..` means in the checked code."""
    crates = workspace.crates()
    members = [c.crate for c in crates.values() if c.crate.source == "workspace"]
    owner = _owner(members, file)
    chosen: dict[str, str] = {}
    # newest indexed version of every crate first, then what members lock overrides it
    for crate_id in sorted(crates, key=_version_key):
        chosen[crates[crate_id].crate.extern_name] = crate_id
    for member in members:
        chosen[member.extern_name] = member.crate_id
        for extern, dep_id in sorted(member.dependencies.items(), key=lambda kv: kv[1]):
            if dep_id in crates:
                chosen[extern] = dep_id
    scoped = _from_scope_api(workspace, file)
    if scoped is not None:  # what the project resolves, as the scoping API recorded it
        chosen.update({e: d for e, d in scoped.items() if d in crates})
    if owner is not None:  # the file's own crate wins where members disagree
        chosen.update({e: d for e, d in owner.dependencies.items() if d in crates})
    return chosen


def _owner(members: list[CrateSource], file: str | None) -> CrateSource | None:
    """The member whose folder holds `file` (the deepest one, for nested members)."""
    if file is None or file == "-":
        return None
    path = Path(file).resolve()
    holding = [m for m in members if path.is_relative_to(Path(m.root))]
    return max(holding, key=lambda m: len(m.root)) if holding else None
