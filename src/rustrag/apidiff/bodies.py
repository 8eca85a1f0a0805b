"""Which trait methods are provided (have a default body) and which are required.

Parse keeps a declaration without its body, so the store cannot tell `fn f(&self);`
from `fn f(&self) {..}`; the item's last source byte can (`;` or `}`). Only trait
methods are looked at, each file read once, and only when the file's blake3 still equals
the one the index recorded: an edited file would put the byte range elsewhere, and an
unknown answer (None) is then better than a wrong one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import blake3

from rustrag.apidiff.surface import ApiItem


def mark_provided(traits: Iterable[ApiItem], root: Path, hashes: Mapping[str, str]) -> None:
    """Set `provided` on the methods of `traits`: True with a default body, False
    without, left None when the file is missing or changed since it was indexed.
    `hashes` maps a file (relative to `root`) to its indexed blake3."""
    by_file: dict[str, list[ApiItem]] = {}
    for trait in traits:
        for member in trait.members:
            if member.kind == "method":
                by_file.setdefault(member.item.file, []).append(member)
    for rel, methods in by_file.items():
        data = _read_indexed(root / rel, hashes.get(rel))
        if data is None:
            continue
        for method in methods:
            end = data[: method.item.raw.byte_end].rstrip()
            if end.endswith(b"}"):
                method.provided = True
            elif end.endswith(b";"):
                method.provided = False


def _read_indexed(path: Path, digest: str | None) -> bytes | None:
    if digest is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if blake3.blake3(data).hexdigest() == digest else None
