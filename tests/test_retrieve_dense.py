"""Dense search end to end with the real model (all-MiniLM-L6-v2 int8 ONNX) on a small
real index: the detached embedding job fills the machine cache, writes the vector
snapshot, `search --dense` uses it, and an unchanged item is never embedded twice."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import Timeout
from typer.testing import CliRunner

from rustrag.api import Workspace
from rustrag.cli import app
from rustrag.index.embedders import EmbedderUnavailable, load_embedder
from rustrag.index.vectors import VectorIndex
from rustrag.retrieve import layout
from rustrag.retrieve.dense import NO_VECTORS
from rustrag.retrieve.embed_job import all_documents, read_status, run_embedding
from rustrag.retrieve.embedding_store import open_embedding_cache
from rustrag.retrieve.searcher import SearchOptions, searcher_for
from rustrag.store import Store

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "geometry"
JOB_TIMEOUT_S = 240.0


def _wait_ready(index_dir: Path) -> dict[str, object]:
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        status = read_status(index_dir)
        if status.get("state") in ("ready", "unavailable"):
            return status
        time.sleep(0.5)
    raise AssertionError(f"embedding job not ready after {JOB_TIMEOUT_S} s: {status}")


def _run_job_here(index_dir: Path) -> dict[str, object]:
    """The job in this process, once the detached one has let go of the lock."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return run_embedding(index_dir)
        except Timeout:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    try:
        load_embedder("default")
    except EmbedderUnavailable as exc:
        pytest.skip(f"default embedder not installed: {exc}")
    root = tmp_path_factory.mktemp("dense")
    shutil.copytree(EXAMPLE, root / "geometry")
    with pytest.MonkeyPatch.context() as patch:
        # an isolated machine cache: the counts below must not see other runs' vectors
        patch.setenv("RUSTRAG_CACHE_DIR", str(root / "machine-cache"))
        patch.delenv("RUSTRAG_NO_EMBED", raising=False)
        ws = Workspace(root / "geometry", root / "index")
        ws.index(embed=True)  # starts the detached job (python -m rustrag.retrieve.embed_job)
        # a searcher that starts before the vectors exist picks them up when they appear
        searcher = searcher_for(ws)
        early = searcher.run(ws, "circle", SearchOptions(dense=None))
        status = _wait_ready(ws.index_dir)
        assert status["state"] == "ready", status
        late = searcher.run(ws, "circle", SearchOptions(dense=None))
        assert searcher_for(ws) is searcher and late.dense_status == "full", late.dense_status
        # (the job needs seconds to load the model: the early search normally ran first)
        assert early.dense_status == "full" or early.dense_status.startswith(NO_VECTORS)
        yield ws
        ws.close()


def test_job_fills_the_cache_and_writes_the_snapshot(embedded: Workspace) -> None:
    status = read_status(embedded.index_dir)
    with Store.open(embedded.index_dir, read_only=True) as store:
        docs = all_documents(store)
    fingerprints = {d.fingerprint for d in docs}
    assert status["embedded"] == len(fingerprints) > 20  # everything was new
    cache = open_embedding_cache()
    assert cache.count(str(status["cache_key"])) == len(fingerprints)
    vectors = VectorIndex.load(layout.vectors_dir(embedded.index_dir))
    assert vectors.model == status["model"]
    assert sorted(vectors.ids) == sorted(d.item_id for d in docs)


def test_dense_search_uses_the_snapshot(embedded: Workspace) -> None:
    # no word of the query is in the item's name: BM25 alone leans on "area"
    runner = CliRunner()
    args = ["search", "how big is a round shape", "--dense", "--json"]
    result = runner.invoke(
        app, [*args, "--path", str(embedded.path), "--index-dir", str(embedded.index_dir)]
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)["results"]
    assert any("dense" in h["signals"] for h in hits)
    dense_only = embedded.search("circle", k=5, dense=True)
    assert any("dense" in h.signals for h in dense_only)
    # the query's embedding was remembered: asking again needs no model run
    assert searcher_for(embedded).dense.start("circle").done()


def test_unchanged_items_are_never_embedded_twice(embedded: Workspace) -> None:
    status = _run_job_here(embedded.index_dir)  # a second job over the same index
    assert status["state"] == "ready" and status["embedded"] == 0
    assert status["to_embed"] == 0
    model = str(status["cache_key"])
    before = open_embedding_cache().count(model)
    circle = embedded.path / "crates" / "shapes" / "src" / "shapes" / "circle.rs"
    added = "\n/// Half the diameter, again.\npub fn radius_again() -> f64 {\n    1.0\n}\n"
    circle.write_text(circle.read_text() + added)
    embedded.index(embed=False)
    status = _run_job_here(embedded.index_dir)
    assert 1 <= int(str(status["embedded"])) <= 2
    # the new fn (and at most its enclosing module, whose text grew), nothing else
    assert 1 <= open_embedding_cache().count(model) - before <= 2
    vectors = VectorIndex.load(layout.vectors_dir(embedded.index_dir))
    assert any(i.endswith("radius_again|fn") for i in vectors.ids)
