"""Several processes on one index: one writer, readers during its writes, a second writer."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from rustrag.model import ResolvedCrate
from rustrag.store import IndexBusy, Store
from rustrag.store.encode import edge_rows, item_path_rows
from test_store_data import small_crate, spawn_worker, synthetic_crate, wait_for_line

N_ITEMS = 3_000


@dataclass(frozen=True)
class CrateState:
    """What a reader must see of one crate: all of one version, nothing of another."""

    item_ids: frozenset[str]  # as one read (iter_export) sees them
    counts: tuple[int, int, int]  # items, item_paths, edges, as another read (count_rows) sees them


def expected_state(crate: ResolvedCrate) -> CrateState:
    return CrateState(
        item_ids=frozenset(i.item_id for i in crate.items),
        counts=(
            len(crate.items),
            sum(len(item_path_rows(i)) for i in crate.items),
            len(edge_rows(crate.crate.crate_id, crate.edges)),
        ),
    )


def observed_state(store: Store, crate_id: str) -> CrateState:
    exported = frozenset(str(row["item_id"]) for row in store.iter_export(crate_id))
    counts = store.count_rows()
    return CrateState(exported, (counts["items"], counts["item_paths"], counts["edges"]))


def assert_whole(seen: CrateState, states: set[CrateState]) -> None:
    # Each read is checked alone: a commit may fall between the two reads, never inside one.
    assert seen.item_ids in {s.item_ids for s in states}, "a read mixed two crate versions"
    assert seen.counts in {s.counts for s in states}, f"counts of no version: {seen.counts}"


def test_second_writer_gets_index_busy_and_can_still_read(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with Store.open(index) as store:
        store.replace_crate(small_crate())
    holder = spawn_worker("hold", str(index), "60")
    try:
        wait_for_line(holder, "holding")
        with pytest.raises(IndexBusy, match="another rustrag process is writing"):
            Store.open(index)
        with Store.open(index, read_only=True) as reader:
            assert reader.find_items("Command::new")[0].item.name == "new"
    finally:
        holder.kill()
        holder.wait()
    # the lock dies with its process
    with Store.open(index) as store:
        assert store.stats().crates == 1


def test_reads_during_writes_see_whole_crates(tmp_path: Path) -> None:
    index = tmp_path / "index"
    first, second = (synthetic_crate(n_items=N_ITEMS, seed=s) for s in (1, 2))
    states = {expected_state(first), expected_state(second)}
    assert len(states) == 2
    crate_id = first.crate.crate_id
    with Store.open(index) as store:
        store.replace_crate(first)

    # five commits: enough windows for reads during a write even on a busy machine
    writer = spawn_worker("write", str(index), str(N_ITEMS), "2", "1", "2", "1", "2")
    writing = threading.Event()  # set between a child's "start" and "wrote"

    def follow_writer() -> None:
        assert writer.stdout is not None
        for line in writer.stdout:
            if line.startswith("start"):
                writing.set()
            elif line.startswith("wrote"):
                writing.clear()

    follower = threading.Thread(target=follow_writer, daemon=True)
    follower.start()
    reads = reads_while_writing = reopened = 0
    try:
        reader = Store.open(index, read_only=True)
        while writer.poll() is None:
            during_write = writing.is_set()
            assert_whole(observed_state(reader, crate_id), states)
            assert reader.find_items("new", limit=5), "a name lookup found nothing"
            reads += 1
            if during_write and writing.is_set():
                reads_while_writing += 1
                # opening the index while a transaction is open must work too
                reader.close()
                reader = Store.open(index, read_only=True)
                reopened += 1
        reader.close()
    finally:
        writer.kill()
        writer.wait()
    follower.join(timeout=5)
    assert writer.returncode == 0, writer.stderr and writer.stderr.read()
    assert reads_while_writing >= 3, (reads, reads_while_writing)
    assert reopened == reads_while_writing
    with Store.open(index, read_only=True) as reader:
        assert observed_state(reader, crate_id) == expected_state(second)


def test_reader_opened_before_a_write_sees_it_after_commit(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with Store.open(index) as store:
        store.replace_crate(synthetic_crate(n_items=200, seed=1))
    with Store.open(index, read_only=True) as reader:
        before = observed_state(reader, "bigcrate@1.0.0")
        writer = spawn_worker("write", str(index), "200", "2")
        writer.wait(timeout=120)
        assert writer.returncode == 0
        after = observed_state(reader, "bigcrate@1.0.0")
        assert before == expected_state(synthetic_crate(n_items=200, seed=1))
        assert after == expected_state(synthetic_crate(n_items=200, seed=2))


def test_consistent_repeats_reads_a_commit_landed_between(tmp_path: Path) -> None:
    index = tmp_path / "index"
    first, second = (synthetic_crate(n_items=50, seed=s) for s in (1, 2))
    crate_id = first.crate.crate_id
    with Store.open(index) as store:
        store.replace_crate(first)
    attempts: list[tuple[CrateState, CrateState]] = []

    def two_reads_with_a_commit_between() -> tuple[CrateState, CrateState]:
        before = observed_state(reader, crate_id)
        if not attempts:  # the first attempt: another process commits between the reads
            writer = spawn_worker("write", str(index), "50", "2")
            writer.wait(timeout=120)
            assert writer.returncode == 0, writer.stderr and writer.stderr.read()
        after = observed_state(reader, crate_id)
        attempts.append((before, after))
        return before, after

    with Store.open(index, read_only=True) as reader:
        seen = reader.consistent(two_reads_with_a_commit_between)
    # the first attempt saw two states, so the whole ran again: what it returned is of one
    assert attempts[0] == (expected_state(first), expected_state(second))
    assert len(attempts) == 2 and seen == (expected_state(second), expected_state(second))
