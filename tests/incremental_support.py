"""Shared by the incremental, watch, crash and snapshot tests: the small real workspace
of benchmarks/small_workspace.py, clean-index comparison, and cache isolation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from benchmarks.debian_project import CARGO
from benchmarks.small_workspace import FILES, export_lines, index_contents, make_workspace

from rustrag.pipeline import IndexReport, index_workspace

__all__ = ["CARGO", "FILES", "export_lines", "index_contents", "make_workspace"]

DEBIAN_REGISTRY = Path("/usr/share/cargo/registry")
needs_cargo = pytest.mark.skipif(
    CARGO is None or not DEBIAN_REGISTRY.is_dir(),
    reason="needs cargo on PATH and Debian's crates in /usr/share/cargo/registry",
)


def index(root: Path, index_dir: Path) -> IndexReport:
    return index_workspace(root, index_dir)


def assert_same_index(
    incremental: Path, clean_root: Path, clean_dir: Path, *, rows_of: set[str] | None = None
) -> None:
    """A clean index of `clean_root` into `clean_dir` equals the index at `incremental`:
    the sorted `iter_export` JSONL of every crate, and every row of every relation of the
    crates in `rows_of` (all crates when None)."""
    shutil.rmtree(clean_dir, ignore_errors=True)
    index(clean_root, clean_dir)
    assert export_lines(incremental) == export_lines(clean_dir)
    got = index_contents(incremental)
    want = index_contents(clean_dir)
    assert sorted(got) == sorted(want)
    for crate_id in want:
        if rows_of is not None and crate_id not in rows_of:
            continue
        for relation, rows in want[crate_id].items():
            assert got[crate_id][relation] == rows, f"{crate_id}: {relation} differs"


@pytest.fixture()
def isolated_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A per-test machine cache (rustrag.deps) and no background embedding: a machine
    cache filled by another rustrag version would make "clean" mean something else."""
    monkeypatch.setenv("RUSTRAG_CACHE_DIR", str(tmp_path / "machine-cache"))
    monkeypatch.setenv("RUSTRAG_NO_EMBED", "1")
