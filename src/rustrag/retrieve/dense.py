"""The dense signal: the query's embedding against the vector snapshot, when there is one.

Everything here is lazy: the snapshot is mapped and the embedder (onnxruntime, ~0.5 s)
loaded on the first dense query only, so a lexical search never pays for them. Filters
arrive as masks over lexical rows; `lex_rows` translates vector rows into that space,
and `vec_rows` lexical rows (candidates) into vector rows, once per snapshot.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from rustrag.index.snapshot import SnapshotError
from rustrag.index.vectors import VectorIndex
from rustrag.retrieve import layout
from rustrag.retrieve.catalog import decode_ids
from rustrag.retrieve.rows import Mask

if TYPE_CHECKING:  # the embedders module (urllib, 40 ms) loads with the first dense query
    from rustrag.index.embedders import Embedder, PendingVector

NO_VECTORS = "no vectors yet"
_QUERY_CACHE = 256  # agents repeat queries; an embedding costs ~2-8 ms


def query_embedder(spec: str) -> Embedder:
    """The embedder for queries. The default model gets a pool of two threads so that a
    query's embedding runs on onnxruntime's pool thread while the searcher ranks with
    BM25 and reads the store on its own (`embed_later`): one core each."""
    from rustrag.index.embedders import load_default_embedder, load_embedder

    if spec in ("", "default"):
        return load_default_embedder(threads=2)
    return load_embedder(spec)


class DenseSearch:
    def __init__(self, index_dir: Path, embedder: Embedder | None = None) -> None:
        self.index_dir = index_dir
        self._embedder = embedder
        self._vectors: VectorIndex | None = None
        self._lex_rows: npt.NDArray[np.int64] | None = None  # vector row -> lexical row
        self._vec_rows: npt.NDArray[np.int64] | None = None  # lexical row -> vector row
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self.unavailable = ""  # why dense is off, when it is
        self._loaded_stamp = -1.0  # mtime of the vectors manifest last looked at

    def _vectors_stamp(self) -> float:
        try:
            return (layout.vectors_dir(self.index_dir) / "manifest.json").stat().st_mtime
        except OSError:
            return 0.0

    def ready(self, lexical_rows: Mapping[str, int]) -> bool:
        # the embedding job writes the snapshot after search started (and again while it
        # runs): a new one replaces what was loaded, or the lack of one (one stat a query)
        stamp = self._vectors_stamp()
        if stamp != self._loaded_stamp:
            self._vectors, self._lex_rows, self._vec_rows = None, None, None
            self._loaded_stamp = stamp
            if self.unavailable.startswith(NO_VECTORS):
                self.unavailable = ""
        if self.unavailable:
            return False
        if self._vectors is None:
            try:
                self._vectors = VectorIndex.load(layout.vectors_dir(self.index_dir), verify=False)
            except SnapshotError as exc:
                self.unavailable = f"{NO_VECTORS} ({exc})"
                return False
            rows = [lexical_rows.get(i) for i in decode_ids(self._vectors.ids)]
            self._lex_rows = np.array([-1 if r is None else r for r in rows], dtype=np.int64)
            mapped = np.flatnonzero(self._lex_rows >= 0)
            size = int(self._lex_rows.max(initial=-1)) + 1
            self._vec_rows = np.full(size, -1, dtype=np.int64)
            self._vec_rows[self._lex_rows[mapped]] = mapped
        if self._embedder is None:
            from rustrag.index.embedders import EmbedderUnavailable

            try:
                self._embedder = query_embedder(layout.embedder_spec())
            except EmbedderUnavailable as exc:
                self.unavailable = str(exc)
                return False
            if self._embedder.name != self._vectors.model:
                self.unavailable = (
                    f"vectors are from {self._vectors.model}, not {self._embedder.name}"
                )
                return False
        return True

    def forget_queries(self) -> None:
        """Drop the cached query embeddings (benchmarks measure uncached queries)."""
        self._cache.clear()

    def embed(self, query: str) -> npt.NDArray[np.float32]:
        return self.start(query).result()

    def start(self, query: str) -> PendingVector:
        """The query's embedding: remembered, or started in the background when the
        embedder can (see `embed_later`), else computed now. Call after `ready`."""
        from rustrag.index.embedders import BackgroundEmbedder, ReadyVector

        assert self._embedder is not None
        found = self._cache.get(query)
        if found is not None:
            self._cache.move_to_end(query)
            return ReadyVector(found)
        if isinstance(self._embedder, BackgroundEmbedder):
            return _Remembered(self._embedder.embed_later(query), query, self._remember)
        vector = self._embedder.embed([query])[0]
        self._remember(query, vector)
        return ReadyVector(vector)

    def _remember(self, query: str, vector: npt.NDArray[np.float32]) -> None:
        self._cache[query] = vector
        if len(self._cache) > _QUERY_CACHE:
            self._cache.popitem(last=False)

    def search(
        self,
        query: PendingVector,
        k: int,
        allowed_lex: Mask | None,
        candidates: list[int] | None,
    ) -> list[int]:
        """Lexical rows of the `k` nearest items to the query's embedding (waited for
        here). With `candidates` (lexical rows), only those are scored: the cheap path
        used at large scale (see benchmarks)."""
        assert self._vectors is not None and self._lex_rows is not None
        assert self._vec_rows is not None
        vector = query.result()
        allowed: npt.NDArray[np.int64] | Mask | None = None
        if candidates is not None:
            # an index per candidate, not a pass over every vector row (np.isin: 0.3 ms)
            wanted = np.array(candidates, dtype=np.int64)
            wanted = wanted[(wanted >= 0) & (wanted < len(self._vec_rows))]
            rows = self._vec_rows[wanted]
            allowed = rows[rows >= 0]
        elif allowed_lex is not None:
            valid = self._lex_rows >= 0
            mask = np.zeros(len(self._lex_rows), dtype=np.bool_)
            mask[valid] = allowed_lex[self._lex_rows[valid]]
            allowed = mask
        hits = self._vectors.search(vector, k, allowed)
        return [int(self._lex_rows[row]) for row, _ in hits if self._lex_rows[row] >= 0]


class _Remembered:
    """A pending query embedding that enters the query cache once it is known."""

    def __init__(
        self,
        pending: PendingVector,
        query: str,
        remember: Callable[[str, npt.NDArray[np.float32]], None],
    ) -> None:
        self._pending = pending
        self._query = query
        self._remember = remember

    def done(self) -> bool:
        return self._pending.done()

    def settle(self) -> None:
        self._pending.settle()

    def result(self) -> npt.NDArray[np.float32]:
        vector = self._pending.result()
        self._remember(self._query, vector)
        return vector
