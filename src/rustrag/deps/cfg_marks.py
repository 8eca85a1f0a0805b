"""Which items of a crate exist with the features this project enables.

An item is as enabled as its own `#[cfg]`, its enclosing item (impl, trait, inline
module) and the `mod` declaring its module allow. Items written inside `cfg_*!`
macros (tokio's `cfg_rt! { .. }`) get "undecidable": the macro hides its predicate.
Only items with a status other than plain "enabled" are recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rustrag.deps.cfg_eval import CfgStatus, evaluate_cfg
from rustrag.deps.state import META_CFG_PREFIX, read_for_workspace
from rustrag.model import Item, ResolvedCrate

if TYPE_CHECKING:
    from rustrag.store import Store


@dataclass(frozen=True, slots=True)
class CfgMark:
    status: CfgStatus
    predicate: str  # the predicate that decided it, "" when inherited from a cfg macro

    def to_json(self) -> list[str]:
        return [self.status, self.predicate]


def cfg_marks(resolved: ResolvedCrate) -> dict[str, CfgMark]:
    """item_id -> mark, for items that are disabled or undecidable with the crate's
    enabled features (CrateSource.features)."""
    features = frozenset(resolved.crate.features)
    by_id = {item.item_id: item for item in resolved.items}
    mod_by_path = {item.path: item for item in resolved.items if item.kind == "mod"}
    memo: dict[str, CfgMark] = {}

    def own(item: Item) -> CfgMark:
        if item.raw.attrs.cfg:
            return CfgMark(evaluate_cfg(item.raw.attrs.cfg, features), item.raw.attrs.cfg)
        if item.raw.in_macro and (item.raw.macro_name or "").startswith("cfg"):
            return CfgMark("undecidable", f"{item.raw.macro_name}!")
        return _ENABLED

    def mark(item: Item, depth: int = 0) -> CfgMark:
        cached = memo.get(item.item_id)
        if cached is not None:
            return cached
        result = own(item)
        if depth < 64:  # module chains are shallow; the bound only guards against cycles
            outer = [by_id.get(item.parent_id) if item.parent_id else None]
            if item.kind != "mod" or item.path != item.module:
                outer.append(mod_by_path.get(item.module))
            for enclosing in outer:
                if enclosing is not None and enclosing is not item:
                    result = _combine(result, mark(enclosing, depth + 1))
        memo[item.item_id] = result
        return result

    marks = {item.item_id: mark(item) for item in resolved.items}
    return {item_id: m for item_id, m in marks.items() if m != _ENABLED}


_ENABLED = CfgMark("enabled", "")


def _combine(inner: CfgMark, outer: CfgMark) -> CfgMark:
    """Both must hold: disabled wins, then undecidable."""
    for status in ("disabled", "undecidable"):
        for candidate in (inner, outer):
            if candidate.status == status:
                return candidate
    return inner


def load_marks(store: Store, root: str | Path, crate_id: str) -> dict[str, list[str]]:
    """item_id -> [status, predicate] recorded for `crate_id` under the features the
    workspace at `root` enables (one crate version can be built with other features by
    another workspace of the same index folder)."""
    text = read_for_workspace(store, META_CFG_PREFIX + crate_id, root)
    if not text:
        return {}
    data = json.loads(text)
    return {str(k): [str(x) for x in v] for k, v in data.items()} if isinstance(data, dict) else {}
