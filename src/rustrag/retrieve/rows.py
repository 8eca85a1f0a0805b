"""Per-row facts of the lexical index (crate, kind, public, file, lines) as numpy arrays.

Filters by crate, version, kind and workspace-vs-dependency become boolean masks over
rows with no store query, and `--at FILE:LINE` finds the enclosing item by a vectorised
span test. Row `r` here is row `r` of the BM25 snapshot: both are appended together and
saved together by `rustrag.retrieve.build`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rustrag.index.snapshot import SnapshotCorrupt, read_snapshot, write_snapshot
from rustrag.retrieve.documents import RowFacts

SNAPSHOT_KIND = "search_rows"
FORMAT_VERSION = 1

Mask = npt.NDArray[np.bool_]


class _Codes:
    """String ↔ small integer, in first-seen order."""

    def __init__(self, values: Sequence[str] = ()) -> None:
        self.values = list(values)
        self._code = {v: i for i, v in enumerate(self.values)}

    def code(self, value: str) -> int:
        found = self._code.get(value)
        if found is None:
            found = self._code[value] = len(self.values)
            self.values.append(value)
        return found

    def get(self, value: str) -> int | None:
        return self._code.get(value)


def _code_mask(column: npt.NDArray[Any], codes: _Codes, wanted: Iterable[str]) -> Mask:
    """Rows whose code in `column` stands for one of `wanted`: a lookup table indexed by
    the column (np.isin sorted the 65k-row column on every query: 0.5 ms)."""
    table = np.zeros(len(codes.values) + 1, dtype=np.bool_)
    table[[c for c in (codes.get(w) for w in wanted) if c is not None]] = True
    found: Mask = table[column]
    return found


class RowTable:
    def __init__(self) -> None:
        self.crates = _Codes()
        self.kinds = _Codes()
        self.files = _Codes()  # "crate_id\tfile"
        self.crate: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self.kind: npt.NDArray[np.int8] = np.zeros(0, dtype=np.int8)
        self.public: Mask = np.zeros(0, dtype=np.bool_)
        self.file: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self.line_start: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self.line_end: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self.live: Mask = np.zeros(0, dtype=np.bool_)  # false for rows BM25 tombstoned
        # crate id -> the store's `indexed_at` when its rows were added: a crate the
        # store rewrote since then has a newer stamp and is re-read
        self.stamps: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self.crate)

    def append(self, facts: Iterable[RowFacts]) -> None:
        rows = list(facts)
        if not rows:
            return
        self.crate = np.concatenate(
            [self.crate, np.array([self.crates.code(f.crate_id) for f in rows], dtype=np.int32)]
        )
        self.kind = np.concatenate(
            [self.kind, np.array([self.kinds.code(f.kind) for f in rows], dtype=np.int8)]
        )
        self.public = np.concatenate([self.public, np.array([f.public for f in rows])])
        file_codes = [self.files.code(f"{f.crate_id}\t{f.file}") for f in rows]
        self.file = np.concatenate([self.file, np.array(file_codes, dtype=np.int32)])
        self.line_start = np.concatenate(
            [self.line_start, np.array([f.line_start for f in rows], dtype=np.int32)]
        )
        self.line_end = np.concatenate(
            [self.line_end, np.array([f.line_end for f in rows], dtype=np.int32)]
        )
        self.live = np.concatenate([self.live, np.ones(len(rows), dtype=np.bool_)])

    def extend(self, part: RowTable) -> None:
        """Append the rows of another table (a dependency shard's prebuilt part), its
        codes translated into this table's."""
        if not len(part):
            return

        def mapped(codes: _Codes, theirs: _Codes, column: npt.NDArray[Any], dtype: Any) -> Any:
            table = np.array([codes.code(v) for v in theirs.values], dtype=dtype)
            return table[column] if len(table) else np.zeros(0, dtype=dtype)

        self.crate = np.concatenate(
            [self.crate, mapped(self.crates, part.crates, part.crate, np.int32)]
        )
        self.kind = np.concatenate([self.kind, mapped(self.kinds, part.kinds, part.kind, np.int8)])
        self.file = np.concatenate([self.file, mapped(self.files, part.files, part.file, np.int32)])
        self.public = np.concatenate([self.public, part.public])
        self.line_start = np.concatenate([self.line_start, part.line_start])
        self.line_end = np.concatenate([self.line_end, part.line_end])
        self.live = np.concatenate([self.live, part.live])

    def drop_crate(self, crate_id: str) -> npt.NDArray[np.int64]:
        """Mark a crate's live rows dead; returns them (for the BM25 tombstones)."""
        rows = self.live_rows_of_crate(crate_id)
        self.kill(rows)
        self.stamps.pop(crate_id, None)
        return rows

    def kill(self, rows: npt.NDArray[np.int64]) -> None:
        """Mark `rows` dead (their items were re-added as new rows, or vanished)."""
        if not len(rows):
            return
        if not self.live.flags.writeable:
            self.live = self.live.copy()  # mapped read-only from a snapshot
        self.live[rows] = False

    def live_rows_of_crate(self, crate_id: str) -> npt.NDArray[np.int64]:
        rows = self.rows_of_crate(crate_id)
        return rows[self.live[rows]]

    def live_rows_in_files(self, crate_id: str, files: Iterable[str]) -> npt.NDArray[np.int64]:
        """Live rows of items written in any of `files` (paths relative to the crate)."""
        codes = [self.files.get(f"{crate_id}\t{f}") for f in files]
        wanted = np.array([c for c in codes if c is not None], dtype=np.int32)
        if not len(wanted):
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.isin(self.file, wanted) & self.live)

    def select(self, keep: Mask) -> None:
        """Keep only the rows in `keep` (after the lexical index compacts the same way)."""
        for name in _COLUMNS:
            setattr(self, name, np.ascontiguousarray(getattr(self, name)[keep]))

    # -- masks ----------------------------------------------------------------------

    def crate_mask(self, crate_ids: Iterable[str]) -> Mask:
        return _code_mask(self.crate, self.crates, crate_ids)

    def kind_mask(self, kinds: Iterable[str]) -> Mask:
        return _code_mask(self.kind, self.kinds, kinds)

    def rows_of_crate(self, crate_id: str) -> npt.NDArray[np.int64]:
        code = self.crates.get(crate_id)
        if code is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.crate == code)

    def enclosing(self, crate_id: str, file: str, line: int) -> list[int]:
        """Rows whose span holds `line` in that file, innermost (shortest span) first."""
        code = self.files.get(f"{crate_id}\t{file}")
        if code is None:
            return []
        hit = (self.file == code) & (self.line_start <= line) & (self.line_end >= line) & self.live
        rows = np.flatnonzero(hit)
        spans = self.line_end[rows] - self.line_start[rows]
        return [int(rows[i]) for i in np.argsort(spans, kind="stable")]

    # -- persistence ------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        write_snapshot(
            folder,
            SNAPSHOT_KIND,
            FORMAT_VERSION,
            {
                "crate": self.crate,
                "kind": self.kind,
                "public": self.public,
                "file": self.file,
                "line_start": self.line_start,
                "line_end": self.line_end,
                "live": self.live,
            },
            {
                "crates": self.crates.values,
                "kinds": self.kinds.values,
                "files": self.files.values,
                "stamps": self.stamps,
            },
        )

    @classmethod
    def load(cls, folder: Path, verify: bool = True) -> RowTable:
        arrays, meta = read_snapshot(folder, SNAPSHOT_KIND, FORMAT_VERSION, verify=verify)
        table = cls()
        try:
            table.crates = _Codes([str(v) for v in meta["crates"]])
            table.kinds = _Codes([str(v) for v in meta["kinds"]])
            table.files = _Codes([str(v) for v in meta["files"]])
            table.stamps = {str(k): float(v) for k, v in meta["stamps"].items()}
            columns: dict[str, Any] = {name: arrays[name] for name in _COLUMNS}
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise SnapshotCorrupt(f"{folder}: incomplete search rows ({exc})") from exc
        if len({len(v) for v in columns.values()}) != 1:
            raise SnapshotCorrupt(f"{folder}: search row arrays disagree in length")
        for name, value in columns.items():
            setattr(table, name, value)
        return table


_COLUMNS = ("crate", "kind", "public", "file", "line_start", "line_end", "live")
