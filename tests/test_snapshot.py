"""Snapshots and rollback on a real index: what is restored is exactly what was saved,
an automatic snapshot precedes a dependency change, and the CLI speaks JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from incremental_support import (  # noqa: F401 (isolated_caches is a fixture)
    CARGO,
    assert_same_index,
    export_lines,
    index,
    index_contents,
    isolated_caches,
    make_workspace,
    needs_cargo,
)
from rustrag.api import Workspace
from rustrag.store import IndexBusy, Store
from rustrag.update.snapshots import (
    SnapshotNotFound,
    list_snapshots,
    rollback,
    snapshots_root,
    take_snapshot,
)

pytestmark = [needs_cargo, pytest.mark.usefixtures("isolated_caches")]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RUSTRAG_NO_EMBED": "1"}
    return subprocess.run(
        [sys.executable, "-c", "from rustrag.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_rollback_restores_exactly_the_snapshot(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    index_dir = tmp_path / "idx"
    index(root, index_dir)
    saved = index_contents(index_dir)
    with Store.open(index_dir, read_only=True) as store:
        info = take_snapshot(store, index_dir, reason="before edit", automatic=False)
    shapes = root / "app/src/shapes.rs"
    shapes.write_text(shapes.read_text() + "\npub struct Triangle;\n")
    index(root, index_dir)
    assert index_contents(index_dir) != saved
    restored = rollback(index_dir, info.snapshot_id[:10])
    assert restored.snapshot_id == info.snapshot_id
    assert index_contents(index_dir) == saved
    with Workspace(root, index_dir) as workspace:
        assert workspace.find("Triangle") == []
    # the sources still have Triangle: the next run brings the index current again
    report = index(root, index_dir)
    assert report.crates_updated == ["app@0.1.0"]
    assert_same_index(index_dir, root, tmp_path / "clean")


def test_dependency_change_takes_an_automatic_snapshot(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    index_dir = tmp_path / "idx"
    index(root, index_dir)
    before = export_lines(index_dir)
    manifest = root / "app/Cargo.toml"
    manifest.write_text(manifest.read_text().replace('strsim = "0.10"\n', ""))
    (root / "app/src/lib.rs").write_text("pub fn only() {}\n")
    assert CARGO is not None
    subprocess.run([CARGO, "generate-lockfile", "--offline"], cwd=root, check=True, timeout=120)
    report = index(root, index_dir)
    assert report.snapshot_id is not None
    with Store.open(index_dir, read_only=True) as store:  # dropped (by rustrag.deps)
        assert "strsim@0.10.0" not in {c.crate.crate_id for c in store.crates()}
    snapshots = list_snapshots(index_dir)
    assert [s.snapshot_id for s in snapshots] == [report.snapshot_id]
    assert snapshots[0].automatic
    assert "strsim@0.10.0" in snapshots[0].crates
    rollback(index_dir)
    assert export_lines(index_dir) == before


def test_rollback_refuses_while_a_writer_runs_and_names_unknown_ids(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    index_dir = tmp_path / "idx"
    index(root, index_dir)
    with pytest.raises(SnapshotNotFound, match="rustrag snapshot"):
        rollback(index_dir)
    with Store.open(index_dir) as store:
        take_snapshot(store, index_dir, automatic=False)
        with pytest.raises(IndexBusy):
            rollback(index_dir)
    with pytest.raises(SnapshotNotFound, match="no snapshot matching 'nope'"):
        rollback(index_dir, "nope")


def test_half_built_snapshot_is_never_listed(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    index_dir = tmp_path / "idx"
    index(root, index_dir)
    killed = snapshots_root(index_dir) / "20990101-000000-dead.tmp"
    killed.mkdir(parents=True)
    (killed / "cozo.sqlite").write_bytes(b"half")
    assert list_snapshots(index_dir) == []
    with Store.open(index_dir, read_only=True) as store:
        take_snapshot(store, index_dir)
    assert not killed.exists()
    assert len(list_snapshots(index_dir)) == 1


def test_cli_snapshot_rollback_status_json(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    index_dir = str(tmp_path / "idx")
    assert cli("index", str(root), "--index-dir", index_dir, "--json").returncode == 0
    taken = cli("snapshot", "-p", str(root), "--index-dir", index_dir, "--json")
    assert taken.returncode == 0, taken.stderr
    info = json.loads(taken.stdout)
    assert "search" in info["search_dirs"]  # the lexical snapshot travels with it
    listed = json.loads(
        cli("snapshot", "--list", "-p", str(root), "--index-dir", index_dir, "--json").stdout
    )
    assert [s["snapshot_id"] for s in listed] == [info["snapshot_id"]]
    status = cli("status", "-p", str(root), "--index-dir", index_dir, "--verify", "--json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["verify"]["clean"], data["verify"]
    assert {c["crate_id"] for c in data["crates"]} >= {"app@0.1.0", "util@0.1.0"}
    assert data["last_run"]["crates_updated"]
    assert data["snapshots"] == [info["snapshot_id"]]
    assert data["stale_dependencies"]["indexed_not_locked"] == []
    assert Path(data["log_file"]).is_file()
    restored = cli("rollback", "-p", str(root), "--index-dir", index_dir, "--json")
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["restored"]["snapshot_id"] == info["snapshot_id"]
    missing = cli("rollback", "zzz", "-p", str(root), "--index-dir", index_dir)
    assert missing.returncode == 1
    assert "snapshot --list" in missing.stderr
