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
from rustrag.index.idlist import IdList
from rustrag.index.snapshot import SnapshotCorrupt, read_snapshot, write_snapshot
from rustrag.index.tokenize import identifiers, tokenize

SNAPSHOT_KIND = "bm25"
FORMAT_VERSION = 1
FIELD_WEIGHTS: Mapping[str, float] = {"name": 3.0, "path": 1.5, "signature": 1.0, "docs": 1.0}
# Weight of the exact-name term; not counted in the length, so it is a pure bonus.
EXACT_NAME_WEIGHT = 3.0
DEFAULT_K1 = 1.2
DEFAULT_B = 0.75
# Each add() makes a small segment; past this many they are merged so a query does not
# binary-search many arrays per term.
MAX_SEGMENTS = 8

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
        if len(self._segments) > MAX_SEGMENTS:
            self._segments = [self._merged()]
        return new_rows

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
        """Write the index as a snapshot (segments merged; tombstones kept, rows stable)."""
        merged = self._merged() if self._segments else segment_from_triples(*self._triples())
        self._segments = [merged]
        blob, offsets = self.ids.to_arrays()
        write_snapshot(
            folder,
            SNAPSHOT_KIND,
            FORMAT_VERSION,
            {
                "term_hashes": merged.hashes,
                "term_starts": merged.starts,
                "posting_rows": merged.rows,
                "posting_freqs": merged.freqs,
                "lengths": self._lengths,
                "dead": self._dead,
                "id_blob": blob,
                "id_offsets": offsets,
            },
            {"k1": self.k1, "b": self.b, "field_weights": self.field_weights},
        )

    @classmethod
    def load(cls, folder: Path, verify: bool = True) -> LexicalIndex:
        """The snapshot in `folder`, memory-mapped. Raises `SnapshotError` (missing or
        corrupt) so the caller can rebuild from the store."""
        arrays, meta = read_snapshot(folder, SNAPSHOT_KIND, FORMAT_VERSION, verify=verify)
        try:
            index = cls(float(meta["k1"]), float(meta["b"]), dict(meta["field_weights"]))
            segment = Segment(
                arrays["term_hashes"],
                arrays["term_starts"],
                arrays["posting_rows"],
                arrays["posting_freqs"],
            )
            index.ids = IdList(arrays["id_blob"], arrays["id_offsets"])
            lengths, dead = arrays["lengths"], arrays["dead"]
        except (KeyError, TypeError, ValueError) as exc:
            raise SnapshotCorrupt(f"{folder}: incomplete bm25 snapshot ({exc})") from exc
        n_rows = len(lengths)
        consistent = (
            len(dead) == n_rows == len(index.ids)
            and len(segment.starts) == len(segment.hashes) + 1
            and int(segment.starts[-1]) == len(segment.rows) == len(segment.freqs)
        )
        if not consistent:
            raise SnapshotCorrupt(f"{folder}: bm25 arrays disagree in length")
        index._segments = [segment] if len(segment.hashes) else []
        index._lengths = lengths
        index._dead = dead
        index._live_length = float(lengths[~dead].sum())
        return index


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
