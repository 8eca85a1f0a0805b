"""`update_dependencies`: bring the dependency crates of an index in line with the lock.

Runs the indexing pipeline, whose dependency hooks (reuse.py) skip every crate whose
artifact key (version, sources, dependencies) and features are unchanged, write cached
ones and index the rest; members go through the pipeline as always. This is the entry
point for the lockfile-change policy (`rustrag watch` calls it when Cargo.lock changes)
and for `rustrag deps update`.
"""

from __future__ import annotations

import json
from pathlib import Path

from rustrag.config import Limits
from rustrag.deps.state import META_LAST_UPDATE, DepsUpdateReport, read_for_workspace
from rustrag.pipeline import index_workspace
from rustrag.store import Store


def update_dependencies(
    workspace_path: Path, index_dir: Path, *, limits: Limits | None = None
) -> DepsUpdateReport:
    """Re-index only the dependencies whose version or sources changed; report what
    was done. Raises IndexBusy when another process is writing this index."""
    index_report = index_workspace(Path(workspace_path), Path(index_dir), limits=limits)
    with Store.open(Path(index_dir), read_only=True) as store:
        text = read_for_workspace(store, META_LAST_UPDATE, index_report.root)
    report = DepsUpdateReport.from_json(json.loads(text)) if text else DepsUpdateReport()
    # The pipeline's problems include discovery's (missing sources, broken manifests).
    report.problems = index_report.problems
    return report
