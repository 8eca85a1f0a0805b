"""Exact vector search against brute force on random data, updates and snapshots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rustrag.index.snapshot import SnapshotCorrupt, SnapshotMissing
from rustrag.index.vectors import VectorIndex

DIM = 32


def unit_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    rows = rng.standard_normal((n, DIM)).astype(np.float32)
    normalised: np.ndarray = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return normalised


def brute_force(
    ids: list[str], matrix: np.ndarray, query: np.ndarray, k: int, keep: set[str]
) -> list[str]:
    scored = [(float(matrix[i] @ query), ids[i]) for i in range(len(ids)) if ids[i] in keep]
    scored.sort(key=lambda pair: -pair[0])
    return [item_id for _, item_id in scored[:k]]


def test_search_equals_brute_force_through_updates(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    ids = [f"item{i}" for i in range(3000)]
    matrix = unit_rows(rng, len(ids))
    index = VectorIndex(DIM, model="test")
    index.add(ids[:2000], matrix[:2000])
    index.save(tmp_path / "vec")
    index = VectorIndex.load(tmp_path / "vec", expected_model="test")
    index.add(ids[2000:2500], matrix[2000:2500])
    index.add(ids[2500:], matrix[2500:])
    removed = set(ids[::5])
    assert index.remove(sorted(removed)) == len(removed)
    keep = set(ids) - removed
    for _ in range(20):
        query = unit_rows(rng, 1)[0]
        got = [index.ids[row] for row, _ in index.search(query, 10)]
        assert got == brute_force(ids, matrix, query, 10, keep)
    index.save(tmp_path / "vec")
    reloaded = VectorIndex.load(tmp_path / "vec")
    query = unit_rows(rng, 1)[0]
    assert reloaded.search(query, 10) == index.search(query, 10)
    index.compact()
    assert len(index) == len(keep)
    assert [index.ids[r] for r, _ in index.search(query, 10)] == brute_force(
        ids, matrix, query, 10, keep
    )


@pytest.mark.parametrize("allowed_count", [20, 150])  # scored alone / as a mask
def test_allowed_mask_and_row_list_agree_with_brute_force(allowed_count: int) -> None:
    rng = np.random.default_rng(2)
    ids = [f"item{i}" for i in range(1000)]
    matrix = unit_rows(rng, len(ids))
    index = VectorIndex(DIM)
    index.add(ids, matrix)
    index.remove(ids[:500:3])
    allowed_rows = rng.choice(len(ids), size=allowed_count, replace=False)
    keep = {ids[i] for i in allowed_rows} - set(ids[:500:3])
    query = unit_rows(rng, 1)[0]
    want = brute_force(ids, matrix, query, 7, keep)
    by_rows = index.search(query, 7, allowed=allowed_rows)
    mask = np.zeros(len(ids), dtype=np.bool_)
    mask[allowed_rows] = True
    assert [index.ids[r] for r, _ in by_rows] == want
    assert index.search(query, 7, allowed=mask) == by_rows


def test_re_adding_an_id_replaces_its_vector() -> None:
    rng = np.random.default_rng(3)
    index = VectorIndex(DIM)
    first, second = unit_rows(rng, 2)
    index.add(["a"], first[None, :])
    index.add(["a"], second[None, :])
    assert index.live_count == 1
    ((row, score),) = index.search(second, 5)
    assert index.ids[row] == "a" and score == pytest.approx(1.0, abs=1e-5)


def test_wrong_shapes_are_refused() -> None:
    index = VectorIndex(DIM)
    with pytest.raises(ValueError):
        index.add(["a", "b"], np.zeros((2, DIM + 1), dtype=np.float32))
    with pytest.raises(ValueError):
        index.search(np.zeros(DIM + 1, dtype=np.float32), 3)


def test_damaged_or_foreign_snapshot_is_detected(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    index = VectorIndex(DIM, model="model-a")
    index.add([f"i{i}" for i in range(100)], unit_rows(rng, 100))
    folder = tmp_path / "vec"
    with pytest.raises(SnapshotMissing):
        VectorIndex.load(folder)
    index.save(folder)
    with pytest.raises(SnapshotCorrupt):
        VectorIndex.load(folder, expected_model="model-b")
    vectors = next(folder.glob("vectors.*.npy"))
    data = bytearray(vectors.read_bytes())
    data[len(data) // 2] ^= 0x01
    vectors.write_bytes(bytes(data))
    with pytest.raises(SnapshotCorrupt):
        VectorIndex.load(folder)


def test_empty_index_round_trips(tmp_path: Path) -> None:
    VectorIndex(DIM, model="m").save(tmp_path / "vec")
    loaded = VectorIndex.load(tmp_path / "vec")
    assert len(loaded) == 0 and loaded.search(np.ones(DIM, dtype=np.float32), 3) == []
