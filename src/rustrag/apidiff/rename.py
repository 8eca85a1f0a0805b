"""Best-effort rename detection: deprecation notes first, similarity second.

A removed item whose `#[deprecated]` note (in the OLD version) names a successor
("Replaced with `Command`", "renamed to `foo`", "use `bar` instead") is renamed to that
successor when the note resolves to one item of the same kind family under the same owner
(see `compare._Differ._renames` for the one-to-one rule and successors that already
existed); otherwise the named paths become the removed entry's replacements. Without a
note, removed and added items of the same kind in the same scope pair up when their
signatures (name masked), docs and names are similar enough; the confidence says how
similar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from rustrag.apidiff.surface import ApiItem

NOTE_CONFIDENCE = 0.9
# The note names an item the old version already had (`Arg::hidden` → `Arg::hide`): the
# old name was a deprecated alias, which is a rename for a user, but only the note and an
# identical call shape say so.
EXISTING_CONFIDENCE = 0.8
MIN_SIMILARITY = 0.8
# Past this many candidate pairs per kind, compare only items of the same module: the
# ratio costs ~20 µs a pair and a big crate's removals would otherwise go quadratic.
_MAX_PAIRS = 20_000

_BACKTICKED = re.compile(r"`([^`]+)`")
# An opening backtick is allowed: clap 3 writes "Replaced with `CommandFactory::command"
# with the closing one missing, which `_BACKTICKED` cannot see.
_PROSE = re.compile(
    r"(?:renamed to|replaced (?:with|by)|use|in favou?r of|see)\s+`?"
    r"([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)",
    re.IGNORECASE,
)
# "Replaced with `A` or `B`", "either `A`, `B`": the note offers a choice, not a successor.
_ALTERNATIVES = re.compile(r"\beither\b|`[^`]*`\s*(?:,|\bor\b)\s*(?:with\s+)?`", re.IGNORECASE)
# Parameter names (after `(` or `,`) and `mut` bindings, which a caller never sees.
_PARAM_NAME = re.compile(r"(?<=[(,])(?:mut )?[A-Za-z_][A-Za-z0-9_]*:(?!:)|(?<=[(,])mut (?=self)")
_LIFETIME = re.compile(r"'[A-Za-z_][A-Za-z0-9_]*")
# Kinds one name can be renamed across: a struct may become an enum, a fn never a macro.
_FAMILY = {
    "struct": "type",
    "enum": "type",
    "union": "type",
    "type_alias": "type",
    "fn": "fn",
    "method": "fn",
    "const": "const",
    "static": "const",
    "assoc_const": "const",
}
_IDENT_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*$")


@dataclass(slots=True)
class Rename:
    old: ApiItem
    new: ApiItem
    confidence: float
    evidence: str


def note_targets(note: str | None) -> list[str]:
    """Paths a deprecation note names, in order: "`Command`" and "Arg::action()" style."""
    if not note:
        return []
    found: list[str] = []
    for raw in [*_BACKTICKED.findall(note), *_PROSE.findall(note)]:
        text = raw.strip().removeprefix("crate::").removeprefix("Self::").removeprefix("self.")
        text = re.sub(r"<[^<>]*>", "", text)  # generics
        text = re.sub(r"\(.*$", "", text).rstrip("!").strip()  # call syntax, macro bang
        if _IDENT_PATH.match(text) and text not in found and text not in ("use", "Use"):
            found.append(text)
    return found


def offers_choice(note: str | None) -> bool:
    """Whether a deprecation note names alternatives rather than one successor."""
    return bool(note) and _ALTERNATIVES.search(note or "") is not None


def same_family(a: ApiItem, b: ApiItem) -> bool:
    return a.namespace == b.namespace and _FAMILY.get(a.kind, a.kind) == _FAMILY.get(b.kind, b.kind)


def call_shape(item: ApiItem) -> str:
    """The signature as a caller sees it: name, parameter names, `mut` bindings and
    lifetime names masked."""
    return _LIFETIME.sub("'_", _PARAM_NAME.sub("", _masked(item)))


class NewIndex:
    """The new version's API items by path suffix, to resolve names a note mentions."""

    def __init__(self, items: Iterable[ApiItem]) -> None:
        self._by_last: dict[str, list[ApiItem]] = {}
        for item in items:
            self._by_last.setdefault(item.name, []).append(item)

    def resolve(self, target: str, namespace: str, owner: ApiItem | None) -> list[ApiItem]:
        """Items whose public path ends with `target`; members of `owner` first."""
        last = target.rpartition("::")[2]
        candidates = self._by_last.get(last, [])
        if owner is not None:
            owned = [c for c in owner.members if c.name == last]
            if owned:
                return owned
        suffix = "::" + target
        hits = [c for c in candidates if any(p == target or p.endswith(suffix) for p in c.paths)]
        return sorted(hits, key=lambda c: (c.namespace != namespace, len(c.display_path)))


def _masked(item: ApiItem) -> str:
    return re.sub(rf"\b{re.escape(item.name)}\b", "_", item.signature)


def _ratio(a: str, b: str) -> float:
    if not a and not b:
        return 0.5  # two undocumented items say nothing about each other
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return 0.0
    return matcher.ratio()


def _module_of(item: ApiItem) -> str:
    return item.item.path.rpartition("::")[0]


def similar_renames(removed: list[ApiItem], added: list[ApiItem]) -> list[Rename]:
    """Pairs of (removed, added) items of the same kind that look like one item renamed."""
    scored: list[tuple[float, int, int, str]] = []
    by_kind: dict[str, list[int]] = {}
    for j, new in enumerate(added):
        by_kind.setdefault(new.kind, []).append(j)
    for i, old in enumerate(removed):
        candidates = by_kind.get(old.kind, [])
        if len(candidates) * len(removed) > _MAX_PAIRS:
            candidates = [j for j in candidates if _module_of(added[j]) == _module_of(old)]
        masked_old = _masked(old)
        for j in candidates:
            new = added[j]
            sig = _ratio(masked_old, _masked(new))
            if sig < 0.8:
                continue
            same_body = old.item.raw.fingerprint == new.item.raw.fingerprint
            docs = 1.0 if same_body else _ratio(old.item.raw.docs, new.item.raw.docs)
            if docs < 0.8:
                continue  # builder getters share signatures and doc templates: docs decide
            name = SequenceMatcher(None, old.name, new.name).ratio()
            score = 0.4 * sig + 0.4 * docs + 0.2 * name
            if score >= MIN_SIMILARITY:
                evidence = f"signature {sig:.0%} similar, docs {docs:.0%} similar"
                scored.append((score, i, j, evidence))
    renames: list[Rename] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for score, i, j, evidence in sorted(scored, key=lambda s: -s[0]):
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        renames.append(Rename(removed[i], added[j], min(score, NOTE_CONFIDENCE - 0.05), evidence))
    return renames
