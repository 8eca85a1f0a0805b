"""Computed diffs kept as JSON files under the index folder, one per version pair.

A file is named after both crate ids and a digest of both crates' content keys and the
algorithm version, so a re-index that changes either side, or a new release of this
module, simply misses the cache; stale files are harmless and `rustrag index --rebuild`
style cleanups can delete the folder at any time.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import blake3

from rustrag.apidiff.entries import ApiDiff

# Bump when the diff algorithm or the JSON schema changes: old cache files stop matching.
ALGORITHM_VERSION = "4"
CACHE_FOLDER = "apidiff"


def _safe(crate_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@-]", "_", crate_id)


def cache_file(index_dir: Path, old_id: str, new_id: str, old_key: str, new_key: str) -> Path:
    digest = blake3.blake3(f"{ALGORITHM_VERSION}\n{old_key}\n{new_key}".encode()).hexdigest()
    return index_dir / CACHE_FOLDER / f"{_safe(old_id)}__{_safe(new_id)}__{digest[:24]}.json"


def load(path: Path) -> ApiDiff | None:
    try:
        return ApiDiff.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or unreadable: recompute


def save(path: Path, diff: ApiDiff) -> None:
    """Write atomically; a read-only index folder just means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(diff.to_json(), f, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass
