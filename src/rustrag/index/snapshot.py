"""Folders of numpy arrays, written atomically and memory-mapped back, with checksums.

Both in-process indexes persist this way. Each save writes its arrays under a fresh
generation name, fsyncs them, then atomically replaces `manifest.json`, which names the
files with their blake3 digests: a crash leaves the old manifest pointing at complete old
files, and a reader that already mapped the old files keeps them (unlinked files stay
readable on POSIX). Anything missing, truncated, edited or of another format version
raises a `SnapshotError`, which the caller handles by rebuilding from Cozo.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import blake3
import numpy as np
import numpy.typing as npt

MANIFEST = "manifest.json"


class SnapshotError(Exception):
    """A snapshot cannot be used; rebuild it from the store of record."""


class SnapshotMissing(SnapshotError):
    """No snapshot at the path (never written, or a file it names is gone)."""


class SnapshotCorrupt(SnapshotError):
    """A snapshot exists but fails its checksum, shape or format-version checks."""


def _file_digest(path: Path) -> str:
    hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
    hasher.update_mmap(path)
    return hasher.hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_snapshot(
    folder: Path,
    kind: str,
    version: int,
    arrays: Mapping[str, npt.NDArray[Any]],
    meta: Mapping[str, Any],
    reuse: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Write `arrays` and `meta` (JSON-able) as the new current snapshot in `folder`.

    `reuse` names arrays of the current snapshot that did not change, by their manifest
    entries (see `read_snapshot(files_out=..)`): the new manifest points at their files
    instead of writing them again, so a small update does not rewrite a large index.
    Returns the new manifest's entries."""
    folder.mkdir(parents=True, exist_ok=True)
    generation = secrets.token_hex(6)
    files: dict[str, dict[str, Any]] = {name: dict(entry) for name, entry in (reuse or {}).items()}
    for name, array in arrays.items():
        file_name = f"{name}.{generation}.npy"
        path = folder / file_name
        with open(path, "wb") as out:
            np.save(out, np.ascontiguousarray(array), allow_pickle=False)
            out.flush()
            os.fsync(out.fileno())
        files[name] = {
            "file": file_name,
            "blake3": _file_digest(path),
            "shape": list(array.shape),
            "dtype": array.dtype.str,
        }
    manifest = {
        "kind": kind,
        "format_version": version,
        "generation": generation,
        "files": files,
        "meta": dict(meta),
    }
    tmp = folder / f"{MANIFEST}.{generation}.tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(manifest, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, folder / MANIFEST)
    _fsync_dir(folder)
    keep = {entry["file"] for entry in files.values()}
    for stale in folder.glob("*.npy"):
        if stale.name not in keep:
            stale.unlink(missing_ok=True)
    for stale in folder.glob(f"{MANIFEST}.*.tmp"):
        stale.unlink(missing_ok=True)
    return files


def snapshot_generation(folder: Path) -> str | None:
    """The generation the current manifest names (None when there is none to read)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return str(manifest["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_snapshot(
    folder: Path,
    kind: str,
    version: int,
    verify: bool = True,
    files_out: dict[str, dict[str, Any]] | None = None,
) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
    """The arrays (memory-mapped, read-only) and meta of the current snapshot.

    `verify` re-hashes every file (about 1 GB/s); turn it off only when the caller has
    just written the snapshot itself. `files_out`, when given, receives each array's
    manifest entry (for `write_snapshot(reuse=..)`).
    """
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise SnapshotMissing(f"no {kind} snapshot in {folder}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest["kind"] != kind:
            raise SnapshotCorrupt(f"{folder} holds a {manifest['kind']!r} snapshot, not {kind!r}")
        if manifest["format_version"] != version:
            raise SnapshotCorrupt(
                f"{folder}: {kind} snapshot format {manifest['format_version']}, expected {version}"
            )
        entries: dict[str, dict[str, Any]] = manifest["files"]
        meta: dict[str, Any] = manifest["meta"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SnapshotCorrupt(f"{manifest_path}: unreadable manifest ({exc})") from exc
    arrays: dict[str, npt.NDArray[Any]] = {}
    for name, entry in entries.items():
        path = folder / entry["file"]
        if not path.is_file():
            raise SnapshotMissing(f"{path} named by {manifest_path} is missing")
        if verify and _file_digest(path) != entry["blake3"]:
            raise SnapshotCorrupt(f"{path}: checksum mismatch")
        try:
            # A zero-length array cannot be memory-mapped; it is read instead.
            if all(entry["shape"]):
                array = np.load(path, mmap_mode="r", allow_pickle=False)
            else:
                array = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise SnapshotCorrupt(f"{path}: unreadable array ({exc})") from exc
        if list(array.shape) != entry["shape"] or array.dtype.str != entry["dtype"]:
            raise SnapshotCorrupt(f"{path}: shape or dtype differs from the manifest")
        arrays[name] = array
        if files_out is not None:
            files_out[name] = dict(entry)
    return arrays, meta
