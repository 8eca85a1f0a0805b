"""Dependencies at their locked versions: the per-machine artifact cache, the project's
scope (which crate@version a name means here), cfg(feature) marks, and update/status.

`update_dependencies` lives in deps.update (it runs the pipeline, which imports this
package's hooks), re-exported here lazily to keep that import one-way.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rustrag.deps.cache_dir import cache_dir
from rustrag.deps.cfg_eval import CfgStatus, evaluate_cfg
from rustrag.deps.scope import ProjectScope, project_scope
from rustrag.deps.state import DepsUpdateReport

if TYPE_CHECKING:
    from rustrag.config import Limits


def update_dependencies(
    workspace_path: Path, index_dir: Path, *, limits: Limits | None = None
) -> DepsUpdateReport:
    from rustrag.deps.update import update_dependencies as run

    return run(workspace_path, index_dir, limits=limits)


__all__ = [
    "CfgStatus",
    "DepsUpdateReport",
    "ProjectScope",
    "cache_dir",
    "evaluate_cfg",
    "project_scope",
    "update_dependencies",
]
