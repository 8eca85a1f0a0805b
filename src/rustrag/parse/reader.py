"""`parse_file`: reading a file from disk, with the size cap, then `parse_bytes`."""

from __future__ import annotations

import os
import stat

import blake3

from rustrag.model import ParsedFile, Problem
from rustrag.parse.extract import parse_bytes

DEFAULT_MAX_BYTES = 8_000_000


def parse_file(abs_path: str, rel_path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedFile:
    """Parse one file; unreadable or oversize files give a `ParsedFile` with a Problem."""
    try:
        info = os.stat(abs_path)
    except OSError as error:
        return _skipped(abs_path, rel_path, f"cannot read file: {error.strerror or error}")
    if not stat.S_ISREG(info.st_mode):
        return _skipped(abs_path, rel_path, "not a regular file; skipped", info.st_mtime_ns)
    if info.st_size > max_bytes:
        return _oversize(abs_path, rel_path, info.st_size, max_bytes, info.st_mtime_ns)
    try:
        with open(abs_path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        reason = f"cannot read file: {error.strerror or error}"
        return _skipped(abs_path, rel_path, reason, info.st_mtime_ns)
    if len(data) > max_bytes:  # it grew between stat and read
        return _oversize(abs_path, rel_path, len(data), max_bytes, info.st_mtime_ns)
    return parse_bytes(data, abs_path, rel_path, mtime_ns=info.st_mtime_ns)


def _oversize(path: str, rel_path: str, size: int, cap: int, mtime_ns: int) -> ParsedFile:
    reason = f"file is {size} bytes, over the {cap}-byte cap; skipped"
    parsed = _skipped(path, rel_path, reason, mtime_ns)
    parsed.size = size
    # The hash still lets a later run see whether the file changed.
    try:
        parsed.blake3 = blake3.blake3().update_mmap(path).hexdigest()
    except OSError:
        parsed.blake3 = ""
    return parsed


def _skipped(path: str, rel_path: str, reason: str, mtime_ns: int = 0) -> ParsedFile:
    parsed = ParsedFile(path=path, rel_path=rel_path, size=0, mtime_ns=mtime_ns, blake3="", lines=0)
    parsed.problems.append(Problem(path, 0, reason, "error"))
    return parsed
