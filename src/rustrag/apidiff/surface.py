"""The public API of one crate version, as the diff compares it.

A crate's items become `ApiItem`s: public items (reachable under at least one public
path) other than `impl`, `use` and `extern crate` (a re-export is not an item of its
own: the re-exported item already carries the path). Members (methods, fields,
variants, associated items) hang under their owner, so they are compared under their
owner's identity. Methods and associated items of trait impls are left out: they are
the trait's API, compared where the trait is declared; the impls themselves are compared
as (trait, self type) pairs by impls.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rustrag.model import Item

_SKIPPED_KINDS = frozenset({"impl", "use", "extern_crate"})
MEMBER_KINDS = frozenset({"method", "field", "variant", "assoc_const", "assoc_type"})

# Kinds in one namespace can replace each other under one path (clap 3's type alias
# `Command` became a struct in clap 4): identity is (namespace, path), not (kind, path).
_NAMESPACE = {
    "struct": "type",
    "enum": "type",
    "union": "type",
    "type_alias": "type",
    "trait": "type",
    "assoc_type": "type",
    "fn": "value",
    "const": "value",
    "static": "value",
    "method": "value",
    "assoc_const": "value",
    "mod": "mod",
    "macro_rules": "macro",
    "field": "field",
    "variant": "variant",
}

_DEPRECATED_ATTR = re.compile(
    r"(?:^|[\s,(])deprecated\b\s*(=\s*\"(?P<bare>(?:[^\"\\]|\\.)*)\"|\()?"
)
_SINCE = re.compile(r"since\s*=\s*\"((?:[^\"\\]|\\.)*)\"")
_NOTE = re.compile(r"note\s*=\s*\"((?:[^\"\\]|\\.)*)\"")


@dataclass(frozen=True, slots=True)
class Deprecation:
    since: str | None
    note: str | None

    def describe(self) -> str:
        since = f" since {self.since}" if self.since else ""
        note = f": {self.note}" if self.note else ""
        return f"deprecated{since}{note}"


@dataclass(slots=True)
class ApiItem:
    """One public item of one crate version."""

    item: Item
    namespace: str
    paths: tuple[str, ...]  # public paths, shortest first
    signature: str  # whitespace-normalised, without the leading `pub `
    deprecation: Deprecation | None
    members: list[ApiItem] = field(default_factory=list)
    # trait methods only: has a default body (see bodies.py); None when unknown
    provided: bool | None = None

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def display_path(self) -> str:
        return self.paths[0] if self.paths else self.item.path


@dataclass(slots=True)
class ApiSurface:
    crate_id: str
    top: list[ApiItem]  # items not owned by another API item
    by_id: dict[str, ApiItem]  # every ApiItem, members included


def normalise_signature(signature: str) -> str:
    """Whitespace collapsed, visibility dropped: the text a user's code depends on."""
    text = " ".join(signature.split())
    text = re.sub(r"\s*([(),<>\[\]:;&])\s*", r"\1", text)
    return re.sub(r"^pub(\([^)]*\))?\s*", "", text)


def deprecation_of(item: Item) -> Deprecation | None:
    """`#[deprecated]`, also behind `#[cfg_attr(feature = .., deprecated(..))]` (clap 3 puts
    every deprecation behind its `deprecated` feature, which parse keeps in `other`)."""
    attrs = item.raw.attrs
    if attrs.deprecated:
        return Deprecation(attrs.deprecated_since, attrs.deprecated_note)
    for text in attrs.other:
        if not text.startswith("cfg_attr"):
            continue
        match = _DEPRECATED_ATTR.search(text)
        if match is None:
            continue
        if match.group("bare") is not None:
            return Deprecation(None, _unescape(match.group("bare")))
        rest = text[match.end() :]
        since = _SINCE.search(rest)
        note = _NOTE.search(rest)
        return Deprecation(
            _unescape(since.group(1)) if since else None,
            _unescape(note.group(1)) if note else None,
        )
    return None


def _unescape(text: str) -> str:
    return " ".join(text.replace('\\"', '"').split())


def _path_order(path: str) -> tuple[int, str]:
    return (path.count("::"), path)


def _is_api(item: Item, by_id: dict[str, Item]) -> bool:
    if not item.public or not item.paths or item.kind in _SKIPPED_KINDS:
        return False
    parent = by_id.get(item.parent_id) if item.parent_id else None
    return not (parent is not None and parent.kind == "impl" and parent.raw.impl_trait)


def build_surface(crate_id: str, items: list[Item]) -> ApiSurface:
    by_item_id = {i.item_id: i for i in items}
    api: dict[str, ApiItem] = {}
    for item in items:
        if _is_api(item, by_item_id):
            api[item.item_id] = ApiItem(
                item=item,
                namespace=_NAMESPACE.get(item.kind, item.kind),
                paths=tuple(sorted(item.paths, key=_path_order)),
                signature=normalise_signature(item.raw.signature),
                deprecation=deprecation_of(item),
            )
    # A member's owner is the API item at its canonical path minus the last segment: for
    # a method that is the impl's self type, which `parent_id` (the impl) does not give.
    by_canonical: dict[str, ApiItem] = {}
    for entry in api.values():
        if entry.kind not in MEMBER_KINDS or entry.kind == "variant":
            by_canonical.setdefault(entry.item.path, entry)
    for entry in api.values():
        if entry.kind == "variant":
            by_canonical.setdefault(entry.item.path, entry)
    top: list[ApiItem] = []
    for entry in sorted(api.values(), key=lambda e: (e.item.file, e.item.raw.line_start)):
        owner = None
        if entry.kind in MEMBER_KINDS:
            owner = by_canonical.get(entry.item.path.rpartition("::")[0])
        if owner is not None and owner is not entry:
            owner.members.append(entry)
        else:
            top.append(entry)
    return ApiSurface(crate_id=crate_id, top=top, by_id=api)
