"""The searchable item ids, for graph steps and name lookups that the ids alone answer.

An item id is `crate_id|canonical path|kind` (`#n` appended to twins, see
rustrag.resolve.canonical), and a member's path is its owner's path plus one segment:
the methods of `clap::Command` are the ids after `clap@4.0.32|clap::builder::command::
Command::` with kind `method`, found without three store round trips and the decoding of
every method (200+ for `Command`: 50 ms). Exact-name lookups are answered here too, so
an identifier query costs no store round trip unless nothing matches (then the store's
lookup, which also knows re-exports under other names, gets its turn).

The ids come from the lexical snapshot as one string (`RowIds`). The first lookups of a
`Searcher` scan that string (`str.find`, ~1 ms each on 57k ids); after
`SCANS_BEFORE_INDEXING` of them the catalog sorts the ids and indexes them by name
(~40 ms for 57k ids), which pays off in a long-lived process only: a cold CLI query
makes a handful of lookups and exits.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from rustrag.index.idlist import IdList


@dataclass(slots=True, frozen=True)
class IdParts:
    crate_id: str
    path: str
    kind: str

    @property
    def name(self) -> str:
        return self.path.rsplit("::", 1)[-1]

    @property
    def parent_path(self) -> str:
        return self.path.rpartition("::")[0]


def split_id(item_id: str) -> IdParts:
    crate_id, _, rest = item_id.partition("|")
    path, _, kind = rest.rpartition("|")
    return IdParts(crate_id, path, kind.partition("#")[0])


# Match kinds as the store ranks them (rustrag.store.records.MATCH_RANK).
CANONICAL, CRATE_AND_NAME, NAME, SUFFIX = 0, 1, 2, 3


@dataclass(slots=True, frozen=True)
class NameMatch:
    item_id: str
    rank: int  # CANONICAL .. SUFFIX
    public: bool
    path_len: int


SCANS_BEFORE_INDEXING = 12  # lookups answered by scanning before the ids are indexed


class RowIds:
    """Row -> item id of the lexical snapshot, held as one string plus row bounds: a row
    is sliced out when asked for. Decoding 57k ids into a list cost ~20 ms on the first
    search of every process."""

    def __init__(self, ids: IdList) -> None:
        blob, offsets = ids.to_arrays()
        try:  # ASCII, as ids nearly always are: byte offsets are character offsets
            self.text = str(blob.data, "ascii")  # straight from the memory map
            self._bounds: list[int] = offsets.tolist()
        except UnicodeDecodeError:
            decoded = decode_ids(ids)
            self.text = "".join(decoded)
            self._bounds = [0, *accumulate(len(i) for i in decoded)]

    def __len__(self) -> int:
        return len(self._bounds) - 1

    def __getitem__(self, row: int) -> str:
        return self.text[self._bounds[row] : self._bounds[row + 1]]

    def rows_containing(self, needle: str) -> list[int]:
        """Rows whose id contains `needle`, ascending (`needle` must hold a `|` or `::`,
        which no id begins or ends with, so a match never spans two ids)."""
        rows: list[int] = []
        find, bounds = self.text.find, self._bounds
        at = find(needle)
        while at >= 0:
            row = bisect_right(bounds, at) - 1
            rows.append(row)
            at = find(needle, max(at + 1, bounds[row + 1]))
        return rows

    def rows_starting(self, prefix: str) -> list[int]:
        """Rows whose id starts with `prefix` (which holds a `|`), ascending."""
        bounds = self._bounds
        return [r for r in self.rows_containing(prefix) if self.text.startswith(prefix, bounds[r])]


class IdCatalog:
    def __init__(
        self,
        ids: RowIds,
        live: Sequence[bool],
        public: Sequence[bool],
        scans_before_indexing: int = SCANS_BEFORE_INDEXING,
    ) -> None:
        """`ids[row]`: the row's item id; `live[row]`, `public[row]`: whether the row is
        live (not tombstoned) and its item public."""
        self._ids = ids
        self._live = live
        self._public = public
        self._scans_left = scans_before_indexing
        self._sorted: list[str] | None = None  # live ids, sorted
        self._by_name: dict[str, list[int]] | None = None  # last path segment -> rows

    def _indexed(self) -> bool:
        """Whether lookups use the sorted ids and the name index, built here once
        `scans_before_indexing` lookups have been answered by scanning."""
        if self._sorted is None:
            if self._scans_left > 0:
                self._scans_left -= 1
                return False
            ids, live = self._ids, self._live
            rows = sorted((r for r in range(len(ids)) if live[r]), key=ids.__getitem__)
            self._sorted = [ids[r] for r in rows]
            # plain string slicing: an IdParts per id made this 140 ms for 57k ids
            by_name: dict[str, list[int]] = {}
            for row, item_id in zip(rows, self._sorted, strict=True):
                path = item_id[item_id.find("|") + 1 : item_id.rfind("|")]
                by_name.setdefault(path[path.rfind(":") + 1 :], []).append(row)
            self._by_name = by_name
        return True

    def _sorted_ids(self, rows: Iterable[int]) -> list[str]:
        """The live ids of `rows`, sorted as the index would list them."""
        return sorted(self._ids[r] for r in rows if self._live[r])

    def named(self, written: str) -> list[NameMatch]:
        """Items a name or path as written may mean: the canonical path itself, the
        crate's root plus the name (`clap::Command`, a re-export's usual shape), the bare
        name, or a path suffix (`Command::new`)."""
        segments = written.removeprefix("::").split("::")
        name = segments[-1]
        if self._indexed():
            assert self._by_name is not None
            rows = self._by_name.get(name, [])
        else:
            # the path is the name itself, or ends in `::name`; the id goes on with `|kind`
            hits = self._ids.rows_containing(f"::{name}|") + self._ids.rows_containing(f"|{name}|")
            rows = sorted((r for r in hits if self._live[r]), key=self._ids.__getitem__)
        tail = "::" + "::".join(segments)
        found = []
        for row in rows:
            item_id = self._ids[row]
            parts = split_id(item_id)
            if len(segments) == 1:
                rank = NAME
            elif parts.path == written:
                rank = CANONICAL
            elif parts.path.endswith(tail):
                rank = SUFFIX
            elif parts.path.partition("::")[0] == segments[0]:
                rank = CRATE_AND_NAME
            else:
                continue
            found.append(NameMatch(item_id, rank, bool(self._public[row]), len(parts.path)))
        return found

    def _with_prefix(self, prefix: str) -> list[str]:
        if not self._indexed():
            return self._sorted_ids(self._ids.rows_starting(prefix))
        assert self._sorted is not None
        found = []
        for index in range(bisect_left(self._sorted, prefix), len(self._sorted)):
            item_id = self._sorted[index]
            if not item_id.startswith(prefix):
                break
            found.append(item_id)
        return found

    def members(self, crate_id: str, path: str, kinds: Collection[str] | None) -> list[str]:
        """Ids one path segment below `path` in that crate, of `kinds` (None: any)."""
        prefix = f"{crate_id}|{path}::"
        found = []
        for item_id in self._with_prefix(prefix):
            name, _, kind = item_id[len(prefix) :].partition("|")
            if "::" not in name and (kinds is None or kind.partition("#")[0] in kinds):
                found.append(item_id)
        return found

    def at_path(self, crate_id: str, path: str, kinds: Collection[str]) -> list[str]:
        """Ids with exactly this path (one per kind and twin) among `kinds`."""
        prefix = f"{crate_id}|{path}|"
        return [i for i in self._with_prefix(prefix) if split_id(i).kind in kinds]


def decode_ids(ids: IdList) -> list[str]:
    """Every id of the list as one Python list, decoded in bulk: `IdList[row]` slices a
    memory map per call (0.1 ms), which at 100 rows per signal was 20 ms a query."""
    blob, offsets = ids.to_arrays()
    raw = bytes(blob)
    bounds = offsets.tolist()
    if raw.isascii():  # byte offsets are character offsets: slice one decoded string
        text = raw.decode("ascii")
        return [text[bounds[r] : bounds[r + 1]] for r in range(len(bounds) - 1)]
    return [raw[bounds[r] : bounds[r + 1]].decode("utf-8") for r in range(len(bounds) - 1)]
