"""Comparing two `ApiSurface`s: which item became which, and what changed.

Identity, in order of trust:

1. same namespace and a shared public path (members: same namespace and name under
   their owner's counterpart) → the same item; "changed" when the normalised signature
   or kind differs or a public path was lost, "body_changed" when only the fingerprint
   differs (functions, macros and constants only: a type's fingerprint covers its members,
   which are compared one by one);
2. every old path gone, but an unmatched new item of the same kind has the same
   signature or fingerprint → "moved";
3. the old item's deprecation note names a new item of the same namespace, or a new
   item of the same kind is similar enough (see rename.py) → "renamed";
4. whatever is left is "removed" (old) or "added" (new).

Members of matched items are compared under that match, so a moved or renamed type's
methods are not reported as removed; members of an added or removed item are counted on
its entry instead of being listed.
"""

from __future__ import annotations

from collections.abc import Iterable

from rustrag.apidiff.entries import CHANGE_KINDS, ChangeKind, DiffEntry, Side
from rustrag.apidiff.impls import TraitImpl, diff_impls, fold_unmatched
from rustrag.apidiff.rename import (
    EXISTING_CONFIDENCE,
    NOTE_CONFIDENCE,
    NewIndex,
    call_shape,
    note_targets,
    offers_choice,
    same_family,
    similar_renames,
)
from rustrag.apidiff.surface import ApiItem, ApiSurface

_BODY_KINDS = frozenset({"fn", "method", "macro_rules", "const", "static", "assoc_const"})


def _member_count(item: ApiItem) -> int:
    return sum(1 + _member_count(m) for m in item.members)


def _keys(item: ApiItem, top_level: bool) -> list[tuple[str, str]]:
    if top_level:
        return [(item.namespace, p) for p in item.paths]
    return [(item.namespace, item.name)]


class _Differ:
    def __init__(self, old: ApiSurface, new: ApiSurface) -> None:
        self.entries: list[DiffEntry] = []
        self.index = NewIndex(new.by_id.values())
        self.new_top = {item.item.item_id for item in new.top}
        self.old_at: dict[str, ApiItem] = {}  # new item id -> its same-path old item
        self.counterpart: dict[str, ApiItem] = {}  # old item id -> the new item it became
        self.matched_new: set[str] = set()  # new item ids paired with some old item
        self.renamed_names: dict[str, str] = {}  # old type/trait name -> new (for impls)

    # -- one level: the top level, or the members of one matched pair ------------------

    def compare(
        self,
        olds: list[ApiItem],
        news: list[ApiItem],
        owners: tuple[ApiItem | None, ApiItem | None],
    ) -> None:
        top_level = owners == (None, None)
        pairs, extra, old_left, new_left = _match_by_key(olds, news, top_level)
        for old, new in pairs:
            self._same(old, new, owners)
        for old, new in extra:
            self._same(old, new, owners, recurse=False)
        if top_level:
            moved, old_left, new_left = _match_moved(old_left, new_left)
            for old, new in moved:
                self._pair("moved", old, new, owners, _differences(old, new, moved=True))
        old_left, new_left = self._renames(old_left, new_left, owners)
        for old in old_left:
            self._removed(old, owners)
        for new in new_left:
            entry = self._entry("added", new.kind, new.name, owners, None, new)
            entry.members = _member_count(new)
            if new.provided is False:
                entry.details = ["required"]  # a new required trait method breaks implementors
            if new.deprecation:
                entry.evidence = new.deprecation.describe()

    def _same(
        self,
        old: ApiItem,
        new: ApiItem,
        owners: tuple[ApiItem | None, ApiItem | None],
        *,
        recurse: bool = True,
    ) -> None:
        self.old_at.setdefault(new.item.item_id, old)
        self.counterpart.setdefault(old.item.item_id, new)
        self.matched_new.add(new.item.item_id)
        details = _differences(old, new, moved=False)
        if owners != (None, None):
            # a member's paths follow its owner's: a moved owner is reported once, there
            details = [d for d in details if d != "paths"]
        if details:
            self._pair("changed", old, new, owners, details, recurse=recurse)
        elif old.item.raw.fingerprint != new.item.raw.fingerprint and new.kind in _BODY_KINDS:
            self._pair("body_changed", old, new, owners, ["body"], recurse=False)
        elif recurse:
            self._members(old, new)
        if new.deprecation is not None and old.deprecation is None:
            entry = self._entry("deprecated", new.kind, new.name, owners, old, new)
            entry.evidence = new.deprecation.describe()

    def _pair(
        self,
        change: ChangeKind,
        old: ApiItem,
        new: ApiItem,
        owners: tuple[ApiItem | None, ApiItem | None],
        details: list[str],
        *,
        recurse: bool = True,
        confidence: float = 1.0,
        evidence: str = "",
    ) -> None:
        self.counterpart.setdefault(old.item.item_id, new)
        self.matched_new.add(new.item.item_id)
        if change == "renamed" and owners == (None, None) and old.namespace == "type":
            self.renamed_names.setdefault(old.name, new.name)
        entry = self._entry(change, new.kind, new.name, owners, old, new)
        entry.details = details
        entry.confidence = confidence
        entry.evidence = evidence
        if recurse:
            self._members(old, new)

    def _members(self, old: ApiItem, new: ApiItem) -> None:
        if old.members or new.members:
            self.compare(old.members, new.members, (old, new))

    def _renames(
        self,
        olds: list[ApiItem],
        news: list[ApiItem],
        owners: tuple[ApiItem | None, ApiItem | None],
    ) -> tuple[list[ApiItem], list[ApiItem]]:
        unmatched = {n.item.item_id for n in news}
        verdicts: dict[int, tuple[ApiItem, float, str]] = {}
        claims: dict[str, int] = {}
        for old in olds:
            target = self._note_target(old, owners[1])
            verdict = None if target is None else self._note_verdict(old, target, unmatched)
            if target is not None and verdict is not None:
                verdicts[id(old)] = (target, *verdict)
                claims[target.item.item_id] = claims.get(target.item.item_id, 0) + 1
        taken: set[str] = set()
        left: list[ApiItem] = []
        for old in olds:
            found = verdicts.get(id(old))
            # A rename is one-to-one: several items whose notes name one successor were
            # replaced by it (clap's `_build`, `_build_all` → `build`), and `_removed`
            # lists the replacement.
            if found is None or claims[found[0].item.item_id] > 1:
                left.append(old)
                continue
            target, confidence, extra = found
            taken.add(target.item.item_id)
            evidence = old.deprecation.describe() if old.deprecation else ""
            details = ["name"] + [d for d in _differences(old, target, moved=True) if d != "paths"]
            self._pair(
                "renamed", old, target, owners, details,
                confidence=confidence, evidence=evidence + extra,
            )  # fmt: skip
        news = [n for n in news if n.item.item_id not in taken]
        renames = similar_renames(left, news)
        for rename in renames:
            details = ["name"] + [
                d for d in _differences(rename.old, rename.new, moved=True) if d != "paths"
            ]
            self._pair(
                "renamed", rename.old, rename.new, owners, details,
                confidence=rename.confidence, evidence=rename.evidence,
            )  # fmt: skip
        renamed_old = {id(r.old) for r in renames}
        renamed_new = {id(r.new) for r in renames}
        return (
            [o for o in left if id(o) not in renamed_old],
            [n for n in news if id(n) not in renamed_new],
        )

    def _note_verdict(
        self, old: ApiItem, target: ApiItem, unmatched: set[str]
    ) -> tuple[float, str] | None:
        """(confidence, extra evidence) when `old`'s note makes `target` its new name."""
        if offers_choice(old.deprecation.note if old.deprecation else None):
            return None
        if target.item.item_id in unmatched or self._was_alias(target):
            # new in this version, or standing where an alias stood (clap 3's `Command`
            # alias of `App`)
            return NOTE_CONFIDENCE, ""
        # The successor already existed: the old name was kept as a deprecated alias
        # (`Arg::hidden` → `Arg::hide`). A rename only when it is called the same way as
        # the successor was in the old version; otherwise the note names a replacement
        # with another API (`Arg::validator` → `Arg::value_parser`).
        before = self.old_at.get(target.item.item_id)
        if before is None or call_shape(before) != call_shape(old):
            return None
        return EXISTING_CONFIDENCE, f"; `{before.display_path}` already existed, called alike"

    def _was_alias(self, new: ApiItem) -> bool:
        before = self.old_at.get(new.item.item_id)
        return before is not None and before.kind == "type_alias"

    def _note_target(self, old: ApiItem, new_owner: ApiItem | None) -> ApiItem | None:
        """The item `old`'s deprecation note names: the first one of its kind family, under
        the counterpart of `old`'s owner (a top-level item for a top-level one)."""
        if old.deprecation is None:
            return None
        for target in note_targets(old.deprecation.note):
            for hit in self.index.resolve(target, old.namespace, new_owner):
                placed = (
                    any(m is hit for m in new_owner.members)
                    if new_owner is not None
                    else hit.item.item_id in self.new_top
                )
                if same_family(hit, old) and hit.name != old.name and placed:
                    return hit
        return None

    def _removed(self, old: ApiItem, owners: tuple[ApiItem | None, ApiItem | None]) -> None:
        entry = self._entry("removed", old.kind, old.name, owners, old, None)
        entry.members = _member_count(old)
        if old.deprecation is not None:
            entry.evidence = old.deprecation.describe()
            for target in note_targets(old.deprecation.note):
                hits = self.index.resolve(target, old.namespace, owners[1])
                for hit in hits[:1]:
                    if hit.display_path not in entry.replacements:
                        entry.replacements.append(hit.display_path)

    def _entry(
        self,
        change: ChangeKind,
        kind: str,
        name: str,
        owners: tuple[ApiItem | None, ApiItem | None],
        old: ApiItem | None,
        new: ApiItem | None,
    ) -> DiffEntry:
        owner = owners[1] if new is not None and owners[1] is not None else owners[0]
        entry = DiffEntry(
            change=change,
            kind=kind,
            name=name,
            owner=owner.display_path if owner is not None else None,
            old=Side.of(old) if old is not None else None,
            new=Side.of(new) if new is not None else None,
        )
        self.entries.append(entry)
        return entry


def _differences(old: ApiItem, new: ApiItem, *, moved: bool) -> list[str]:
    details: list[str] = []
    if old.kind != new.kind:
        details.append("kind")
    if old.signature != new.signature and not _masked_equal(old, new):
        details.append("signature")
    if old.provided is not None and new.provided is not None and old.provided != new.provided:
        # a trait method gained a default body (implementors may drop theirs) or lost it
        # (every implementor must now write it)
        details.append("provided" if new.provided else "required")
    if not moved and set(old.paths) - set(new.paths):
        details.append("paths")
    if moved:
        details.append("paths")
    return details


def _masked_equal(old: ApiItem, new: ApiItem) -> bool:
    # A renamed item's signature differs by its name only: that is the rename, not a change.
    return old.signature.replace(old.name, new.name, 1) == new.signature


def _match_by_key(
    olds: list[ApiItem], news: list[ApiItem], top_level: bool
) -> tuple[
    list[tuple[ApiItem, ApiItem]], list[tuple[ApiItem, ApiItem]], list[ApiItem], list[ApiItem]
]:
    """One-to-one pairs by shared key, then `extra` pairs for what is left over but still
    shares a key with a paired item: `#[cfg]` variants of one item (nom 4 defines some
    macros twice), or a new item taking over a path (clap 4's `type Error` alias at the
    path of clap 3's `Error` struct). Neither is an addition or a removal."""
    by_key: dict[tuple[str, str], list[int]] = {}
    for j, new in enumerate(news):
        for key in _keys(new, top_level):
            by_key.setdefault(key, []).append(j)
    taken: set[int] = set()
    pairs: list[tuple[ApiItem, ApiItem]] = []
    extra: list[tuple[ApiItem, ApiItem]] = []
    old_left: list[ApiItem] = []
    for old in olds:
        shared: dict[int, int] = {}
        for key in _keys(old, top_level):
            for j in by_key.get(key, []):
                shared[j] = shared.get(j, 0) + 1
        ranked = sorted(
            (j for j in shared if j not in taken),
            key=lambda j: (
                -shared[j],
                news[j].kind != old.kind,
                news[j].signature != old.signature,
            ),
        )
        if ranked:
            taken.add(ranked[0])
            pairs.append((old, news[ranked[0]]))
        elif shared:
            extra.append((old, news[max(shared, key=lambda j: shared[j])]))
        else:
            old_left.append(old)
    old_by_key: dict[tuple[str, str], ApiItem] = {}
    for old in olds:
        for key in _keys(old, top_level):
            old_by_key.setdefault(key, old)
    new_left: list[ApiItem] = []
    for j, new in enumerate(news):
        if j in taken:
            continue
        holder = next((old_by_key[k] for k in _keys(new, top_level) if k in old_by_key), None)
        if holder is not None:
            extra.append((holder, new))
        else:
            new_left.append(new)
    return pairs, extra, old_left, new_left


def _match_moved(
    olds: list[ApiItem], news: list[ApiItem]
) -> tuple[list[tuple[ApiItem, ApiItem]], list[ApiItem], list[ApiItem]]:
    by_signature: dict[tuple[str, str], list[ApiItem]] = {}
    by_fingerprint: dict[tuple[str, str], list[ApiItem]] = {}
    for new in news:
        by_signature.setdefault((new.kind, new.signature), []).append(new)
        by_fingerprint.setdefault((new.kind, new.item.raw.fingerprint), []).append(new)
    taken: set[str] = set()
    pairs: list[tuple[ApiItem, ApiItem]] = []
    left: list[ApiItem] = []
    for old in olds:
        candidates = [
            *by_signature.get((old.kind, old.signature), []),
            *by_fingerprint.get((old.kind, old.item.raw.fingerprint), []),
        ]
        candidates = [c for c in candidates if c.item.item_id not in taken and c.name == old.name]
        if not candidates:
            left.append(old)
            continue
        best = max(candidates, key=lambda c: _common_prefix(c.item.path, old.item.path))
        taken.add(best.item.item_id)
        pairs.append((old, best))
    return pairs, left, [n for n in news if n.item.item_id not in taken]


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a.split("::"), b.split("::"), strict=False):
        if x != y:
            break
        count += 1
    return count


def _order(entry: DiffEntry) -> tuple[int, str, str]:
    return (CHANGE_KINDS.index(entry.change), entry.owner or "", entry.path)


def diff_surfaces(
    old: ApiSurface,
    new: ApiSurface,
    impls: tuple[list[TraitImpl], list[TraitImpl]] = ([], []),
) -> list[DiffEntry]:
    """Every difference between two API surfaces and their trait impls (impls.py),
    grouped by change kind, then path."""
    differ = _Differ(old, new)
    differ.compare(old.top, new.top, (None, None))
    # impls last: their identity uses the new names of the types found renamed above
    removed = {e.old.item_id: e for e in differ.entries if e.change == "removed" and e.old}
    added = {e.new.item_id: e for e in differ.entries if e.change == "added" and e.new}
    old_alive = set(differ.counterpart)
    new_alive = differ.matched_new
    old_impls = fold_unmatched(impls[0], old_alive, removed)
    new_impls = fold_unmatched(impls[1], new_alive, added)
    entries = differ.entries + diff_impls(old_impls, new_impls, differ.renamed_names)
    return sorted(entries, key=_order)


def all_items(items: Iterable[ApiItem]) -> Iterable[ApiItem]:
    for item in items:
        yield item
        yield from all_items(item.members)
