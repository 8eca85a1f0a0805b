"""Which items of an edited file are the same items as before the edit.

An item keeps its identity across an edit when everything that decides how it binds and
where it is placed is unchanged: kind, name, visibility, what an impl is for and of, what
a `use` names, a module's file, a struct's shape, and the identity of its parent. Bodies,
signatures otherwise, docs and spans may change freely: an incremental resolve keeps the
item's slot (and every binding that names it) and only re-reads those.
"""

from __future__ import annotations

from dataclasses import dataclass

from rustrag.model import RawItem

Identity = tuple[object, ...]


def _identity(items: list[RawItem], i: int, memo: dict[int, Identity], depth: int = 0) -> Identity:
    found = memo.get(i)
    if found is not None:
        return found
    raw = items[i]
    parent: Identity = ()
    if raw.parent is not None and 0 <= raw.parent < len(items) and depth < 64:
        parent = _identity(items, raw.parent, memo, depth + 1)
    key: Identity = (
        raw.kind,
        raw.name,
        raw.visibility,
        raw.impl_trait,
        raw.impl_self,
        tuple((tuple(u.path), u.alias, u.glob) for u in raw.uses),
        raw.mod_inline,
        raw.attrs.path_attr,
        raw.attrs.macro_export,
        raw.kind == "struct" and "{" in raw.signature,  # a unit struct is also a value
        parent,
    )
    memo[i] = key
    return key


@dataclass(slots=True)
class Matching:
    pairs: dict[int, int]  # new item index -> old item index
    added: list[int]  # new items with no old counterpart
    removed: list[int]  # old items with no new counterpart


def match_items(old: list[RawItem], new: list[RawItem]) -> Matching:
    """Pair items by identity and by rank among items of the same identity."""

    def ranked(items: list[RawItem]) -> dict[tuple[Identity, int], int]:
        memo: dict[int, Identity] = {}
        seen: dict[Identity, int] = {}
        out: dict[tuple[Identity, int], int] = {}
        for i in sorted(range(len(items)), key=lambda k: (items[k].byte_start, k)):
            key = _identity(items, i, memo)
            rank = seen.get(key, 0)
            seen[key] = rank + 1
            out[(key, rank)] = i
        return out

    old_ranked = ranked(old)
    new_ranked = ranked(new)
    pairs = {n: old_ranked[k] for k, n in new_ranked.items() if k in old_ranked}
    matched_old = set(pairs.values())
    return Matching(
        pairs=pairs,
        added=sorted(n for n in range(len(new)) if n not in pairs),
        removed=sorted(o for o in range(len(old)) if o not in matched_old),
    )
