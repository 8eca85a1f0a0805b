"""Typed access to the parts of rustdoc's JSON this check reads.

Layout (format_version 57, rustc 1.95): `root` is the crate root module's id, `index` maps
id -> item for the local crate (crate_id 0) plus foreign items it mentions, `paths` maps
id -> {crate_id, path, kind} for everything nameable. An item's `inner` has one key, its
kind ("function", "struct", "use", ...), whose value holds the kind's details.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOCAL_CRATE = 0
SUPPORTED_FORMATS = range(50, 70)  # checked against 57; fail loudly when far off

JsonItem = dict[str, Any]


class FormatError(ValueError):
    """The JSON is not rustdoc output this module understands."""


@dataclass(frozen=True, slots=True)
class Span:
    filename: str  # absolute, as rustc saw it
    begin: tuple[int, int]  # 1-based line, 1-based column
    end: tuple[int, int]  # 1-based line (inclusive), column (exclusive)


class RustdocCrate:
    """One rustdoc JSON document."""

    def __init__(self, doc: dict[str, Any]) -> None:
        version = doc.get("format_version")
        if not isinstance(version, int) or version not in SUPPORTED_FORMATS:
            raise FormatError(f"unsupported rustdoc format_version {version!r}")
        self.format_version = version
        self.index: dict[str, JsonItem] = doc["index"]
        self.paths: dict[str, dict[str, Any]] = doc.get("paths", {})
        self.external_crates: dict[str, dict[str, Any]] = doc.get("external_crates", {})
        self.root_id = str(doc["root"])
        self.crate_name = str(self.index[self.root_id]["name"])

    @classmethod
    def load(cls, path: Path) -> RustdocCrate:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def item(self, item_id: object) -> JsonItem | None:
        return None if item_id is None else self.index.get(str(item_id))

    def is_local(self, item_id: object) -> bool:
        found = self.item(item_id)
        if found is not None:
            return bool(found["crate_id"] == LOCAL_CRATE)
        summary = self.paths.get(str(item_id))
        return summary is not None and summary["crate_id"] == LOCAL_CRATE

    def local_items(self) -> list[tuple[str, JsonItem]]:
        return [(i, it) for i, it in self.index.items() if it["crate_id"] == LOCAL_CRATE]

    def foreign_name(self, item_id: object) -> str:
        """A readable path for a foreign item: "proc_macro2::Span"."""
        summary = self.paths.get(str(item_id))
        return "::".join(summary["path"]) if summary else f"<foreign #{item_id}>"


def kind_of(item: JsonItem) -> str:
    inner = item["inner"]
    return next(iter(inner)) if isinstance(inner, dict) else str(inner)


def details(item: JsonItem) -> dict[str, Any]:
    inner = item["inner"]
    if isinstance(inner, dict):
        value = next(iter(inner.values()))
        return value if isinstance(value, dict) else {"value": value}
    return {}


def span_of(item: JsonItem) -> Span | None:
    span = item.get("span")
    if not span:
        return None
    begin, end = span["begin"], span["end"]
    return Span(str(span["filename"]), (int(begin[0]), int(begin[1])), (int(end[0]), int(end[1])))


def attr_texts(item: JsonItem) -> list[str]:
    """Attributes as text; their JSON shape varies (bare strings, {"other": "#[..]"})."""
    texts: list[str] = []
    for attr in item.get("attrs", []):
        if isinstance(attr, str):
            texts.append(attr)
        else:
            texts.append(json.dumps(attr))
    return texts


def is_public(item: JsonItem) -> bool:
    return item.get("visibility") == "public"


def struct_fields(item: JsonItem) -> list[Any]:
    """Field ids of a struct, union or variant (tuple fields may be None when stripped)."""
    body = details(item)
    kind = body.get("kind")
    if "fields" in body:  # union
        return list(body["fields"])
    if isinstance(kind, dict):
        if "plain" in kind:
            return list(kind["plain"]["fields"])
        if "struct" in kind:
            return list(kind["struct"]["fields"])
        if "tuple" in kind:
            return [f for f in kind["tuple"] if f is not None]
    return []
