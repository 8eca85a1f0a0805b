"""The result of comparing two versions of a crate's public API, and its JSON form.

JSON schema (`ApiDiff.to_json`, schema "rustrag.apidiff/1"; every key always present):

    {
      "schema": "rustrag.apidiff/1",
      "old": {"crate_id": "clap@3.2.23", "name": "clap", "version": "3.2.23",
              "root": "/usr/share/cargo/registry/clap-3.2.23", "key": "<content digest>"},
      "new": {... the same for the newer side ...},
      "summary": {"added": 12, "removed": 40, "changed": 7, "body_changed": 30,
                  "moved": 2, "renamed": 3, "deprecated": 5},
      "entries": [
        {
          "change": "removed" | "added" | "changed" | "body_changed" | "moved" |
                    "renamed" | "deprecated",
          "kind": "struct",              # the new side's kind when there is one
          "name": "App",
          "owner": "clap::Arg" | null,   # display path of the owning type/trait (members)
          "old": SIDE | null,            # null for "added"
          "new": SIDE | null,            # null for "removed"
          "details": ["signature", "kind", "paths"],  # what differs ("changed", moves);
                                         # trait methods: "required" / "provided" (also
                                         # on an added one); impls: "bounds", "assoc_types"
          "confidence": 1.0,             # < 1 for renames: 0.9 by deprecation note onto a
                                         # new item, 0.8 onto one that already existed,
                                         # below 0.85 by similarity
          "evidence": "deprecated since 3.1.0: Replaced with `Command`" | "",
          "replacements": ["clap::Command"],  # paths named by the old deprecation note
          "members": 0                   # members (methods, fields..) of an added/removed
        }                                #   item, not listed one by one
      ]
    }

    SIDE = {"item_id", "kind", "path" (shortest public path), "paths" (all public paths),
            "signature" (whitespace collapsed), "file" (relative to the crate root),
            "line" (1-based), "deprecated": {"since", "note"} | null}

Trait impls (impls.py) are entries of kind "impl" named "impl Trait for Type" as written;
their SIDE has that name as "path", no "paths", the impl header (or "#[derive(Trait)]")
as "signature", and for a derive the item id "<type id>|derive|<Trait>", which is no
stored item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from rustrag.apidiff.surface import ApiItem

SCHEMA = "rustrag.apidiff/1"

ChangeKind = Literal[
    "removed", "added", "changed", "body_changed", "moved", "renamed", "deprecated"
]
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "removed",
    "renamed",
    "moved",
    "changed",
    "deprecated",
    "added",
    "body_changed",
)


@dataclass(slots=True)
class Side:
    """One version's view of an item in a diff entry."""

    item_id: str
    kind: str
    path: str
    paths: list[str]
    signature: str
    file: str
    line: int
    deprecated_since: str | None = None
    deprecated_note: str | None = None
    is_deprecated: bool = False

    @classmethod
    def of(cls, api: ApiItem) -> Side:
        dep = api.deprecation
        return cls(
            item_id=api.item.item_id,
            kind=api.kind,
            path=api.display_path,
            paths=list(api.paths),
            signature=" ".join(api.item.raw.signature.split()),
            file=api.item.file,
            line=api.item.raw.line_start,
            deprecated_since=dep.since if dep else None,
            deprecated_note=dep.note if dep else None,
            is_deprecated=dep is not None,
        )

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        deprecated = (
            {"since": self.deprecated_since, "note": self.deprecated_note}
            if self.is_deprecated
            else None
        )
        return {
            "item_id": self.item_id,
            "kind": self.kind,
            "path": self.path,
            "paths": self.paths,
            "signature": self.signature,
            "file": self.file,
            "line": self.line,
            "deprecated": deprecated,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Side:
        deprecated = data["deprecated"]
        return cls(
            item_id=data["item_id"],
            kind=data["kind"],
            path=data["path"],
            paths=list(data["paths"]),
            signature=data["signature"],
            file=data["file"],
            line=int(data["line"]),
            deprecated_since=deprecated["since"] if deprecated else None,
            deprecated_note=deprecated["note"] if deprecated else None,
            is_deprecated=deprecated is not None,
        )


@dataclass(slots=True)
class DiffEntry:
    change: ChangeKind
    kind: str
    name: str
    owner: str | None
    old: Side | None
    new: Side | None
    details: list[str] = field(default_factory=list)
    confidence: float = 1.0
    evidence: str = ""
    replacements: list[str] = field(default_factory=list)
    members: int = 0

    @property
    def path(self) -> str:
        side = self.new if self.new is not None else self.old
        return side.path if side is not None else self.name

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "kind": self.kind,
            "name": self.name,
            "owner": self.owner,
            "old": self.old.to_json() if self.old else None,
            "new": self.new.to_json() if self.new else None,
            "details": self.details,
            "confidence": round(self.confidence, 3),
            "evidence": self.evidence,
            "replacements": self.replacements,
            "members": self.members,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DiffEntry:
        return cls(
            change=data["change"],
            kind=data["kind"],
            name=data["name"],
            owner=data["owner"],
            old=Side.from_json(data["old"]) if data["old"] else None,
            new=Side.from_json(data["new"]) if data["new"] else None,
            details=list(data["details"]),
            confidence=float(data["confidence"]),
            evidence=data["evidence"],
            replacements=list(data["replacements"]),
            members=int(data["members"]),
        )


@dataclass(slots=True)
class CrateVersion:
    crate_id: str
    name: str
    version: str
    root: str
    key: str  # content digest of the indexed sources (see queries.content_key)

    def to_json(self) -> dict[str, Any]:
        return {
            "crate_id": self.crate_id,
            "name": self.name,
            "version": self.version,
            "root": self.root,
            "key": self.key,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrateVersion:
        return cls(**{k: str(data[k]) for k in ("crate_id", "name", "version", "root", "key")})


@dataclass(slots=True)
class ApiDiff:
    old: CrateVersion
    new: CrateVersion
    entries: list[DiffEntry]

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {kind: 0 for kind in CHANGE_KINDS}
        for entry in self.entries:
            counts[entry.change] += 1
        return counts

    def of_change(self, change: ChangeKind) -> list[DiffEntry]:
        return [e for e in self.entries if e.change == change]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "summary": self.summary(),
            "entries": [e.to_json() for e in self.entries],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApiDiff:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} document")
        return cls(
            old=CrateVersion.from_json(data["old"]),
            new=CrateVersion.from_json(data["new"]),
            entries=[DiffEntry.from_json(e) for e in data["entries"]],
        )
