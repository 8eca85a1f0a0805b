"""The embedding cache on a real Cozo database, and the background filler over it."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from pycozo.client import Client

from index_corpus import CLAP_SRC, crate_documents
from rustrag.index.background import BackgroundEmbedding, Progress, embed_missing
from rustrag.index.documents import ItemDocument, embedding_key
from rustrag.index.embedders import Embedder, load_embedder
from rustrag.index.embedding_cache import CozoEmbeddingCache


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[Client]:
    db = Client("rocksdb", str(tmp_path / "cozo"), dataframe=False)
    try:
        yield db
    finally:
        db.close()


class CountingEmbedder:
    """Wraps the real default model and counts the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.texts_embedded = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts_embedded += len(texts)
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def default_model() -> Embedder:
    return load_embedder("default")


@pytest.fixture(scope="module")
def docs() -> list[ItemDocument]:
    found = crate_documents(CLAP_SRC, "clap@4.0.32")
    if not found:
        pytest.skip("needs Debian's clap 4.0.32")
    return found[:40]


def test_round_trip_is_exact_and_keyed_by_model(client: Client, tmp_path: Path) -> None:
    cache = CozoEmbeddingCache(client)
    CozoEmbeddingCache(client)  # opening again must not fail on the existing relation
    rng = np.random.default_rng(5)
    rows = {f"fp{i}": rng.standard_normal(384).astype(np.float32) for i in range(2500)}
    cache.put_many("model-a", rows)
    got = cache.get_many("model-a", [*rows, "absent"])
    assert set(got) == set(rows)
    assert all(np.array_equal(got[fp], rows[fp]) for fp in rows)
    assert cache.get_many("model-b", list(rows)) == {}
    assert cache.count("model-a") == 2500


def test_cache_survives_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "cozo")
    first = Client("rocksdb", path, dataframe=False)
    CozoEmbeddingCache(first).put_many("m", {"fp": np.arange(4, dtype=np.float32)})
    first.close()
    second = Client("rocksdb", path, dataframe=False)
    try:
        assert np.array_equal(CozoEmbeddingCache(second).get_many("m", ["fp"])["fp"], np.arange(4))
    finally:
        second.close()


def test_second_run_embeds_nothing(
    client: Client, default_model: Embedder, docs: list[ItemDocument]
) -> None:
    cache = CozoEmbeddingCache(client)
    embedder = CountingEmbedder(default_model)
    progress: list[Progress] = []
    assert embed_missing(docs, embedder, cache, batch_size=16, on_progress=progress.append) == 40
    assert embedder.texts_embedded == 40
    assert [p.embedded for p in progress] == [16, 32, 40] and progress[-1].total == 40
    assert embed_missing(docs, embedder, cache) == 0
    assert embedder.texts_embedded == 40
    vectors = cache.get_many(embedding_key(embedder.name), [d.fingerprint for d in docs])
    assert len(vectors) == 40
    assert np.allclose(np.linalg.norm(np.stack(list(vectors.values())), axis=1), 1.0, atol=1e-5)


def test_stopping_keeps_committed_batches(
    client: Client, default_model: Embedder, docs: list[ItemDocument]
) -> None:
    cache = CozoEmbeddingCache(client)
    embedder = CountingEmbedder(default_model)
    first_batch_done = threading.Event()
    release = threading.Event()

    def on_progress(progress: Progress) -> None:
        first_batch_done.set()
        release.wait(30)  # hold the worker until the test has asked it to stop

    job = BackgroundEmbedding(docs, embedder, cache, batch_size=8, on_progress=on_progress)
    assert first_batch_done.wait(60)
    job.stop()
    release.set()
    assert job.join(60) == 8
    assert cache.count(embedding_key(embedder.name)) == 8
    # A later run finishes the rest and embeds only what is missing.
    assert embed_missing(docs, embedder, cache) == 32
    assert embedder.texts_embedded == 40


def test_vectors_of_an_older_item_text_are_not_reused(
    client: Client, default_model: Embedder, docs: list[ItemDocument]
) -> None:
    cache = CozoEmbeddingCache(client)
    embedder = CountingEmbedder(default_model)
    # vectors filed under the bare model name, as before the item text was versioned
    old = np.zeros(embedder.dim, dtype=np.float32)
    cache.put_many(embedder.name, {d.fingerprint: old for d in docs[:8]})
    assert embed_missing(docs[:8], embedder, cache) == 8
    fresh = cache.get_many(embedding_key(embedder.name), [d.fingerprint for d in docs[:8]])
    assert all(np.linalg.norm(v) > 0.99 for v in fresh.values()) and len(fresh) == 8
