"""Okapi BM25 over item names, paths, signatures and docs, in numpy, memory-mapped.

Why not `bm25s` (PyPI): it scores one text field, precomputes scores so any add or
remove means a full rebuild, pulls in scipy, and its saved indexes carry no checksum.
Here the postings are CSR arrays keyed by 64-bit term hashes (no vocabulary to load:
a query hashes its few tokens and binary-searches), scored at query time from stored
term frequencies, so additions go into small extra segments and removals are
tombstones, both exact: document frequencies and the average length count live rows only.

Fields are folded BM25F-style into one weighted bag of tokens (a name token counts
`FIELD_WEIGHTS["name"]` times). On top, each item carries one "exact name" term, which a
query matches when it contains the item's name as a whole identifier: `ArgMatches`
should rank the struct `ArgMatches` above items whose long docs say "ArgMatches" often.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rustrag.index.documents import ItemDocument, lexical_fields
from rustrag.index.idlist import IdList, encode_ids
from rustrag.index.snapshot import SnapshotCorrupt, read_snapshot, write_snapshot
from rustrag.index.tokenize import identifiers, tokenize

SNAPSHOT_KIND = "bm25"
# 2: segments are stored one by one, and ids as the loaded base plus a tail, so that a
# save after a small update writes only what changed (1: one merged segment).
FORMAT_VERSION = 2
FIELD_WEIGHTS: Mapping[str, float] = {"name": 3.0, "path": 1.5, "signature": 1.0, "docs": 1.0}
# Weight of the exact-name term; not counted in the length, so it is a pure bonus.
EXACT_NAME_WEIGHT = 3.0
DEFAULT_K1 = 1.2
DEFAULT_B = 0.75
# Each add() makes a small segment; past this many the small ones are merged so a query
# does not binary-search many arrays per term. The largest stays as it is (it is most of
# the postings) until the merged rest reaches a quarter of it.
MAX_SEGMENTS = 8
BIG_MERGE_FRACTION = 0.25

Rows = npt.NDArray[np.int64]


def term_hash(term: str) -> int:
    """A stable 64-bit id for a token; collisions at 64 bits are negligible for vocabularies
    of millions."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")


def exact_name_term(name: str) -> str:
    # The NUL prefix keeps it apart from every token `tokenize` can produce. Case is kept:
    # `Arg` names the struct, `arg` the builder method.
    return "\0name:" + name


def looks_like_code(word: str) -> bool:
    return any(c.isupper() or c.isdigit() or c == "_" for c in word)


def query_terms(query: str) -> set[np.uint64]:
    """Hashed terms of a query: its tokens, plus an exact-name term for each identifier
    written like code (or for a one-word query): in "value parser for paths" the
    English word "parser" should not pull up the module named `parser`."""
    terms = set(tokenize(query))
    words = identifiers(query)
    terms.update(
        exact_name_term(word) for word in words if len(words) == 1 or looks_like_code(word)
    )
    return {np.uint64(term_hash(term)) for term in terms}


@dataclass(slots=True, frozen=True)
class Segment:
    """Postings of some rows, term-major: the rows holding term `hashes[t]` are
    `rows[starts[t]:starts[t + 1]]`, ascending, with weighted frequencies in `freqs`."""

    hashes: npt.NDArray[np.uint64]
    starts: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int32]
    freqs: npt.NDArray[np.float32]

    def postings(self, hashed: np.uint64) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        at = int(np.searchsorted(self.hashes, hashed))
        if at == len(self.hashes) or self.hashes[at] != hashed:
            return _NO_ROWS, _NO_FREQS
        start, end = int(self.starts[at]), int(self.starts[at + 1])
        return self.rows[start:end], self.freqs[start:end]

    def as_triples(
        self,
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        """(term hash, row, freq) per posting: the form segments are merged in."""
        return np.repeat(self.hashes, np.diff(self.starts)), self.rows, self.freqs


_NO_ROWS = np.zeros(0, dtype=np.int32)
_NO_FREQS = np.zeros(0, dtype=np.float32)


def segment_from_triples(
    hashes: npt.NDArray[np.uint64], rows: npt.NDArray[np.int32], freqs: npt.NDArray[np.float32]
) -> Segment:
    order = np.lexsort((rows, hashes))  # by term, then row
    hashes, rows, freqs = hashes[order], rows[order], freqs[order]
    unique, first = np.unique(hashes, return_index=True)
    starts = np.append(first, len(hashes)).astype(np.int64)
    return Segment(unique.astype(np.uint64), starts, rows.astype(np.int32), freqs)


class _Tokeniser:
    """Turns documents into weighted term bags, hashing each distinct token once."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.weights = weights
        self.hashes: dict[str, int] = {}

    def bag(self, doc: ItemDocument) -> tuple[dict[int, float], float]:
        bag: dict[int, float] = {}
        length = 0.0
        for field, text in lexical_fields(doc).items():
            weight = self.weights.get(field, 0.0)
            if not weight or not text:
                continue
            for token in tokenize(text):
                hashed = self.hashes.get(token)
                if hashed is None:
                    hashed = self.hashes[token] = term_hash(token)
                bag[hashed] = bag.get(hashed, 0.0) + weight
                length += weight
        if doc.name:
            bag[term_hash(exact_name_term(doc.name))] = EXACT_NAME_WEIGHT
        return bag, length


class LexicalIndex:
    """BM25 over `ItemDocument`s. Rows are positions in `ids`; they stay stable across
    add/remove/save and change only in `compact()`."""

    def __init__(
        self,
        k1: float = DEFAULT_K1,
        b: float = DEFAULT_B,
        field_weights: Mapping[str, float] = FIELD_WEIGHTS,
    ) -> None:
        self.k1 = k1
        self.b = b
        self.field_weights = dict(field_weights)
        self.ids = IdList()
        self._segments: list[Segment] = []
        self._lengths: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self._dead: npt.NDArray[np.bool_] = np.zeros(0, dtype=np.bool_)
        self._live_length = 0.0  # sum of live rows' lengths, for the average length
        # Arrays of the snapshot this index was loaded from or last saved to, by id, with
        # their manifest entries: unchanged ones are not written again (`save`). Only
        # arrays never changed in place are listed (segments, the id base).
        self._stored: dict[int, tuple[npt.NDArray[Any], dict[str, Any]]] = {}

    # -- building and updating ------------------------------------------------------

    @classmethod
    def build(
        cls,
        docs: Iterable[ItemDocument],
        k1: float = DEFAULT_K1,
        b: float = DEFAULT_B,
        field_weights: Mapping[str, float] = FIELD_WEIGHTS,
    ) -> LexicalIndex:
        index = cls(k1, b, field_weights)
        index.add(docs)
        return index

    def add(self, docs: Iterable[ItemDocument]) -> list[int]:
        """Index `docs` as new rows (an id already present is replaced: its old row is
        tombstoned). Returns the new rows."""
        tokeniser = _Tokeniser(self.field_weights)
        hashes: array[int] = array("Q")
        rows: array[int] = array("i")
        freqs: array[float] = array("f")
        lengths: array[float] = array("f")
        new_rows: list[int] = []
        for doc in docs:
            old = self.ids.row_of(doc.item_id) if len(self.ids) else None
            if old is not None:
                self._kill(old)
            row = self.ids.append(doc.item_id)
            bag, length = tokeniser.bag(doc)
            hashes.extend(bag.keys())
            freqs.extend(bag.values())
            rows.extend([row] * len(bag))
            lengths.append(length)
            new_rows.append(row)
        if not new_rows:
            return new_rows
        added_lengths = np.frombuffer(lengths, dtype=np.float32)
        self._lengths = np.concatenate([self._lengths, added_lengths])
        self._dead = np.concatenate([self._dead, np.zeros(len(new_rows), dtype=np.bool_)])
        self._live_length += float(added_lengths.sum())
        self._segments.append(
            segment_from_triples(
                np.frombuffer(hashes, dtype=np.uint64),
                np.frombuffer(rows, dtype=np.int32),
                np.frombuffer(freqs, dtype=np.float32),
            )
        )
        self._tidy_segments()
        return new_rows

    def _tidy_segments(self) -> None:
        """Past MAX_SEGMENTS, merge all segments but the largest (all of them once the
        rest outgrows BIG_MERGE_FRACTION of it): an edit's save stays small."""
        if len(self._segments) <= MAX_SEGMENTS:
            return
        sizes = [len(segment.rows) for segment in self._segments]
        largest = max(range(len(sizes)), key=sizes.__getitem__)
        rest = [segment for i, segment in enumerate(self._segments) if i != largest]
        if sum(sizes) - sizes[largest] > BIG_MERGE_FRACTION * sizes[largest]:
            self._segments = [self._merged()]
            return
        parts = [segment.as_triples() for segment in rest]
        merged = segment_from_triples(
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )
        self._segments = [self._segments[largest], merged]

    def extend(self, part: LexicalIndex) -> int:
        """Append the live rows of `part` (built with the same weights) as new rows, its
        postings reused as they are: how a project takes a dependency shard's prebuilt
        part instead of reading and tokenising the crate again. Returns the rows added."""
        if part.field_weights != self.field_weights or (part.k1, part.b) != (self.k1, self.b):
            raise ValueError("a lexical part built with other weights cannot be merged")
        if part.live_count != len(part.ids):
            raise ValueError("compact a lexical part before merging it")
        offset = len(self.ids)
        for item_id in part.ids:
            old = self.ids.row_of(item_id) if offset else None
            if old is not None:
                self._kill(old)
            self.ids.append(item_id)
        for segment in part._segments:
            rows = (segment.rows.astype(np.int64) + offset).astype(np.int32)
            self._segments.append(Segment(segment.hashes, segment.starts, rows, segment.freqs))
        self._lengths = np.concatenate([self._lengths, part._lengths])
        self._dead = np.concatenate([self._dead, np.zeros(len(part.ids), dtype=np.bool_)])
        self._live_length += float(part._lengths.sum())
        return len(part.ids)

    def remove(self, item_ids: Iterable[str]) -> int:
        """Tombstone the rows of `item_ids`; returns how many were live."""
        removed = 0
        for item_id in item_ids:
            row = self.ids.row_of(item_id)
            if row is not None and not self._dead[row]:
                self._kill(row)
                removed += 1
        return removed

    def _kill(self, row: int) -> None:
        if not self._dead[row]:
            if self._dead.base is not None or not self._dead.flags.writeable:
                self._dead = self._dead.copy()  # a loaded snapshot maps it read-only
            self._dead[row] = True
            self._live_length -= float(self._lengths[row])

    @property
    def live_count(self) -> int:
        return len(self._dead) - int(self._dead.sum())

    @property
    def dead_fraction(self) -> float:
        """Share of rows that are tombstones; compact when it grows (0.25 is a fair bar)."""
        return 0.0 if not len(self._dead) else 1.0 - self.live_count / len(self._dead)

    def compact(self) -> Rows:
        """Drop tombstoned rows and renumber. Returns old row -> new row (-1 if dropped)."""
        keep = ~self._dead
        remap = np.full(len(keep), -1, dtype=np.int64)
        remap[keep] = np.arange(int(keep.sum()), dtype=np.int64)
        hashes, rows, freqs = self._triples()
        alive = keep[rows]
        self._segments = [
            segment_from_triples(hashes[alive], remap[rows[alive]].astype(np.int32), freqs[alive])
        ]
        self.ids = self.ids.select(np.flatnonzero(keep))
        self._lengths = np.ascontiguousarray(self._lengths[keep])
        self._dead = np.zeros(len(self._lengths), dtype=np.bool_)
        self._live_length = float(self._lengths.sum())
        return remap

    def _triples(
        self,
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        parts = [segment.as_triples() for segment in self._segments]
        if not parts:
            return np.zeros(0, dtype=np.uint64), _NO_ROWS, _NO_FREQS
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )

    def _merged(self) -> Segment:
        if len(self._segments) == 1:
            return self._segments[0]
        return segment_from_triples(*self._triples())

    # -- searching ----------------------------------------------------------------

    def search(
        self, query: str, k: int, allowed: npt.NDArray[Any] | None = None
    ) -> list[tuple[int, float]]:
        """The `k` best rows for `query` as (row, score), best first.

        `allowed` restricts the result: a bool mask over rows, or an array of rows."""
        live = self.live_count
        if k <= 0 or live == 0:
            return []
        hashed_terms = query_terms(query)
        if not hashed_terms:
            return []
        n_rows = len(self._lengths)
        average = self._live_length / live if self._live_length > 0 else 1.0
        # Per-row length normalisation, computed once per query (n_rows multiplies).
        norm = self.k1 * (1.0 - self.b + self.b * (self._lengths / np.float32(average)))
        scores = np.zeros(n_rows, dtype=np.float32)
        any_dead = bool(self._dead.any())
        for hashed in hashed_terms:
            found = [segment.postings(hashed) for segment in self._segments]
            rows = np.concatenate([f[0] for f in found])
            if not len(rows):
                continue
            freqs = np.concatenate([f[1] for f in found])
            if any_dead:
                alive = ~self._dead[rows]
                rows, freqs = rows[alive], freqs[alive]
            df = len(rows)
            if not df:
                continue
            idf = np.float32(np.log1p((live - df + 0.5) / (df + 0.5)))
            # Rows are distinct within one term's postings, so plain += is exact.
            scores[rows] += idf * freqs * (self.k1 + 1.0) / (freqs + norm[rows])
        if allowed is not None:
            scores *= _as_mask(allowed, n_rows)
        return top_k(scores, k)

    # -- persistence ----------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the index as a snapshot (tombstones kept, rows stable). Segments and the
        id base this index was loaded from (or last saved) are reused, not rewritten."""
        self._tidy_segments()
        arrays: dict[str, npt.NDArray[Any]] = {}
        for k, segment in enumerate(self._segments):
            arrays[f"s{k}_hashes"] = segment.hashes
            arrays[f"s{k}_starts"] = segment.starts
            arrays[f"s{k}_rows"] = segment.rows
            arrays[f"s{k}_freqs"] = segment.freqs
        if len(self.ids) > 2 * max(self.ids.base_len, _MIN_TAIL_FOLD):
            # mostly new ids (a rebuild): fold them into the base, which loads as two
            # mapped arrays, instead of a tail that loading appends id by id (288k ids:
            # 0.45 s of every cold query)
            self.ids = IdList(*self.ids.to_arrays())
        base_blob, base_offsets, tail = self.ids.parts()
        tail_blob, tail_offsets = encode_ids(tail)
        arrays.update(
            {
                "lengths": self._lengths,
                "dead": self._dead,
                "id_blob": base_blob,
                "id_offsets": base_offsets,
                "id_tail_blob": tail_blob,
                "id_tail_offsets": tail_offsets,
            }
        )
        reuse: dict[str, dict[str, Any]] = {}
        for name, values in arrays.items():
            stored = self._stored.get(id(values))
            if stored is not None and stored[0] is values:
                reuse[name] = stored[1]
        written = write_snapshot(
            folder,
            SNAPSHOT_KIND,
            FORMAT_VERSION,
            {name: array for name, array in arrays.items() if name not in reuse},
            {
                "k1": self.k1,
                "b": self.b,
                "field_weights": self.field_weights,
                "segments": len(self._segments),
            },
            reuse=reuse,
        )
        self._remember(arrays, written)

    def _remember(
        self, arrays: Mapping[str, npt.NDArray[Any]], entries: Mapping[str, dict[str, Any]]
    ) -> None:
        self._stored = {}
        for name, values in arrays.items():
            entry = entries.get(name)
            if entry is not None and (_is_segment_array(name) or name in _ID_BASE):
                self._stored[id(values)] = (values, entry)

    @classmethod
    def load(cls, folder: Path, verify: bool = True) -> LexicalIndex:
        """The snapshot in `folder`, memory-mapped. Raises `SnapshotError` (missing or
        corrupt) so the caller can rebuild from the store."""
        entries: dict[str, dict[str, Any]] = {}
        arrays, meta = read_snapshot(
            folder, SNAPSHOT_KIND, FORMAT_VERSION, verify=verify, files_out=entries
        )
        try:
            index = cls(float(meta["k1"]), float(meta["b"]), dict(meta["field_weights"]))
            segments = [
                Segment(
                    arrays[f"s{k}_hashes"],
                    arrays[f"s{k}_starts"],
                    arrays[f"s{k}_rows"],
                    arrays[f"s{k}_freqs"],
                )
                for k in range(int(meta["segments"]))
            ]
            index.ids = IdList(arrays["id_blob"], arrays["id_offsets"])
            tail = IdList(arrays["id_tail_blob"], arrays["id_tail_offsets"])
            lengths, dead = arrays["lengths"], arrays["dead"]
        except (KeyError, TypeError, ValueError) as exc:
            raise SnapshotCorrupt(f"{folder}: incomplete bm25 snapshot ({exc})") from exc
        for item_id in tail:
            index.ids.append(item_id)
        n_rows = len(lengths)
        consistent = len(dead) == n_rows == len(index.ids) and all(
            len(segment.starts) == len(segment.hashes) + 1
            and int(segment.starts[-1]) == len(segment.rows) == len(segment.freqs)
            for segment in segments
        )
        if not consistent:
            raise SnapshotCorrupt(f"{folder}: bm25 arrays disagree in length")
        index._segments = [segment for segment in segments if len(segment.hashes)]
        index._lengths = lengths
        index._dead = dead
        index._live_length = float(lengths[~dead].sum())
        index._remember(arrays, entries)
        return index


_ID_BASE = frozenset({"id_blob", "id_offsets"})
# Below this many ids a tail costs nothing to load: keep small edits' saves small.
_MIN_TAIL_FOLD = 5_000


def _is_segment_array(name: str) -> bool:
    head = name.split("_", 1)[0]
    return head.startswith("s") and head[1:].isdigit()


def _as_mask(allowed: npt.NDArray[Any], n_rows: int) -> npt.NDArray[np.bool_]:
    """A bool mask over rows from either a mask or a list of rows."""
    if allowed.dtype == np.bool_:
        if len(allowed) != n_rows:
            raise ValueError(f"allowed mask has {len(allowed)} rows, index has {n_rows}")
        return allowed
    mask = np.zeros(n_rows, dtype=np.bool_)
    mask[allowed.astype(np.int64)] = True
    return mask


def top_k(scores: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
    """Rows with a positive score, the best `k`, best first (equal scores: lower row first)."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        best = np.argpartition(-scores[candidates], k - 1)[:k]
        candidates = candidates[best]
    order = np.lexsort((candidates, -scores[candidates]))
    return [(int(candidates[i]), float(scores[candidates[i]])) for i in order]


def rows_for(index: LexicalIndex, item_ids: Sequence[str]) -> Rows:
    """Rows of the given ids that are present (for building an `allowed` array)."""
    found = [index.ids.row_of(item_id) for item_id in item_ids]
    return np.array([row for row in found if row is not None], dtype=np.int64)
