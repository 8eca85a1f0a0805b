"""Where the index lives and the limits indexing runs under.

Settings come from (first wins): explicit arguments, environment variables, defaults.
Kept in one place so the CLI, the MCP server and the Python API agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

INDEX_DIR_NAME = ".rustrag"
ENV_INDEX_DIR = "RUSTRAG_INDEX_DIR"
ENV_MAX_FILE_BYTES = "RUSTRAG_MAX_FILE_BYTES"

DEFAULT_MAX_FILE_BYTES = 8_000_000  # generated bindings reach a few MB; beyond that it is data


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    jobs: int = 0  # parse worker processes; 0 = one per core

    @staticmethod
    def from_env(max_file_bytes: int | None = None, jobs: int | None = None) -> Limits:
        env_cap = os.environ.get(ENV_MAX_FILE_BYTES)
        cap = max_file_bytes or (int(env_cap) if env_cap else DEFAULT_MAX_FILE_BYTES)
        return Limits(max_file_bytes=cap, jobs=jobs or 0)

    def worker_count(self) -> int:
        return self.jobs if self.jobs > 0 else max(1, os.cpu_count() or 1)


def find_workspace_root(start: Path) -> Path | None:
    """The outermost folder at or above `start` whose Cargo.toml declares a [workspace],
    else the nearest folder with a Cargo.toml. None when there is no Cargo.toml at all."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    nearest: Path | None = None
    workspace: Path | None = None
    for folder in [start, *start.parents]:
        manifest = folder / "Cargo.toml"
        if not manifest.is_file():
            continue
        if nearest is None:
            nearest = folder
        try:
            text = manifest.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "[workspace]" in text:
            workspace = folder
    return workspace or nearest


def resolve_index_dir(path: Path | None, index_dir: Path | None) -> Path:
    """The index folder for a workspace: --index-dir, else $RUSTRAG_INDEX_DIR, else
    `.rustrag/` at the workspace root found from `path` (or the current folder)."""
    if index_dir is not None:
        return index_dir.resolve()
    env = os.environ.get(ENV_INDEX_DIR)
    if env:
        return Path(env).resolve()
    start = (path or Path.cwd()).resolve()
    root = find_workspace_root(start)
    return (root or start) / INDEX_DIR_NAME
