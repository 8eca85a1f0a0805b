"""The eval corpus: real crates copied into one workspace, indexed, with the held-out
doc sentences removed from both search indexes and the dense vectors computed here.

The embeddings of held-out documents differ from the real ones for the same item
fingerprint, so they are cached in the eval's own folder, never in the machine-wide
embedding cache that `rustrag index` fills.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

from rustrag.api import Workspace
from rustrag.index.documents import ItemDocument, embedding_text
from rustrag.index.embedders import Embedder, load_embedder
from rustrag.index.vectors import VectorIndex
from rustrag.retrieve import layout
from rustrag.retrieve.build import refresh_search_indexes
from rustrag.retrieve.documents import crate_documents
from rustrag.retrieve.embed_items import skip_reason
from rustrag.retrieve.source import SourceReader

REGISTRY = Path("/usr/share/cargo/registry")
CRATES = (
    "syn-1.0.107",
    "clap-3.2.23",
    "clap-4.0.32",
    "tokio-1.24.2",
    "nom-4.2.3",
    "nom-7.1.1",
    "serde-1.0.152",
)


def make_workspace(work: Path) -> Path:
    """A workspace whose members are copies of the crates: one index holds them all
    (indexing crate folders one by one into one index keeps only the last)."""
    root = work / "corpus"
    if (root / "Cargo.toml").is_file():
        return root
    for name in CRATES:
        shutil.copytree(REGISTRY / name, root / "crates" / name)
        (root / "crates" / name / "Cargo.lock").unlink(missing_ok=True)
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n')
    return root


def index_corpus(work: Path) -> Workspace:
    root = make_workspace(work)
    ws = Workspace(root, work / "index")
    if not (work / "index" / "cozo.sqlite").exists():
        ws.index(embed=False)
    return ws


def held_out_filter(held_out: Mapping[str, str]) -> Callable[[str, str], str]:
    def docs_filter(item_id: str, docs: str) -> str:
        sentence = held_out.get(item_id)
        return docs.replace(sentence, " ", 1) if sentence else docs

    return docs_filter


def rebuild_search_indexes(ws: Workspace, held_out: Mapping[str, str]) -> int:
    """Re-read every crate into the lexical snapshot with the held-out sentences gone."""
    report = refresh_search_indexes(
        ws.store,
        ws.index_dir,
        embed=False,
        changed_crates=list(ws.crates()),
        docs_filter=held_out_filter(held_out),
    )
    return report.rows


def eval_documents(ws: Workspace, held_out: Mapping[str, str]) -> list[ItemDocument]:
    reader = SourceReader()
    docs_filter = held_out_filter(held_out)
    return [
        doc
        for crate_id in sorted(ws.crates())
        for doc, _ in crate_documents(ws.store, crate_id, reader=reader, docs_filter=docs_filter)
    ]


def build_vectors(
    ws: Workspace, held_out: Mapping[str, str], work: Path, batch: int = 256
) -> dict[str, float]:
    """Embed the documents (held-out text) that `rustrag index` would embed and write the
    dense snapshot the searcher reads; returns throughput figures. The corpus crates are
    members only so one index holds them all: a user has syn, clap or tokio as
    dependencies, so the dependency rule applies (public, documented items only)."""
    embedder: Embedder = load_embedder("default")
    selected = {
        item.item_id
        for crate_id in ws.crates()
        for item in ws.store.crate_items(crate_id)
        if skip_reason(item, own=False) is None
    }
    every = eval_documents(ws, held_out)
    docs = [d for d in every if d.item_id in selected]
    texts = [embedding_text(d) for d in docs]
    # keyed by model and text: vectors of another model (or build of it) never mix in
    keys = [
        hashlib.blake2b(f"{embedder.name}\n{t}".encode(), digest_size=16).hexdigest() for t in texts
    ]
    cache = _load_cache(work / "embeddings.npz")
    todo = [i for i, key in enumerate(keys) if key not in cache]
    started = time.perf_counter()
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        vectors = embedder.embed([texts[i] for i in chunk])
        cache.update({keys[i]: v for i, v in zip(chunk, vectors, strict=True)})
        done = start + len(chunk)
        rate = done / (time.perf_counter() - started)
        print(f"  embedded {done}/{len(todo)} ({rate:.1f} items/s)", flush=True)
    seconds = time.perf_counter() - started
    _save_cache(work / "embeddings.npz", cache)
    index = VectorIndex(embedder.dim, embedder.name)
    index.add([d.item_id for d in docs], np.stack([cache[k] for k in keys]))
    index.save(layout.vectors_dir(ws.index_dir))
    return {
        "documents": len(every),
        "embedded": len(docs),
        "embedded_now": len(todo),
        "seconds": round(seconds, 1),
        "items_per_second": round(len(todo) / seconds, 1) if todo else 0.0,
    }


def _load_cache(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    if not path.is_file():
        return {}
    with np.load(path) as data:
        return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))


def _save_cache(path: Path, cache: Mapping[str, npt.NDArray[np.float32]]) -> None:
    keys = list(cache)
    np.savez(path, keys=np.array(keys), vectors=np.stack([cache[k] for k in keys]))
