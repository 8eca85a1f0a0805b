"""A search result: the item, where it is, what to write to use it, and why it ranked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rustrag.api import ItemView


@dataclass(slots=True)
class SearchHit:
    view: ItemView
    score: float
    signals: dict[str, int]  # signal -> 1-based rank in that signal's list
    use_path: str  # the path to write (`use clap::Command`), public when one exists
    via: str = ""  # for graph-added items: how it relates to a hit ("method of X")
    note: str = ""  # e.g. why a replacement stands for an outdated name
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        item = self.view.item
        return {
            "item_id": item.item_id,
            "name": item.name,
            "path": item.path,
            "use_path": self.use_path,
            "kind": item.kind,
            "crate": self.view.crate,
            "version": self.view.version,
            "crate_root": self.view.crate_root,
            "file": item.file,
            "line_start": item.raw.line_start,
            "line_end": item.raw.line_end,
            "signature": item.raw.signature,
            "score": round(self.score, 6),
            "signals": sorted(self.signals),
            "signal_ranks": self.signals,
            "via": self.via,
            "note": self.note,
            "deprecated": item.raw.attrs.deprecated,
            # the item as every other tool shows it (`Workspace.find` results carry the
            # same key), so clients and renderers read one shape whatever the engine
            "item": self.view.to_json(),
        }


def use_path(paths: list[str], canonical: str, kind: str) -> str:
    """The path a user should write: the shortest public path (prelude and root
    re-exports win), else the canonical one. Members (methods, fields, variants) are
    written through their type, so their canonical path is kept."""
    if kind in ("method", "field", "variant", "assoc_const", "assoc_type") or not paths:
        return canonical
    return min(paths, key=lambda p: (p.count("::"), len(p), p))
