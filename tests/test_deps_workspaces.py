"""Several workspaces in one index folder: each keeps its own dependency scope, state and
cfg marks (per-workspace meta keys, deps/state.py), so a query answers with the versions
the asking workspace locks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.debian_project import CARGO, DEBIAN_REGISTRY, lock_against_debian, write_files

from rustrag.api import Workspace
from rustrag.deps.cache_dir import ENV_CACHE_DIR
from rustrag.deps.cfg_marks import load_marks
from rustrag.deps.scope import ProjectScope, load_scope
from rustrag.deps.state import META_CFG_PREFIX, META_SCOPE, workspace_key
from rustrag.pipeline import index_workspace
from rustrag.store import Store

pytestmark = pytest.mark.skipif(
    CARGO is None or not DEBIAN_REGISTRY.is_dir(), reason="needs cargo and Debian's crates"
)


@pytest.fixture(autouse=True)
def machine_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cache = tmp_path / "machine-cache"
    monkeypatch.setenv(ENV_CACHE_DIR, str(cache))
    yield cache


def _project(root: Path, clap: str) -> Path:
    # no default features: clap alone with its few required dependencies, not atty/libc
    write_files(
        root,
        {
            "Cargo.toml": f'[package]\nname = "{root.name}"\nversion = "0.1.0"\n'
            f'edition = "2021"\n\n[dependencies]\n'
            f'clap = {{ version = "{clap}", default-features = false }}\n',
            "src/main.rs": "use clap::Parser;\nfn main() {}\n",
        },
    )
    return lock_against_debian(root)


def test_scope_read_per_workspace_with_fallback_to_an_older_index(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    with Store.open(tmp_path / "index") as store:
        # an index written before per-workspace keys: its one scope is everyone's
        store.set_meta(META_SCOPE, ProjectScope(order=["old@1.0.0"]).dumps())
        assert load_scope(store, ours).order == ["old@1.0.0"]
        store.set_meta(workspace_key(META_SCOPE, ours), ProjectScope(order=["a@1.0.0"]).dumps())
        assert load_scope(store, ours).order == ["a@1.0.0"]
        assert load_scope(store, theirs).order == ["old@1.0.0"]
        # the key names the resolved root, however the caller spelled it
        assert load_scope(store, ours / ".." / "ours").order == ["a@1.0.0"]


def test_cfg_marks_read_per_workspace(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    key = META_CFG_PREFIX + "clap@4.0.32"
    with Store.open(tmp_path / "index") as store:
        assert load_marks(store, ours, "clap@4.0.32") == {}
        store.set_meta(key, '{"clap@4.0.32|clap::x|fn": ["disabled", "feature = \\"x\\""]}')
        store.set_meta(workspace_key(key, ours), '{"clap@4.0.32|clap::y|fn": ["undecidable", ""]}')
        assert load_marks(store, ours, "clap@4.0.32") == {
            "clap@4.0.32|clap::y|fn": ["undecidable", ""]
        }
        assert load_marks(store, theirs, "clap@4.0.32") == {
            "clap@4.0.32|clap::x|fn": ["disabled", 'feature = "x"']
        }


def test_two_workspaces_in_one_index_each_get_their_own_clap(tmp_path: Path) -> None:
    old = _project(tmp_path / "uses-clap3", "3")
    new = _project(tmp_path / "uses-clap4", "4")
    index_dir = tmp_path / "shared-index"
    index_workspace(old, index_dir)
    index_workspace(new, index_dir)  # indexed last: must not take over the first's scope
    for root, version in ((old, "clap@3.2.23"), (new, "clap@4.0.32")):
        with Workspace(root, index_dir) as ws:
            assert ws.scope().direct["clap"] == version
            shown = ws.show("Parser")
            assert shown.item.label == version and shown.item.item.kind == "trait"
            status = {d.crate_id: d for d in ws.deps_status().dependencies}
            assert status[version].indexed and status[version].current
