"""`replacement_for`: the one call the code checker makes for a path that does not resolve."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rustrag.api import Workspace


@dataclass(slots=True)
class Replacement:
    """What to write instead of an outdated path, and why."""

    written: str  # the path as the code wrote it
    status: str  # "renamed", "moved", "removed" or "newer_only"
    stale_crate: str  # crate id of the version that has `written` ("clap@3.2.23")
    current_crate: str  # crate id the project uses ("clap@4.0.32")
    path: str | None  # the current path to write, None when nothing replaces it
    signature: str | None  # the replacement's signature
    location: str | None  # replacement `file:line`, relative to its crate root
    alternatives: list[str]  # similar current paths when nothing replaces it
    evidence: str  # "renamed to `clap::Command` in clap 4.0.32, was `clap::App` ..."

    def to_json(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "status": self.status,
            "stale_crate": self.stale_crate,
            "current_crate": self.current_crate,
            "path": self.path,
            "signature": self.signature,
            "location": self.location,
            "alternatives": self.alternatives,
            "evidence": self.evidence,
        }


def replacement_for(
    workspace: Workspace, path_as_written: str, crate_name: str
) -> Replacement | None:
    """What `path_as_written` (`clap::App`, `App::new`, `nom::named!`) became in the version
    of `crate_name` the project uses.

    Returns None when the path names a current item, or when no indexed version of the
    crate knows it (then the checker's own "unresolved" report stands). Never raises for
    an unknown name; raises api.NotIndexed when there is no index.
    """
    from rustrag.api import NotFound

    try:
        found = workspace.lookup_current(path_as_written, crate=crate_name)
    except NotFound:
        return None
    stale = found.stale
    if stale is None:
        return None
    item = stale.replacement
    public_path = None
    if item is not None:
        public_path = item.item.paths[0] if item.item.paths else item.item.path
    return Replacement(
        written=path_as_written,
        status=stale.status,
        stale_crate=stale.stale.item.crate_id,
        current_crate=stale.current_crate,
        path=public_path,
        signature=item.item.raw.signature if item else None,
        location=f"{item.item.file}:{item.item.raw.line_start}" if item else None,
        alternatives=[a.item.paths[0] if a.item.paths else a.item.path for a in stale.alternatives],
        evidence=stale.evidence,
    )
