"""Readers, a second writer and a killed writer against a real `rustrag index` of tokio.

Old state: tokio without src/net (its `mod net;` finds no file). New state: all of tokio.
While a writer subprocess moves the index from old to new, a reader subprocess counts
items in a loop: every count must be the old one or the new one, a second writer must
be told the index is busy, and queries must keep answering.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rustrag.store import LOCK_FILENAME, Store

TOKIO = Path("/usr/share/cargo/registry/tokio-1.24.2")
RUSTRAG = str(Path(sys.executable).with_name("rustrag"))
# Runs in its own process, as a second editor or agent would: fresh read-only opens.
READER = """
import json, sys, time
from pathlib import Path
from rustrag.store import Store
index_dir, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), open(sys.argv[3], "w")
while not stop.exists():
    with Store.open(index_dir, read_only=True) as store:
        items = store.count_rows()["items"]
        found = len(store.find_items("Runtime", limit=5))
    out.write(json.dumps({"items": items, "runtime_hits": found, "t": time.time()}) + "\\n")
    out.flush()
"""


def items_in(index_dir: Path) -> int:
    with Store.open(index_dir, read_only=True) as store:
        return store.count_rows()["items"]


def index_command(workspace: Path, index_dir: Path, *extra: str) -> list[str]:
    return [RUSTRAG, "index", str(workspace), "--index-dir", str(index_dir), "--no-deps", *extra]


def lock_held(index_dir: Path) -> bool:
    """Whether some process holds the writer lock, read from /proc/locks so that looking
    never takes the lock (trying to acquire it could make the real writer fail)."""
    lock = index_dir / LOCK_FILENAME
    try:
        inode = lock.stat().st_ino
    except FileNotFoundError:
        return False
    return any(
        line.split()[5].endswith(f":{inode}")
        for line in Path("/proc/locks").read_text().splitlines()
        if len(line.split()) > 5
    )


def wait_for_lock(index_dir: Path, writer: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not lock_held(index_dir):
        assert writer.poll() is None, "the writer finished before it was seen writing"
        assert time.monotonic() < deadline, "the writer never took the lock"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def tokio_states(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, int]]:
    """(workspace, index_dir, old item count): the index in the old state, the workspace
    in the new one."""
    base = tmp_path_factory.mktemp("concurrency")
    workspace = base / "tokio"
    shutil.copytree(TOKIO, workspace)
    aside = base / "net-aside"
    shutil.move(workspace / "src" / "net", aside)
    index_dir = base / "index"
    subprocess.run(index_command(workspace, index_dir), check=True, capture_output=True)
    old_items = items_in(index_dir)
    shutil.move(aside, workspace / "src" / "net")
    yield workspace, index_dir, old_items


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    crate = tmp_path_factory.mktemp("tiny")
    (crate / "src").mkdir()
    (crate / "Cargo.toml").write_text('[package]\nname = "tiny"\nversion = "0.1.0"\n')
    (crate / "src" / "lib.rs").write_text("pub struct Tiny;\n")
    return crate


def test_readers_see_old_or_new_and_a_second_writer_is_busy(
    tokio_states: tuple[Path, Path, int], tiny: Path, tmp_path: Path
) -> None:
    workspace, index_dir, old_items = tokio_states
    assert items_in(index_dir) == old_items
    stop, log = tmp_path / "stop", tmp_path / "reads.jsonl"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(index_dir), str(stop), str(log)])
    writer = subprocess.Popen(index_command(workspace, index_dir), stdout=subprocess.DEVNULL)
    try:
        wait_for_lock(index_dir, writer, seconds=300)
        second = subprocess.run(
            index_command(tiny, index_dir), capture_output=True, text=True, timeout=120
        )
        query = subprocess.run(
            [RUSTRAG, "show", "Runtime", "--path", str(workspace), "--index-dir", str(index_dir)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        still_writing = writer.poll() is None
        assert writer.wait(timeout=600) == 0
    finally:
        stop.touch()
        reader.wait(timeout=60)
    new_items = items_in(index_dir)
    assert new_items > old_items  # src/net is back

    assert still_writing, "the second writer and the query ran after the write ended"
    assert second.returncode == 2, second.stderr
    assert "busy" in second.stderr and "another rustrag process is writing" in second.stderr
    assert query.returncode == 0, query.stderr
    assert "struct Runtime" in query.stdout

    reads = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(reads) >= 3, "the reader did not overlap the write"
    assert {r["items"] for r in reads} <= {old_items, new_items}
    assert all(r["runtime_hits"] > 0 for r in reads)
    with Store.open(index_dir, read_only=True) as store:  # the busy writer wrote nothing
        assert [c.crate.name for c in store.crates()] == ["tokio"]


def test_a_writer_killed_mid_write_leaves_a_usable_index(
    tokio_states: tuple[Path, Path, int],
) -> None:
    workspace, index_dir, old_items = tokio_states
    if items_in(index_dir) == old_items:  # run alone: bring the index to the new state
        subprocess.run(index_command(workspace, index_dir), check=True, capture_output=True)
    before = items_in(index_dir)
    assert before > old_items
    net = workspace / "src" / "net"
    aside = workspace.parent / "net-aside-2"
    shutil.move(net, aside)  # the killed write would move the index back to the old state
    try:
        writer = subprocess.Popen(
            index_command(workspace, index_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_lock(index_dir, writer, seconds=300)
        time.sleep(0.5)
        os.killpg(writer.pid, signal.SIGKILL)  # the writer and any worker it still has
        writer.wait(timeout=60)
    finally:
        shutil.move(aside, net)
    # opens, passes the schema check, counts: one transaction per crate, so the killed
    # write either committed entirely or left no trace
    assert items_in(index_dir) in {before, old_items}
    shown = subprocess.run(
        [RUSTRAG, "show", "Runtime", "--path", str(workspace), "--index-dir", str(index_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    # the lock died with the writer: the next index runs and restores the full state
    again = subprocess.run(index_command(workspace, index_dir), capture_output=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert items_in(index_dir) == before
