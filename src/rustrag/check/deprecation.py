"""Deprecation facts of an item: `#[deprecated]`, and the feature-gated form
`#[cfg_attr(feature = "deprecated", deprecated(..))]` clap 4 uses for its clap 3 names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rustrag.model import Item

_GATED = re.compile(r"^cfg_attr\((?P<cfg>.*?),\s*deprecated\s*(\((?P<args>.*)\))?\s*\)$", re.S)
_ARG = re.compile(r'(?P<key>since|note)\s*=\s*"(?P<value>(?:[^"\\]|\\.)*)"')


@dataclass(slots=True)
class Deprecation:
    since: str | None
    note: str | None
    gate: str | None  # the cfg under which the attribute applies, for the gated form


def deprecation_of(item: Item) -> Deprecation | None:
    attrs = item.raw.attrs
    if attrs.deprecated:
        return Deprecation(attrs.deprecated_since, attrs.deprecated_note, None)
    for text in attrs.other:
        match = _GATED.match(text.strip())
        if match is None:
            continue
        values = {m["key"]: m["value"] for m in _ARG.finditer(match["args"] or "")}
        return Deprecation(values.get("since"), values.get("note"), match["cfg"].strip())
    return None


def describe(subject: str, label: str, deprecation: Deprecation) -> str:
    since = f" since {deprecation.since}" if deprecation.since else ""
    gate = f" (under `{deprecation.gate}`)" if deprecation.gate else ""
    note = f": {deprecation.note}" if deprecation.note else ""
    return f"`{subject}` is deprecated{since} in {label}{gate}{note}"
