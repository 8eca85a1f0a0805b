"""`rustrag watch` as a real process on a real workspace: saves become queryable, the
watcher is the only writer, queries from other processes keep answering, manifest
changes run the dependency update, and SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from incremental_support import (  # noqa: F401 (isolated_caches is a fixture)
    assert_same_index,
    index,
    isolated_caches,
    make_workspace,
    needs_cargo,
)
from rustrag.api import Workspace
from rustrag.store import IndexBusy

pytestmark = [needs_cargo, pytest.mark.usefixtures("isolated_caches")]


class WatchProcess:
    def __init__(self, root: Path, index_dir: Path) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from rustrag.cli import main; main()",
                "watch",
                str(root),
                "--index-dir",
                str(index_dir),
                "--json",
                "--no-embed",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.events.put(json.loads(line))

    def next_event(self, timeout: float = 60.0) -> dict[str, Any]:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            finished = self.proc.poll() is not None and self.proc.stderr is not None
            stderr = self.proc.stderr.read() if finished and self.proc.stderr else ""
            raise AssertionError(f"no watch event within {timeout} s; stderr: {stderr}") from None

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


@pytest.fixture()
def watching(tmp_path: Path) -> Iterator[tuple[Path, Path, WatchProcess]]:
    root = make_workspace(tmp_path / "ws")
    index_dir = tmp_path / "idx"
    watcher = WatchProcess(root, index_dir)
    try:
        ready = watcher.next_event(timeout=180)
        assert ready["event"] == "ready"
        yield root, index_dir, watcher
    finally:
        if watcher.proc.poll() is None:
            watcher.proc.kill()
            watcher.proc.wait()


def find_within(root: Path, index_dir: Path, name: str, seconds: float) -> float:
    """Seconds until `name` is queryable from this (reader) process."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        with Workspace(root, index_dir) as workspace:
            if workspace.find(name):
                return time.perf_counter() - started
        time.sleep(0.02)
    raise AssertionError(f"{name} not queryable within {seconds} s")


def test_save_becomes_queryable_and_only_its_crate_moves(
    watching: tuple[Path, Path, WatchProcess],
) -> None:
    root, index_dir, watcher = watching
    shapes = root / "app/src/shapes.rs"
    shapes.write_text(shapes.read_text() + "\npub fn fresh_fn() -> u8 {\n    7\n}\n")
    event = watcher.next_event()
    assert event["event"] == "sources"
    assert event["crates_updated"] == ["app@0.1.0"]
    assert event["files_parsed"] == 1
    assert event["paths"] == [str(shapes)]
    find_within(root, index_dir, "fresh_fn", 10)
    # a new file and its `mod` line, saved together: one debounced update
    (root / "app/src/extra_mod.rs").write_text("pub struct AddedLater;\n")
    lib = root / "app/src/lib.rs"
    lib.write_text("pub mod extra_mod;\n" + lib.read_text())
    while watcher.next_event()["event"] != "sources" or not _queryable(root, index_dir):
        pass
    assert watcher.stop() == 0
    assert_same_index(index_dir, root, root.parent / "clean")


def _queryable(root: Path, index_dir: Path) -> bool:
    with Workspace(root, index_dir) as workspace:
        return bool(workspace.find("AddedLater"))


def test_watcher_is_the_writer_and_queries_keep_answering(
    watching: tuple[Path, Path, WatchProcess],
) -> None:
    root, index_dir, watcher = watching
    with pytest.raises(IndexBusy):
        index(root, index_dir)
    with Workspace(root, index_dir) as workspace:
        assert workspace.show("Square").item.item.path == "app::shapes::Square"
        assert workspace.status().writer_active
    assert watcher.stop() == 0
    # the lock went with the process: a normal run works again
    assert index(root, index_dir).crates_updated == []


def test_manifest_change_runs_the_dependency_update(
    watching: tuple[Path, Path, WatchProcess],
) -> None:
    root, index_dir, watcher = watching
    manifest = root / "app/Cargo.toml"
    manifest.write_text(manifest.read_text().replace('strsim = "0.10"\n', ""))
    event = watcher.next_event()
    while event["event"] != "dependencies":
        event = watcher.next_event()
    assert event["error"] == ""
    assert "app@0.1.0" in event["crates_updated"]
    with Workspace(root, index_dir) as workspace:
        app = workspace.crates()["app@0.1.0"].crate
    assert "strsim" not in app.dependencies
    assert watcher.stop() == 0
