"""Embeddings cached by (model name, item fingerprint), so an unchanged item is never
embedded twice: not after a re-index, not in another project that depends on the same
crate version.

Stored in Cozo, in the relation `embedding_cache`, with the vector as raw little-endian
float32 bytes. Measured with 2,000 vectors of 384 dims on this machine: Bytes wrote
48k rows/s and read 44k rows/s, a `[Float]` list 3.3k and 10.6k rows/s (each float
crosses the Python/Rust boundary as an object), and the bytes are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

RELATION = "embedding_cache"
# Cozo evaluates a query's input rows in memory; chunks keep each call's payload modest.
CHUNK_ROWS = 2000

_SCHEMA = f":create {RELATION} {{model: String, fingerprint: String => vector: Bytes}}"
_GET = f"""
wanted[fingerprint] <- $fingerprints
?[fingerprint, vector] := wanted[fingerprint],
    *{RELATION}{{model: $model, fingerprint, vector}}
"""
_PUT = f"""
?[model, fingerprint, vector] <- $rows
:put {RELATION} {{model, fingerprint => vector}}
"""


class EmbeddingCache(Protocol):
    def get_many(self, model: str, fingerprints: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, model: str, rows: Mapping[str, npt.ArrayLike]) -> None: ...


class CozoEmbeddingCache:
    """`EmbeddingCache` on a pycozo `Client(..., dataframe=False)` owned by the caller."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.ensure_schema()

    def ensure_schema(self) -> None:
        """Create the relation unless it exists (safe to call on every open)."""
        relations = self._client.run("::relations")
        if not any(row[0] == RELATION for row in relations["rows"]):
            self._client.run(_SCHEMA)

    def get_many(self, model: str, fingerprints: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors for those fingerprints that have one; others are absent."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(fingerprints))
        for start in range(0, len(unique), CHUNK_ROWS):
            chunk = unique[start : start + CHUNK_ROWS]
            result = self._client.run(
                _GET, {"model": model, "fingerprints": [[fp] for fp in chunk]}, immutable=True
            )
            for fingerprint, vector in result["rows"]:
                found[fingerprint] = np.frombuffer(bytes(vector), dtype="<f4")
        return found

    def put_many(self, model: str, rows: Mapping[str, npt.ArrayLike]) -> None:
        """Store vectors by fingerprint (an existing entry is overwritten)."""
        items = list(rows.items())
        for start in range(0, len(items), CHUNK_ROWS):
            payload = [
                [model, fingerprint, np.asarray(vector, dtype="<f4").tobytes()]
                for fingerprint, vector in items[start : start + CHUNK_ROWS]
            ]
            self._client.run(_PUT, {"rows": payload})

    def count(self, model: str) -> int:
        result = self._client.run(
            f"?[count(fp)] := *{RELATION}{{model: $model, fingerprint: fp}}",
            {"model": model},
            immutable=True,
        )
        return int(result["rows"][0][0])


def missing(cache: EmbeddingCache, model: str, fingerprints: Iterable[str]) -> list[str]:
    """Fingerprints with no cached vector for `model`, in first-seen order."""
    wanted = list(dict.fromkeys(fingerprints))
    have = cache.get_many(model, wanted)
    return [fp for fp in wanted if fp not in have]
