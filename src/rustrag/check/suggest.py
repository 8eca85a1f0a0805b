"""What to write instead of an unknown name: the version diff's replacement when the
`rustrag.apidiff` module is there, the same name under another public path, or the
nearest names by spelling."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from rustrag.api import Workspace
from rustrag.check.lookup import IndexLookup


@dataclass(slots=True)
class Replacement:
    kind: str  # "removed", "renamed", "moved"
    suggestion: str | None  # the path to write now, when there is one
    since: str | None  # the version where it changed
    evidence: str | None


def _replacement_api() -> Callable[..., object] | None:
    try:
        module = importlib.import_module("rustrag.apidiff")
    except ImportError:
        return None
    found = getattr(module, "replacement_for", None)
    return cast(Callable[..., object], found) if callable(found) else None


def _field(obj: object, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value) or None
    return str(value)


def diff_replacement(workspace: Workspace, path: str, crate_id: str) -> Replacement | None:
    """Ask the version-diff module what became of `path`; None when no other indexed
    version knows it, or the module is absent or fails."""
    api = _replacement_api()
    if api is None:
        return _current_lookup(workspace, path, crate_id)
    try:
        found = api(workspace, path, crate_id.partition("@")[0])
    except Exception:  # the diff is an enrichment: a failure there must not fail the check
        return None
    if found is None:
        return None
    kind = _text(_field(found, "kind", "change")) or "removed"
    suggestion = _text(_field(found, "replacement", "new_path", "to_path", "to", "new"))
    since = _text(_field(found, "since", "changed_in", "version", "to_version"))
    evidence = _text(_field(found, "evidence", "note", "reason"))
    return Replacement(kind, suggestion, since, evidence)


def same_name_elsewhere(
    lookup: IndexLookup, crate_id: str, name: str, written: str, *, limit: int = 3
) -> list[str]:
    """Public paths of the crate ending in `name`, other than the one written."""
    return [p for p in lookup.names(crate_id).get(name, []) if p != written][:limit]


def close_names(name: str, candidates: Iterable[str], *, limit: int = 3) -> list[str]:
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(name, pool, n=limit, cutoff=0.75)
    # prefix matches catch `digit` -> `digit1`, which the ratio can rank low
    if len(name) >= 4:
        close += [c for c in pool if c.startswith(name) and c not in close][: limit - len(close)]
    return close[:limit]


def _current_lookup(workspace: Workspace, path: str, crate_id: str) -> Replacement | None:
    """Through `Workspace.lookup_current`: needs another version of the crate indexed."""
    lookup = getattr(workspace, "lookup_current", None)
    if not callable(lookup):
        return None
    try:
        resolution = lookup(path, crate=crate_id)
    except Exception:  # NotFound when no version has it; any failure: no enrichment
        return None
    stale = getattr(resolution, "stale", None)
    if stale is None or getattr(resolution, "status", "current") == "current":
        return None
    replacement = getattr(stale, "replacement", None)
    suggestion = None
    if replacement is not None:
        item = replacement.item
        suggestion = min(item.paths or [item.path], key=lambda p: (p.count("::"), len(p)))
    old = getattr(stale, "stale", None)
    old_label = f" (was in {old.crate} {old.version})" if old is not None else ""
    since = crate_id.partition("@")[2] if resolution.status != "newer_only" else None
    evidence = (getattr(stale, "evidence", "") or "") + old_label
    return Replacement(str(resolution.status), suggestion, since, evidence or None)
