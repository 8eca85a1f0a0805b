"""Typed results of store reads and writes (items and edges come back as model types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rustrag.model import CrateSource, Item, Problem

MatchKind = Literal["canonical", "path", "name", "suffix"]
# find_items ranks hits in this order: best first
MATCH_RANK: dict[MatchKind, int] = {"canonical": 0, "path": 1, "name": 2, "suffix": 3}


@dataclass(slots=True)
class WriteStats:
    crate_id: str
    rows: dict[str, int] = field(default_factory=dict)  # relation name -> rows written
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(slots=True)
class StoredCrate:
    crate: CrateSource
    indexed_at: float  # unix seconds


@dataclass(slots=True)
class StoredFile:
    crate_id: str
    rel_path: str
    abs_path: str
    size: int
    mtime_ns: int
    blake3: str
    lines: int
    module: str | None  # module this file is the top level of; None when unlinked
    linked: bool
    inner_docs: str
    inner_attrs: list[str]
    macro_uses: list[str]


@dataclass(slots=True)
class CrateProblem:
    crate_id: str
    problem: Problem


@dataclass(slots=True)
class ItemPath:
    path: str
    canonical: bool  # the item's canonical path (which may be private)
    public: bool  # reachable from outside the crate under this path


@dataclass(slots=True)
class ItemMatch:
    item: Item
    matched_path: str  # the path (or name) the query matched
    match: MatchKind


@dataclass(slots=True)
class ImplOf:
    """One way a type implements a trait."""

    impl_id: str | None  # the impl block; None for #[derive]
    type_id: str | None  # the implementing type when resolved
    type_text: str  # self type as written ("Foo<T>"), or the deriving type's path
    via: str  # "derive" for #[derive(..)], else ""


@dataclass(slots=True)
class MethodOf:
    method: Item
    impl_id: str
    trait: str | None  # the impl's trait as written; None for inherent methods


@dataclass(slots=True)
class StoreStats:
    crates: int
    files: int
    items: int
    item_paths: int
    edges: int
    problems: int
    modules: int
    db_bytes: int  # database file plus its WAL, on disk
    shard_bytes: int = 0  # the dependency shards it uses, in the machine cache
