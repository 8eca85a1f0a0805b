"""Computed diffs kept as JSON files under the index folder, one per version pair.

A file is named after both crate ids and a digest of both crates' content keys and the
algorithm version, so a re-index that changes either side, or a new release of this
module, simply misses the cache; stale files are harmless and `rustrag index --rebuild`
style cleanups can delete the folder at any time.

Loaded diffs are also kept in memory (`_LOADED`, keyed by file path, mtime and size), so a
long-lived process answering outdated-name queries parses each file once: re-reading a
0.5 MB diff cost ~24 ms a query. The same `ApiDiff` object is handed to every caller;
treat it as read-only.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import blake3

from rustrag.apidiff.entries import ApiDiff

# Bump when the diff algorithm or the JSON schema changes: old cache files stop matching.
ALGORITHM_VERSION = "5"  # 5: trait impls, renames onto existing items
CACHE_FOLDER = "apidiff"


def _safe(crate_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@-]", "_", crate_id)


def cache_file(index_dir: Path, old_id: str, new_id: str, old_key: str, new_key: str) -> Path:
    digest = blake3.blake3(f"{ALGORITHM_VERSION}\n{old_key}\n{new_key}".encode()).hexdigest()
    return index_dir / CACHE_FOLDER / f"{_safe(old_id)}__{_safe(new_id)}__{digest[:24]}.json"


_LOADED_MAX = 16  # diffs kept in memory (a few MB each at most), least recently used out
_LOADED: OrderedDict[tuple[str, int, int], ApiDiff] = OrderedDict()
_LOADED_LOCK = threading.Lock()


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


def _remember(key: tuple[str, int, int], diff: ApiDiff) -> None:
    with _LOADED_LOCK:
        _LOADED[key] = diff
        _LOADED.move_to_end(key)
        while len(_LOADED) > _LOADED_MAX:
            _LOADED.popitem(last=False)


def load(path: Path) -> ApiDiff | None:
    try:
        key = _stamp(path)
        with _LOADED_LOCK:
            found = _LOADED.get(key)
            if found is not None:
                _LOADED.move_to_end(key)
                return found
        diff = ApiDiff.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or unreadable: recompute
    _remember(key, diff)
    return diff


def save(path: Path, diff: ApiDiff) -> None:
    """Write atomically; a read-only index folder just means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(diff.to_json(), f, ensure_ascii=False)
        os.replace(tmp, path)
        _remember(_stamp(path), diff)
    except OSError:
        pass
