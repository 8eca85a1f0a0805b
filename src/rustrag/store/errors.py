"""Errors the store raises, each worded for the person who will read it in a terminal."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class of every error raised by rustrag.store."""


class IndexBusy(StoreError):
    """Another process holds the writer lock of this index."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(
            f"the index at {index_dir} is busy: another rustrag process is writing to it. "
            "Wait for that `rustrag index` to finish or stop it; queries keep working "
            "meanwhile (read-only). The lock is released when that process exits."
        )
        self.index_dir = index_dir


class IndexMissing(StoreError):
    """A read-only open found no index to read."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(f"no index at {index_dir}: run `rustrag index` first")
        self.index_dir = index_dir


class SchemaVersionMismatch(StoreError):
    """The index on disk was written by a rustrag with another schema."""

    def __init__(self, index_dir: Path, found: str | None, expected: str) -> None:
        found_text = "an unknown schema version" if found is None else f"schema version {found}"
        super().__init__(
            f"the index at {index_dir} was built with {found_text}, but this rustrag needs "
            f"schema version {expected}: re-index with `rustrag index --rebuild`"
        )
        self.index_dir = index_dir
        self.found = found
        self.expected = expected


class ReadOnlyStore(StoreError):
    """A write was attempted through a store opened read-only."""

    def __init__(self) -> None:
        super().__init__("this store was opened read-only; open it with read_only=False to write")
