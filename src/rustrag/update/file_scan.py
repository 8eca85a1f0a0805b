"""Which files of a crate changed since the index was written, cheapest test first.

1. stat: a file whose size and mtime equal the stored ones is unchanged (unless "racy",
   below) and its parse comes from the cache without reading it;
2. blake3: a file whose stat moved (a touch, a checkout of the same content) is read and
   hashed, and only a new digest makes it a file to parse.

Racy files: a write within the same clock tick as the previous index run can leave size
and mtime unchanged while the content changed (git's "racy clean" problem). A file whose
stored mtime is within `RACY_WINDOW_NS` of the time its crate was written is therefore
always re-hashed; that costs a read of the few files edited just before an index run.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import blake3

from rustrag.model import CrateSource, ParsedFile
from rustrag.parse import parse_bytes, parse_file
from rustrag.update.parse_cache import ParseCache

FileState = tuple[int, int, str]  # size, mtime_ns, blake3 as stored
RACY_WINDOW_NS = 2_000_000_000


@dataclass(slots=True)
class CrateScan:
    """What the stat (and, where needed, hash) pass found for one crate."""

    parsed: dict[str, ParsedFile] = field(default_factory=dict)  # usable parses by rel path
    to_parse: list[str] = field(default_factory=list)  # rel paths with no usable parse
    changed: list[str] = field(default_factory=list)  # rel paths whose content changed
    removed: list[str] = field(default_factory=list)  # stored files no longer present
    uncached: list[str] = field(default_factory=list)  # unchanged, but no cached parse

    @property
    def dirty(self) -> bool:
        return bool(self.changed or self.removed or self.to_parse)


def _stat(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _digest_file(path: str, max_bytes: int) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return None
    if len(data) > max_bytes:
        return None
    return blake3.blake3(data).hexdigest()


def _refreshed(parsed: ParsedFile, size: int, mtime_ns: int) -> ParsedFile:
    if parsed.size == size and parsed.mtime_ns == mtime_ns:
        return parsed
    return dataclasses.replace(parsed, size=size, mtime_ns=mtime_ns)


def scan_crate(
    crate: CrateSource,
    stored: Mapping[str, FileState],
    written_at_ns: int,
    cache: ParseCache,
    max_bytes: int,
) -> CrateScan:
    """Classify every file of `crate` and every file stored for it (a `#[path]` target
    outside the listed files is stored too, and must be checked the same way)."""
    scan = CrateScan()
    listed = set(crate.files)
    for rel, extra_state in stored.items():
        if rel not in listed:
            _check_extra(crate, rel, extra_state, max_bytes, scan)
    for rel in crate.files:
        abs_path = os.path.join(crate.root, rel)
        seen = _stat(abs_path)
        state = stored.get(rel)
        if seen is None:
            if state is not None:
                scan.removed.append(rel)
            scan.to_parse.append(rel)  # parse_file turns it into a clear Problem
            continue
        if state is None:
            scan.changed.append(rel)
            scan.to_parse.append(rel)
            continue
        size, mtime_ns = seen
        racy = state[1] >= written_at_ns - RACY_WINDOW_NS
        if (size, mtime_ns) == state[:2] and not racy:
            cached = cache.get(state[2], abs_path)
            if cached is not None:
                # the cached parse may date from before a touch: the row takes this stat
                scan.parsed[rel] = _refreshed(cached, size, mtime_ns)
            else:
                # unchanged, only its parse is gone: parsed later if the crate needs it
                scan.uncached.append(rel)
            continue
        digest = _digest_file(abs_path, max_bytes)
        if digest is None or digest != state[2]:
            scan.changed.append(rel)
            scan.to_parse.append(rel)
            continue
        stat_moved = (size, mtime_ns) != state[:2]
        if stat_moved:
            scan.changed.append(rel)  # same content, but the stored stat row moves
        cached = cache.get(digest, abs_path)
        if cached is not None:
            scan.parsed[rel] = _refreshed(cached, size, mtime_ns)
        elif stat_moved:
            scan.to_parse.append(rel)  # the crate is re-resolved anyway
        else:
            scan.uncached.append(rel)
    return scan


def _check_extra(
    crate: CrateSource, rel: str, state: FileState, max_bytes: int, scan: CrateScan
) -> None:
    """A stored file outside the listed ones (a `#[path]` target): resolve loads it on
    demand, so it is only checked for change here, never handed to resolve up front
    (a file no `mod` reaches any more must not come back as an unlinked file)."""
    abs_path = os.path.join(crate.root, rel)
    seen = _stat(abs_path)
    if seen is None:
        scan.removed.append(rel)
    elif seen != state[:2] and _digest_file(abs_path, max_bytes) != state[2]:
        scan.changed.append(rel)
    elif seen != state[:2]:
        scan.changed.append(rel)  # same content; its stored stat row still moves


def parse_with_cache(abs_path: str, rel_path: str, cache: ParseCache, max_bytes: int) -> ParsedFile:
    """Parse one file, or take its parse from the cache when the content is known."""
    seen = _stat(abs_path)
    if seen is None or seen[0] > max_bytes:
        return parse_file(abs_path, rel_path, max_bytes=max_bytes)
    try:
        with open(abs_path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return parse_file(abs_path, rel_path, max_bytes=max_bytes)
    if len(data) > max_bytes:
        return parse_file(abs_path, rel_path, max_bytes=max_bytes)
    digest = blake3.blake3(data).hexdigest()
    cached = cache.get(digest, abs_path)
    if cached is not None and cached.rel_path == rel_path:
        return _refreshed(cached, seen[0], seen[1])
    parsed = parse_bytes(data, abs_path, rel_path, mtime_ns=seen[1])
    cache.put(parsed)
    return parsed


def cached_loader(
    root: str, cache: ParseCache, max_bytes: int
) -> Callable[[str], ParsedFile | None]:
    """The `load_file` resolve calls for files a `mod` needs beyond the listed ones
    (`#[path]` targets), going through the cache and never leaving the crate root."""
    real_root = os.path.realpath(root)

    def load(rel_path: str) -> ParsedFile | None:
        target = os.path.realpath(os.path.join(real_root, rel_path))
        if os.path.commonpath([real_root, target]) != real_root or not os.path.isfile(target):
            return None
        rel = os.path.relpath(target, real_root).replace(os.sep, "/")
        return parse_with_cache(target, rel, cache, max_bytes)

    return load
