"""Where the search indexes live beside the Cozo store, and the switches that govern them.

    index_dir/search/bm25/      lexical snapshot (rustrag.index.lexical)
    index_dir/search/rows/      per-row facts for filters and `--at` (rustrag.retrieve.rows)
    index_dir/search/vectors/   dense snapshot, written by the background embedding job
    index_dir/search/embed.json what the embedding job is doing (progress, errors)

The embedding cache itself is per machine (see `embedding_cache_dir`), so a crate version
embedded for one project is never embedded again for another.
"""

from __future__ import annotations

import os
from pathlib import Path

from rustrag.deps.cache_dir import cache_dir

SEARCH_DIR = "search"
ENV_NO_EMBED = "RUSTRAG_NO_EMBED"  # "1": never start background embedding
ENV_EMBEDDER = "RUSTRAG_EMBEDDER"  # an embedder spec for load_embedder (default: MiniLM)


def search_dir(index_dir: Path) -> Path:
    return Path(index_dir) / SEARCH_DIR


def bm25_dir(index_dir: Path) -> Path:
    return search_dir(index_dir) / "bm25"


def rows_dir(index_dir: Path) -> Path:
    return search_dir(index_dir) / "rows"


def vectors_dir(index_dir: Path) -> Path:
    return search_dir(index_dir) / "vectors"


def embed_status_file(index_dir: Path) -> Path:
    return search_dir(index_dir) / "embed.json"


def embed_log_file(index_dir: Path) -> Path:
    return search_dir(index_dir) / "embed.log"


def embed_lock_file(index_dir: Path) -> Path:
    return search_dir(index_dir) / "embed.lock"


def embedding_cache_dir() -> Path:
    return cache_dir() / "embeddings"


def embedder_spec() -> str:
    return os.environ.get(ENV_EMBEDDER) or "default"


def embedding_disabled() -> bool:
    return os.environ.get(ENV_NO_EMBED, "") not in ("", "0")
