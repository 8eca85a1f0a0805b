"""The dense signal: the query's embedding against the vector snapshot, when there is one.

Everything here is lazy: the snapshot is mapped and the embedder (onnxruntime, ~0.5 s)
loaded on the first dense query only, so a lexical search never pays for them. Filters
arrive as masks over lexical rows; `lex_rows` translates vector rows into that space
once per snapshot.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
import numpy.typing as npt

from rustrag.index.embedders import Embedder, EmbedderUnavailable, load_embedder
from rustrag.index.idlist import IdList
from rustrag.index.snapshot import SnapshotError
from rustrag.index.vectors import VectorIndex
from rustrag.retrieve import layout
from rustrag.retrieve.rows import Mask

_QUERY_CACHE = 256  # agents repeat queries; an embedding costs ~5-15 ms


class DenseSearch:
    def __init__(self, index_dir: Path, embedder: Embedder | None = None) -> None:
        self.index_dir = index_dir
        self._embedder = embedder
        self._vectors: VectorIndex | None = None
        self._lex_rows: npt.NDArray[np.int64] | None = None
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self.unavailable = ""  # why dense is off, when it is

    def ready(self, lexical_ids: IdList) -> bool:
        if self.unavailable:
            return False
        if self._vectors is None:
            try:
                self._vectors = VectorIndex.load(layout.vectors_dir(self.index_dir), verify=False)
            except SnapshotError as exc:
                self.unavailable = f"no vectors yet ({exc})"
                return False
            rows = [lexical_ids.row_of(self._vectors.ids[r]) for r in range(len(self._vectors))]
            self._lex_rows = np.array([-1 if r is None else r for r in rows], dtype=np.int64)
        if self._embedder is None:
            try:
                self._embedder = load_embedder(layout.embedder_spec())
            except EmbedderUnavailable as exc:
                self.unavailable = str(exc)
                return False
            if self._embedder.name != self._vectors.model:
                self.unavailable = (
                    f"vectors are from {self._vectors.model}, not {self._embedder.name}"
                )
                return False
        return True

    def embed(self, query: str) -> npt.NDArray[np.float32]:
        assert self._embedder is not None
        found = self._cache.get(query)
        if found is None:
            found = self._embedder.embed([query])[0]
            self._cache[query] = found
            if len(self._cache) > _QUERY_CACHE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(query)
        return found

    def search(
        self, query: str, k: int, allowed_lex: Mask | None, candidates: list[int] | None
    ) -> list[int]:
        """Lexical rows of the `k` nearest items. With `candidates` (lexical rows), only
        those are scored: the cheap path used at large scale (see benchmarks)."""
        assert self._vectors is not None and self._lex_rows is not None
        vector = self.embed(query)
        allowed: npt.NDArray[np.int64] | Mask | None = None
        if candidates is not None:
            allowed = np.flatnonzero(np.isin(self._lex_rows, np.array(candidates)))
        elif allowed_lex is not None:
            valid = self._lex_rows >= 0
            mask = np.zeros(len(self._lex_rows), dtype=np.bool_)
            mask[valid] = allowed_lex[self._lex_rows[valid]]
            allowed = mask
        hits = self._vectors.search(vector, k, allowed)
        return [int(self._lex_rows[row]) for row, _ in hits if self._lex_rows[row] >= 0]
