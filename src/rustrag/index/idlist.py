"""A list of item ids stored as one UTF-8 blob plus offsets, so a snapshot of 500k ids
maps in without building 500k Python strings; only the ids a query returns are decoded."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt


class IdList:
    """Row -> item id. A memory-mapped base plus ids appended since it was loaded."""

    def __init__(
        self,
        blob: npt.NDArray[np.uint8] | None = None,
        offsets: npt.NDArray[np.int64] | None = None,
    ) -> None:
        self._blob: npt.NDArray[np.uint8] = (
            blob if blob is not None else np.zeros(0, dtype=np.uint8)
        )
        self._offsets: npt.NDArray[np.int64] = (
            offsets if offsets is not None else np.zeros(1, dtype=np.int64)
        )
        self._appended: list[str] = []
        self._rows: dict[str, int] | None = None  # built on the first lookup by id

    @classmethod
    def from_ids(cls, ids: Iterable[str]) -> IdList:
        blob, offsets = encode_ids(ids)
        return cls(blob, offsets)

    @property
    def base_len(self) -> int:
        return len(self._offsets) - 1

    def __len__(self) -> int:
        return self.base_len + len(self._appended)

    def __getitem__(self, row: int) -> str:
        if row < 0:
            row += len(self)
        base = self.base_len
        if row >= base:
            return self._appended[row - base]
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        return bytes(self._blob[start:end]).decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        yield from self._base_ids()
        yield from self._appended

    def _base_ids(self) -> list[str]:
        """Every id of the mapped base, decoded in one pass over the blob (per-row numpy
        indexing costs ~10x more: this runs for the whole list on the first `row_of`)."""
        data = self._blob.tobytes()
        bounds = self._offsets.tolist()
        return [data[start:end].decode("utf-8") for start, end in pairwise(bounds)]

    def append(self, item_id: str) -> int:
        row = len(self)
        self._appended.append(item_id)
        if self._rows is not None:
            self._rows[item_id] = row  # a re-added id points at its newest row
        return row

    def row_of(self, item_id: str) -> int | None:
        """The newest row holding `item_id` (older rows of it are tombstoned)."""
        if self._rows is None:
            self._rows = {item_id: row for row, item_id in enumerate(self)}
        return self._rows.get(item_id)

    def parts(self) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64], list[str]]:
        """The base's arrays as loaded and the ids appended since (saved apart, so the
        base need not be written again)."""
        return self._blob, self._offsets, list(self._appended)

    def to_arrays(self) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
        if not self._appended:
            return np.asarray(self._blob), np.asarray(self._offsets)
        extra_blob, extra_offsets = encode_ids(self._appended)
        blob = np.concatenate([self._blob, extra_blob])
        offsets = np.concatenate([self._offsets, extra_offsets[1:] + self._offsets[-1]])
        return blob, offsets

    def select(self, rows: npt.NDArray[Any]) -> IdList:
        """A new list of the ids at `rows`, in that order (compaction)."""
        ids = list(self)
        return IdList.from_ids(ids[int(row)] for row in rows)


def encode_ids(ids: Iterable[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    encoded = [item_id.encode("utf-8") for item_id in ids]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
    return blob, offsets
