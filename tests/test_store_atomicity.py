"""kill -9 a writer in the middle of replace_crate: the index keeps one whole version."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest

from rustrag.model import ResolvedCrate
from rustrag.store import Store
from rustrag.store.encode import edge_rows, item_path_rows
from test_store_data import spawn_worker, synthetic_crate, wait_for_line

N_ITEMS = 4_000
CRATE_ID = "bigcrate@1.0.0"


def fingerprint(crate: ResolvedCrate) -> tuple[frozenset[str], int, int, int]:
    return (
        frozenset(i.item_id for i in crate.items),
        len(crate.items),
        sum(len(item_path_rows(i)) for i in crate.items),
        len(edge_rows(crate.crate.crate_id, crate.edges)),
    )


def stored_fingerprint(store: Store) -> tuple[frozenset[str], int, int, int]:
    ids = frozenset(str(row["item_id"]) for row in store.iter_export(CRATE_ID))
    counts = store.count_rows()
    return ids, counts["items"], counts["item_paths"], counts["edges"]


def kill_during_writes(tmp_path: Path, rounds: int, seed: int) -> list[str]:
    """Each round a child replaces the crate with the other version and is killed at a
    random moment; returns what each round left ("old" or "new")."""
    rng = random.Random(seed)
    versions = {s: fingerprint(synthetic_crate(n_items=N_ITEMS, seed=s)) for s in (1, 2)}
    index = tmp_path / "index"
    with Store.open(index) as store:
        store.replace_crate(synthetic_crate(n_items=N_ITEMS, seed=2))
        replace = store.replace_crate(synthetic_crate(n_items=N_ITEMS, seed=1))
    # spread the kills over a replace (delete + insert) and a little after it
    window = replace.seconds * 1.5
    current = 1
    outcomes = []
    for _ in range(rounds):
        target = 3 - current
        child = spawn_worker("write", str(index), str(N_ITEMS), str(target))
        wait_for_line(child, "start")
        time.sleep(rng.uniform(0, window))
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert child.stdout is not None
        committed = "wrote" in child.stdout.read()
        with Store.open(index) as store:  # a writer: the dead child's lock is gone
            seen = stored_fingerprint(store)
        assert seen in (versions[current], versions[target]), "a kill left a mixed crate"
        if committed:
            assert seen == versions[target], "a reported commit was lost"
        outcomes.append("new" if seen == versions[target] else "old")
        current = target if seen == versions[target] else current
    return outcomes


def test_kill_9_during_replace_leaves_old_or_new_crate(tmp_path: Path) -> None:
    outcomes = kill_during_writes(tmp_path, rounds=3, seed=7)
    assert len(outcomes) == 3


@pytest.mark.slow
def test_kill_9_many_times(tmp_path: Path) -> None:
    outcomes = kill_during_writes(tmp_path, rounds=12, seed=11)
    # with kills spread over the write, both endings must have happened
    assert set(outcomes) == {"old", "new"}, outcomes
