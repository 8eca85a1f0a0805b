"""The compiler's view of one crate: its local items, where they are, their public paths.

Built from rustdoc JSON (see rustdoc_json.py for the layout). What rustdoc synthesises is
left out, because no source text holds it: auto-trait and blanket impls (`is_synthetic`,
`blanket_impl`), derive-generated impls (`automatically_derived`) and the items inside
them, and the crate root module (rustrag has no `mod` item for it).

    python -m benchmarks.rustdoc_check.truth semver-1.0.14   # prints the summary
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .classify import Placement, SourceFiles, classify, module_declaration
from .public_paths import PublicPathWalker
from .rustdoc_json import (
    JsonItem,
    RustdocCrate,
    attr_texts,
    details,
    kind_of,
    span_of,
    struct_fields,
)

# rustdoc kind -> rustrag kind; "function" is decided by where it sits (fn or method).
KIND_MAP = {
    "module": "mod",
    "struct": "struct",
    "enum": "enum",
    "union": "union",
    "trait": "trait",
    "impl": "impl",
    "constant": "const",
    "static": "static",
    "type_alias": "type_alias",
    "macro": "macro_rules",
    "use": "use",
    "extern_crate": "extern_crate",
    "struct_field": "field",
    "variant": "variant",
    "assoc_const": "assoc_const",
    "assoc_type": "assoc_type",
}
# Kinds that have a path of their own (impls and use items are nameless places).
PATH_KINDS = frozenset(KIND_MAP.values()) - {"impl", "use", "extern_crate"} | {"fn", "method"}


@dataclass(slots=True)
class TruthItem:
    rustdoc_id: str
    kind: str
    name: str
    def_path: str | None  # where it is defined: "syn::expr::ExprBinary"
    file: str | None  # relative to the crate root; None when outside it
    line_start: int
    line_end: int
    klass: str  # "plain" | "macro" | "generated" (see classify.py)
    reason: str
    paths: list[str] = field(default_factory=list)  # public paths, sorted
    doc_hidden: bool = False


@dataclass(slots=True)
class Truth:
    crate: str  # "syn-1.0.107"
    crate_name: str  # the path root, "syn"
    format_version: int
    items: list[TruthItem]
    foreign_reexports: list[tuple[str, str]]
    unresolved_uses: list[str]
    skipped: dict[str, int]  # why rustdoc items were left out, with counts

    def path_pairs(self) -> set[tuple[str, str]]:
        return {(path, item.kind) for item in self.items for path in item.paths}

    def summary(self) -> dict[str, Any]:
        per_kind: dict[str, Counter[str]] = {}
        for item in self.items:
            per_kind.setdefault(item.kind, Counter())[item.klass] += 1
        public = [item for item in self.items if item.paths]
        return {
            "crate": self.crate,
            "format_version": self.format_version,
            "items": len(self.items),
            "by_class": dict(Counter(item.klass for item in self.items)),
            "by_kind": {kind: dict(counts) for kind, counts in sorted(per_kind.items())},
            "public_items": len(public),
            "public_paths": len(self.path_pairs()),
            "foreign_reexports": len(self.foreign_reexports),
            "unresolved_uses": len(self.unresolved_uses),
            "skipped": self.skipped,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "items_detail": [asdict(item) for item in self.items],
            "foreign_reexports_detail": self.foreign_reexports,
        }


def is_excluded_impl(impl: JsonItem) -> str | None:
    body = details(impl)
    if body.get("is_synthetic"):
        return "synthetic impl"
    if body.get("blanket_impl") is not None:
        return "blanket impl"
    if any("automatically_derived" in text for text in attr_texts(impl)):
        return "derived impl"
    return None


class TruthBuilder:
    def __init__(self, krate: RustdocCrate, crate_root: Path, crate_key: str) -> None:
        self.krate = krate
        self.files = SourceFiles(crate_root)
        self.crate_key = crate_key
        self.skipped: Counter[str] = Counter()
        self.excluded: set[str] = set()
        self.member_of: dict[str, str] = {}  # item id -> id of its impl/trait/struct/enum
        self.module_of: dict[str, str] = {}  # item id -> id of the module listing it

    def build(self) -> Truth:
        self._index_parents()
        walk = PublicPathWalker(self.krate, self.excluded).walk()
        items: list[TruthItem] = []
        for item_id, item in self.krate.local_items():
            truth_item = self._truth_item(item_id, item)
            if truth_item is not None:
                truth_item.paths = sorted(walk.paths.get(item_id, ()))
                items.append(truth_item)
        items.sort(key=lambda it: (it.file or "~", it.line_start, it.kind, it.name))
        return Truth(
            crate=self.crate_key,
            crate_name=self.krate.crate_name,
            format_version=self.krate.format_version,
            items=items,
            foreign_reexports=sorted(walk.foreign_reexports),
            unresolved_uses=sorted(walk.unresolved_uses),
            skipped=dict(self.skipped),
        )

    def _index_parents(self) -> None:
        for item_id, item in self.krate.local_items():
            kind, body = kind_of(item), details(item)
            if kind == "module":
                for child in body.get("items", []):
                    self.module_of.setdefault(str(child), item_id)
            elif kind in ("impl", "trait"):
                for child in body.get("items", []):
                    self.member_of[str(child)] = item_id
                if kind == "impl" and is_excluded_impl(item):
                    self.excluded.add(item_id)
                    self.excluded.update(str(child) for child in body.get("items", []))
            elif kind == "enum":
                for child in body.get("variants", []):
                    self.member_of[str(child)] = item_id
            for child in struct_fields(item) if kind in ("struct", "union", "variant") else []:
                self.member_of[str(child)] = item_id

    def _kind(self, item_id: str, item: JsonItem) -> str | None:
        kind = kind_of(item)
        if kind == "function":
            parent = self.krate.item(self.member_of.get(item_id))
            return "method" if parent is not None else "fn"
        return KIND_MAP.get(kind)

    def _truth_item(self, item_id: str, item: JsonItem) -> TruthItem | None:
        if item_id == self.krate.root_id:
            self.skipped["crate root module"] += 1
            return None
        if item_id in self.excluded:
            self.skipped["synthetic/derived impl or its item"] += 1
            return None
        kind = self._kind(item_id, item)
        if kind is None:
            self.skipped[f"unmapped rustdoc kind {kind_of(item)}"] += 1
            return None
        name = self._name(kind, item)
        placement = self._placement(item_id, item, kind, name)
        return TruthItem(
            rustdoc_id=item_id,
            kind=kind,
            name=name,
            def_path=self._def_path(item_id, item),
            file=placement.file,
            line_start=placement.line_start,
            line_end=placement.line_end,
            klass=placement.klass,
            reason=placement.reason,
            doc_hidden=any("hidden" in text for text in attr_texts(item)),
        )

    @staticmethod
    def _name(kind: str, item: JsonItem) -> str:
        if kind == "use":
            use = details(item)
            return "*" if use.get("is_glob") else str(use.get("name", ""))
        return str(item.get("name") or "")

    def _placement(self, item_id: str, item: JsonItem, kind: str, name: str) -> Placement:
        span = span_of(item)
        if kind == "mod" and span is not None:
            parent_file = self._module_file(self.module_of.get(item_id))
            own_file = self.files.relative(span.filename)
            if own_file is not None and parent_file is not None and own_file != parent_file:
                return module_declaration(name, parent_file, self.files)
        return classify(kind, name, span, self.files)

    def _module_file(self, module_id: str | None) -> str | None:
        """The file whose text holds the module's items (its own file, or its parent's)."""
        module = self.krate.item(module_id)
        span = span_of(module) if module is not None else None
        return self.files.relative(span.filename) if span is not None else None

    def _def_path(self, item_id: str, item: JsonItem) -> str | None:
        name = item.get("name")
        if not name or kind_of(item) in ("impl", "use"):
            return None
        parent_id = self.member_of.get(item_id)
        if parent_id is not None:
            parent = self.krate.item(parent_id)
            if parent is not None and kind_of(parent) == "impl":
                self_id = details(parent).get("for", {}).get("resolved_path", {}).get("id")
                owner = self._def_path(str(self_id), self.krate.item(self_id) or {})
                return f"{owner}::{name}" if owner else None
            owner = self._def_path(parent_id, parent) if parent is not None else None
            return f"{owner}::{name}" if owner else None
        chain = [str(name)]
        module_id = self.module_of.get(item_id)
        while module_id is not None and module_id != self.krate.root_id:
            module = self.krate.item(module_id)
            if module is None:
                break
            chain.append(str(module["name"]))
            module_id = self.module_of.get(module_id)
        chain.append(self.krate.crate_name)
        return "::".join(reversed(chain))


def build_truth(rustdoc_json: Path, crate_root: Path, crate_key: str) -> Truth:
    return TruthBuilder(RustdocCrate.load(rustdoc_json), crate_root, crate_key).build()


def load_or_build_truth(crate_key: str, jobs: int = 2) -> Truth:
    """Truth for a registry crate, building its rustdoc JSON first when not cached."""
    from .build_truth import cached_or_build
    from .crates import spec_for

    spec = spec_for(crate_key)
    return build_truth(cached_or_build(spec, jobs=jobs), spec.root, spec.key)


def main(argv: list[str] | None = None) -> int:
    from .paths import TRUTH_DIR

    keys = argv if argv is not None else sys.argv[1:]
    for key in keys:
        truth = load_or_build_truth(key)
        out = TRUTH_DIR / f"{key}.truth.json"
        out.write_text(json.dumps(truth.to_json(), indent=1) + "\n", encoding="utf-8")
        print(json.dumps(truth.summary(), indent=2))
        print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
