"""Search filters (crate, version, kind, workspace vs dependencies) as row masks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from rustrag.retrieve.rows import Mask, RowTable

Origin = Literal["all", "workspace", "deps"]


@dataclass(slots=True, frozen=True)
class SearchScope:
    """Which crates and kinds a search may return. `crate_ids` None means every crate."""

    crate_ids: frozenset[str] | None = None
    kinds: frozenset[str] | None = None

    def mask(self, rows: RowTable) -> Mask | None:
        """A mask over rows, or None when nothing is filtered (the fast path)."""
        mask: Mask | None = None
        if self.crate_ids is not None:
            mask = rows.crate_mask(self.crate_ids)
        if self.kinds is not None:
            kinds = rows.kind_mask(self.kinds)
            mask = kinds if mask is None else mask & kinds
        if mask is not None and not len(mask):
            return np.zeros(0, dtype=np.bool_)
        return mask

    def allows(self, crate_id: str, kind: str) -> bool:
        return (self.crate_ids is None or crate_id in self.crate_ids) and (
            self.kinds is None or kind in self.kinds
        )


def crates_by_origin(sources: dict[str, str], origin: Origin) -> Iterable[str]:
    """Crate ids (from {crate id: source}) that are workspace members or dependencies."""
    if origin == "workspace":
        return (cid for cid, source in sources.items() if source == "workspace")
    if origin == "deps":
        return (cid for cid, source in sources.items() if source != "workspace")
    return iter(sources)
