"""The searchable item ids, sorted, for graph steps that the ids alone answer.

An item id is `crate_id|canonical path|kind` (`#n` appended to twins, see
rustrag.resolve.canonical), and a member's path is its owner's path plus one segment:
the methods of `clap::Command` are the ids after `clap@4.0.32|clap::builder::command::
Command::` with kind `method`, found by bisection instead of three store round trips and
the decoding of every method (200+ for `Command`: 50 ms). Exact-name lookups are
answered here too (a dict by last path segment), so an identifier query costs no store
round trip unless nothing matches (then the store's lookup, which also knows re-exports
under other names, gets its turn). The catalog is built from the lexical snapshot's
live ids once per `Searcher` (~60 ms for 57k ids).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

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


class IdCatalog:
    def __init__(self, rows: Mapping[str, int], public: Sequence[bool]) -> None:
        """`rows`: live item id -> row; `public[row]`: whether the item is public."""
        self._sorted = sorted(rows)
        self._rows = rows
        self._public = public
        self._by_name: dict[str, list[str]] | None = None

    def named(self, written: str) -> list[NameMatch]:
        """Items a name or path as written may mean: the canonical path itself, the
        crate's root plus the name (`clap::Command`, a re-export's usual shape), the bare
        name, or a path suffix (`Command::new`)."""
        if self._by_name is None:
            # plain string slicing: an IdParts per id made this 140 ms for 57k ids, a
            # cost every cold CLI query paid; this is ~15 ms
            by_name: dict[str, list[str]] = {}
            for item_id in self._sorted:
                path = item_id[item_id.find("|") + 1 : item_id.rfind("|")]
                by_name.setdefault(path[path.rfind(":") + 1 :], []).append(item_id)
            self._by_name = by_name
        segments = written.removeprefix("::").split("::")
        tail = "::" + "::".join(segments)
        found = []
        for item_id in self._by_name.get(segments[-1], ()):
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
            public = bool(self._public[self._rows[item_id]])
            found.append(NameMatch(item_id, rank, public, len(parts.path)))
        return found

    def __len__(self) -> int:
        return len(self._sorted)

    def _with_prefix(self, prefix: str) -> Iterable[str]:
        for index in range(bisect_left(self._sorted, prefix), len(self._sorted)):
            item_id = self._sorted[index]
            if not item_id.startswith(prefix):
                return
            yield item_id

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
