"""Shared by the incremental, watch, crash and snapshot tests: the small real workspace
of benchmarks/small_workspace.py, clean-index comparison, and cache isolation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from benchmarks.small_workspace import CARGO, FILES, index_contents, make_workspace

from rustrag.pipeline import IndexReport, index_workspace
from rustrag.store import Store

__all__ = ["CARGO", "FILES", "index_contents", "make_workspace"]

DEBIAN_REGISTRY = Path("/usr/share/cargo/registry")
needs_cargo = pytest.mark.skipif(
    CARGO is None or not DEBIAN_REGISTRY.is_dir(),
    reason="needs cargo on PATH and Debian's crates in /usr/share/cargo/registry",
)


def index(root: Path, index_dir: Path) -> IndexReport:
    return index_workspace(root, index_dir)


def assert_same_index(incremental: Path, clean_root: Path, clean_dir: Path) -> None:
    """A clean index of `clean_root` into `clean_dir` equals the index at `incremental`."""
    shutil.rmtree(clean_dir, ignore_errors=True)
    index(clean_root, clean_dir)
    got = index_contents(incremental)
    want = index_contents(clean_dir)
    assert sorted(got) == sorted(want)
    for crate_id in want:
        for relation, rows in want[crate_id].items():
            assert got[crate_id][relation] == rows, f"{crate_id}: {relation} differs"


def export_lines(index_dir: Path) -> list[str]:
    """Sorted JSONL of `iter_export`, the comparison the issue asks for."""
    with Store.open(index_dir, read_only=True) as store:
        return sorted(json.dumps(row, sort_keys=True) for row in store.iter_export())


@pytest.fixture()
def isolated_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A per-test machine cache (rustrag.deps) and no background embedding: a machine
    cache filled by another rustrag version would make "clean" mean something else."""
    monkeypatch.setenv("RUSTRAG_CACHE_DIR", str(tmp_path / "machine-cache"))
    monkeypatch.setenv("RUSTRAG_NO_EMBED", "1")
