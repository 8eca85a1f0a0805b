"""Shared by the apidiff tests: real Debian crate versions indexed side by side."""

from __future__ import annotations

from pathlib import Path

from rustrag.discover import discover_workspace
from rustrag.pipeline import Indexer

REGISTRY = Path("/usr/share/cargo/registry")


def index_versions(index_dir: Path, *folders: str) -> None:
    """Index each crate folder into one index, as dependencies of the index.

    A Debian crate folder is a workspace of its own, and indexing a workspace now drops
    the other workspace crates of the index; marked as path dependencies, the versions
    stay side by side as a project's dependencies would.
    """
    with Indexer(index_dir) as indexer:
        for folder in folders:
            workspace = discover_workspace(REGISTRY / folder, include_deps=False)
            for crate in workspace.crates:
                crate.source = "path"
            indexer.run(workspace, include_deps=False, plan_dependencies=False, auto_snapshot=False)
