"""Outdated name → current item: never answer with a stale item as if it were current.

"Current" is, per crate name, the version the project uses most directly, the newest
among equals (`deps.scope.preferred_versions`, the rule search and `--crate NAME` use).
A caller can pin a version with `crate="NAME@VERSION"`.

A name missing from the current version is looked up in the other indexed versions of
the crate; when found, the API diff from that version to the current one says what
became of it (renamed, moved, removed, or only in a newer version) and gives the
replacement with its evidence.

The diffs an explanation needs are kept per index folder and version pair for as long as
the store's commit sequence is unchanged (`_diff`): checking the cached diff's content
key re-reads both crates' file lists (4 store calls, ~9 ms on clap), which every
outdated-name query paid; one meta read says whether anything was committed since.
"""

from __future__ import annotations

import difflib
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from rustrag.apidiff.diff import diff_crates
from rustrag.apidiff.entries import ApiDiff, DiffEntry
from rustrag.discover.semver import version_order
from rustrag.store.records import ItemMatch
from rustrag.store.schema import META_COMMIT_SEQ

if TYPE_CHECKING:
    from rustrag.api import ItemView, Workspace

StaleStatus = Literal["removed", "renamed", "moved", "newer_only"]
_IMPORT_KINDS = ("use", "extern_crate")
_CHANGE_PREFERENCE = ("renamed", "moved", "changed", "removed", "body_changed", "deprecated")


@dataclass(slots=True)
class StaleInfo:
    """What became of an item the query named, which the current version lacks."""

    status: StaleStatus
    query: str
    stale: ItemView  # the item in the version that has it (never the current one)
    current_crate: str  # crate id taken as current
    replacement: ItemView | None  # what to use instead, in the current version
    alternatives: list[ItemView] = field(default_factory=list)  # similar current names
    evidence: str = ""
    entry: DiffEntry | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "query": self.query,
            "stale": self.stale.to_json(),
            "current_crate": self.current_crate,
            "replacement": self.replacement.to_json() if self.replacement else None,
            "alternatives": [a.to_json() for a in self.alternatives],
            "evidence": self.evidence,
            "diff_entry": self.entry.to_json() if self.entry else None,
        }


@dataclass(slots=True)
class Resolution:
    """`Workspace.lookup_current`: the current item for a name, or why there is none."""

    query: str
    status: Literal["current", "removed", "renamed", "moved", "newer_only"]
    item: ItemView | None  # the item to use now: the direct hit or the replacement
    stale: StaleInfo | None  # set whenever the name is not current

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "status": self.status,
            "item": self.item.to_json() if self.item else None,
            "stale": self.stale.to_json() if self.stale else None,
        }


_DIFFS_MAX = 16  # version pairs remembered (a diff is a few MB at most)
_DIFFS: OrderedDict[tuple[str, str, str], tuple[str | None, ApiDiff]] = OrderedDict()
_DIFFS_LOCK = threading.Lock()


def _diff(ws: Workspace, old_id: str, new_id: str) -> ApiDiff:
    """`diff_crates`, remembered until the next commit to the index. Every write of a
    crate's rows (and every attach or drop of one) bumps the commit sequence in the same
    transaction, so an unchanged sequence means unchanged crates and content keys."""
    key = (str(ws.index_dir), old_id, new_id)
    seq = ws.store.get_meta(META_COMMIT_SEQ)
    with _DIFFS_LOCK:
        found = _DIFFS.get(key)
        if found is not None and found[0] == seq:
            _DIFFS.move_to_end(key)
            return found[1]
    diff = diff_crates(ws.store, old_id, new_id)
    with _DIFFS_LOCK:
        _DIFFS[key] = (seq, diff)
        _DIFFS.move_to_end(key)
        while len(_DIFFS) > _DIFFS_MAX:
            _DIFFS.popitem(last=False)
    return diff


def versions_of(ws: Workspace, name: str) -> list[str]:
    """Indexed crate ids of one crate name (package or extern name), oldest first."""
    found = [c.crate for c in ws.crates().values() if name in (c.crate.name, c.crate.extern_name)]
    return [c.crate_id for c in sorted(found, key=lambda c: version_order(c.version))]


def is_current(ws: Workspace, crate_id: str) -> bool:
    stored = ws.crates().get(crate_id)
    return stored is None or ws.current_versions().get(stored.crate.name) == crate_id


def _crate_names(ws: Workspace, text: str, crate: str | None) -> list[str]:
    if crate is not None:
        stored = ws.crates().get(crate)
        return [stored.crate.name if stored else crate.partition("@")[0]]
    first = text.split("::")[0]
    named = [
        c.crate.name for c in ws.crates().values() if first in (c.crate.name, c.crate.extern_name)
    ]
    if named:
        return sorted(set(named))
    return sorted({c.crate.name for c in ws.crates().values()})


def _private_ok(ws: Workspace, crate_id: str) -> bool:
    """Whether code can use the crate's private items: only the project's own members. A
    crate indexed at several versions is a library being compared, even when its folder
    was indexed as a workspace of its own (as Debian's crate folders are)."""
    stored = ws.crates().get(crate_id)
    if stored is None or stored.crate.source != "workspace":
        return False
    return len(versions_of(ws, stored.crate.name)) == 1


def _usable(ws: Workspace, text: str, crate_id: str) -> list[ItemMatch]:
    """Definitions under `text` in one crate that its users can name (public, unless the
    crate is a workspace member, whose private items its own code can use)."""
    member = _private_ok(ws, crate_id)
    hits = ws.store.find_items(text, crate_id=crate_id, limit=20)
    return [h for h in hits if h.item.kind not in _IMPORT_KINDS and (member or h.item.public)]


def lookup_current(
    ws: Workspace,
    query: str,
    crate: str | None = None,
    *,
    named_in: Collection[str] | None = None,
) -> Resolution:
    """The current item for `query`; see the module docstring. Raises api.NotFound.

    `named_in`: the crate ids where the store's name lookup found anything for `query`,
    when the caller already made that lookup without a crate filter and saw every match
    (search does); the other crates are then not asked again, one store call each."""
    from rustrag.api import NotFound

    text = query.strip().removeprefix("::").removesuffix("!")
    pinned = crate if crate is not None and crate in ws.crates() else None
    names = _crate_names(ws, text, crate)
    current = ws.current_versions()

    def usable(crate_id: str) -> list[ItemMatch]:
        if named_in is not None and crate_id not in named_in:
            return []
        return _usable(ws, text, crate_id)

    for name in names:
        current_id = pinned or current.get(name)
        if current_id is None:
            continue
        hits = usable(current_id)
        if hits:
            return Resolution(query, "current", ws.view(hits[0].item), None)
    for name in names:
        current_id = pinned or current.get(name)
        if current_id is None:
            continue
        for other_id in reversed(versions_of(ws, name)):
            if other_id == current_id:
                continue
            hits = usable(other_id)
            if hits:
                info = explain(ws, hits[0], current_id, query)
                return Resolution(query, info.status, info.replacement, info)
    scope = f" in {crate}" if crate else ""
    raise NotFound(
        f"nothing public named `{query}`{scope} in any indexed version; "
        "try a shorter path suffix, or index the crate version you mean"
    )


def explain(ws: Workspace, match: ItemMatch, current_id: str, query: str) -> StaleInfo:
    """What became of `match` (an item of a non-current version) in `current_id`."""
    item = match.item
    stale = ws.view(item)
    current_version = current_id.partition("@")[2]
    if version_order(stale.version) > version_order(current_version):
        diff = _diff(ws, current_id, item.crate_id)
        entry = _entry_for(diff, item.item_id, side="new")
        replacement = None
        if entry is not None and entry.change in ("renamed", "moved") and entry.old:
            replacement = _view_id(ws, entry.old.item_id)
        evidence = (
            f"`{match.matched_path}` exists only in {stale.label}, newer than {current_id} "
            "which is current; "
            + (
                f"in {current_id} it is `{replacement.item.path}`"
                if replacement
                else "do not use it"
            )
        )
        return StaleInfo("newer_only", query, stale, current_id, replacement, [], evidence, entry)
    diff = _diff(ws, item.crate_id, current_id)
    entry = _entry_for(diff, item.item_id, side="old")
    if entry is None and item.kind in ("method", "field", "variant", "assoc_const", "assoc_type"):
        via_owner = _through_owner(ws, match, current_id, query)
        if via_owner is not None:
            return via_owner
    return _from_entry(ws, diff, entry, stale, current_id, query)


def _from_entry(
    ws: Workspace,
    diff: ApiDiff,
    entry: DiffEntry | None,
    stale: ItemView,
    current_id: str,
    query: str,
) -> StaleInfo:
    old_label = f"{stale.crate} {stale.version}"
    new_label = f"{diff.new.name} {diff.new.version}"
    was = f"was `{stale.item.paths[0] if stale.item.paths else stale.item.path}` in {old_label}"
    if entry is not None and entry.new is not None and entry.change != "deprecated":
        replacement = _view_id(ws, entry.new.item_id)
        status: StaleStatus = "renamed" if entry.change == "renamed" else "moved"
        verb = "renamed to" if status == "renamed" else "now at"
        evidence = f"{verb} `{entry.new.path}` in {new_label}, {was}"
        if entry.evidence:
            evidence += f"; {entry.evidence}"
        return StaleInfo(status, query, stale, current_id, replacement, [], evidence, entry)
    replacement = None
    if entry is not None:
        for path in entry.replacements:
            replacement = replacement or _first(ws, path, current_id)
    alternatives = _similar(ws, diff, stale, current_id)
    evidence = f"removed in {new_label}, {was}"
    if entry is not None and entry.evidence:
        evidence += f"; {entry.evidence}"
    if replacement is not None:
        evidence += f"; replacement: `{replacement.item.path}`"
    return StaleInfo(
        "removed", query, stale, current_id, replacement, alternatives, evidence, entry
    )


def _through_owner(
    ws: Workspace, match: ItemMatch, current_id: str, query: str
) -> StaleInfo | None:
    """A member of a renamed or moved owner: `App::new` → `Command::new`."""
    owner_path, _, member = match.matched_path.rpartition("::")
    if not owner_path:
        owner_path, _, member = match.item.path.rpartition("::")
    owners = _usable(ws, owner_path, match.item.crate_id)
    if not owners:
        return None
    owner_info = explain(ws, owners[0], current_id, owner_path)
    if owner_info.replacement is None:
        return None
    new_path = f"{owner_info.replacement.item.path}::{member}"
    hits = _usable(ws, new_path, current_id)
    if not hits:
        return None
    evidence = (
        f"`{owner_info.stale.item.path}` {owner_info.status}: {owner_info.evidence}; "
        f"its member `{member}` is `{new_path}`"
    )
    return StaleInfo(
        owner_info.status, query, ws.view(match.item), current_id,
        ws.view(hits[0].item), [], evidence, owner_info.entry,
    )  # fmt: skip


def _entry_for(diff: ApiDiff, item_id: str, side: Literal["old", "new"]) -> DiffEntry | None:
    found = [
        e
        for e in diff.entries
        if (e.old if side == "old" else e.new) is not None
        and (e.old if side == "old" else e.new).item_id == item_id  # type: ignore[union-attr]
    ]
    found.sort(
        key=lambda e: _CHANGE_PREFERENCE.index(e.change) if e.change in _CHANGE_PREFERENCE else 99
    )
    return found[0] if found else None


def _similar(ws: Workspace, diff: ApiDiff, stale: ItemView, current_id: str) -> list[ItemView]:
    """Current items near the stale one by name: additions of the same kind first."""
    name = stale.item.name
    pool: dict[str, str] = {}
    for entry in diff.entries:
        new = entry.new
        if new is not None and entry.change in ("added", "renamed") and new.kind == stale.item.kind:
            pool.setdefault(new.path.rpartition("::")[2], new.item_id)
    close = difflib.get_close_matches(name, list(pool), n=3, cutoff=0.6)
    views = [_view_id(ws, pool[c]) for c in close]
    return [v for v in views if v is not None]


def _first(ws: Workspace, path: str, crate_id: str) -> ItemView | None:
    hits = _usable(ws, path, crate_id)
    return ws.view(hits[0].item) if hits else None


def _view_id(ws: Workspace, item_id: str) -> ItemView | None:
    item = ws.store.item(item_id)
    return ws.view(item) if item is not None else None


def current_for_show(
    ws: Workspace, best: ItemView, query: str, crate: str | None
) -> tuple[ItemView, StaleInfo | None]:
    """For `Workspace.show`: the item to show for `query`, given the best match `best`,
    and why it replaces `best` when `best` is stale. A caller who pinned a version
    (`crate="NAME@VERSION"`) gets `best` as it is."""
    from rustrag.api import NotFound

    if crate is not None and "@" in crate:
        return best, None
    usable = best.item.public or _private_ok(ws, best.item.crate_id)
    # a private item of a dependency (clap 4's `pub(crate) enum AppSettings`) is no more
    # usable than a removed one: look for what became of the public one
    if usable and is_current(ws, best.item.crate_id):
        return best, None
    try:
        resolution = lookup_current(ws, query, crate=best.crate)
    except NotFound:
        return best, None
    if resolution.stale is None:
        return resolution.item or best, None
    return resolution.item or resolution.stale.stale, resolution.stale
