"""Fill the embedding cache for items that lack a vector, in batches, off the caller's
thread. Each batch is written to the cache before the next starts, so stopping (or a
crash) loses at most the batch in flight; the next run resumes with what is missing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rustrag.index.documents import ItemDocument, embedding_key, embedding_text
from rustrag.index.embedders import Embedder
from rustrag.index.embedding_cache import EmbeddingCache, missing

DEFAULT_BATCH = 64  # ~4 s of MiniLM on 2 cores: progress stays live, stop stays prompt


@dataclass(slots=True, frozen=True)
class Progress:
    embedded: int  # items embedded (and committed) so far in this run
    total: int  # items that were missing when the run started


ProgressCallback = Callable[[Progress], None]


def embed_missing(
    docs: Sequence[ItemDocument],
    embedder: Embedder,
    cache: EmbeddingCache,
    batch_size: int = DEFAULT_BATCH,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Embed the docs whose fingerprint has no vector for this embedder; returns how
    many were embedded. Returns early, between batches, once `stop` is set. Vectors are
    filed under `embedding_key(embedder.name)`."""
    by_fingerprint = {doc.fingerprint: doc for doc in docs}
    key = embedding_key(embedder.name)
    todo = missing(cache, key, by_fingerprint)
    done = 0
    for start in range(0, len(todo), batch_size):
        if stop is not None and stop.is_set():
            break
        batch = todo[start : start + batch_size]
        vectors = embedder.embed([embedding_text(by_fingerprint[fp]) for fp in batch])
        cache.put_many(key, dict(zip(batch, vectors, strict=True)))
        done += len(batch)
        if on_progress is not None:
            on_progress(Progress(done, len(todo)))
    return done


class BackgroundEmbedding:
    """`embed_missing` on a daemon thread. `stop()` asks it to finish the batch in flight
    and return; `join()` waits and re-raises anything the thread raised."""

    def __init__(
        self,
        docs: Sequence[ItemDocument],
        embedder: Embedder,
        cache: EmbeddingCache,
        batch_size: int = DEFAULT_BATCH,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self._stop = threading.Event()
        self.embedded = 0
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.embedded = embed_missing(
                    docs, embedder, cache, batch_size, on_progress, self._stop
                )
            except BaseException as exc:  # handed to join(): a thread cannot raise
                self.error = exc

        self._thread = threading.Thread(target=run, name="rustrag-embed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> int:
        self._thread.join(timeout)
        if self.error is not None:
            raise self.error
        return self.embedded

    @property
    def running(self) -> bool:
        return self._thread.is_alive()
