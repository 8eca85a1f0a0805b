"""Every public path under which a user can name each local item, from rustdoc's JSON.

The walk starts at the crate root and follows only `visibility == "public"` modules and
`use` items (renames, globs), so items in private modules get paths exactly when they are
re-exported. Then members are named through every public path of their parent: fields
and inherent methods (when public), trait impl items (when the trait is nameable), trait
items and enum variants (public with their parent). Re-exports of foreign items are not
paths of local items; they are counted separately.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .rustdoc_json import JsonItem, RustdocCrate, details, is_public, kind_of, struct_fields

MAX_DEPTH = 16  # glob cycles (`pub use super::*`) are cut by `seen`; this bounds the rest


@dataclass(slots=True)
class PathWalk:
    paths: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    foreign_reexports: list[tuple[str, str]] = field(default_factory=list)  # (path, target)
    unresolved_uses: list[str] = field(default_factory=list)  # `pub use` rustdoc left unresolved


class PublicPathWalker:
    def __init__(self, krate: RustdocCrate, excluded: set[str]) -> None:
        self.krate = krate
        self.excluded = excluded  # ids of synthetic/derived impls and their items
        self.result = PathWalk()
        self._seen: set[tuple[str, str]] = set()

    def walk(self) -> PathWalk:
        self._module(self.krate.root_id, self.krate.crate_name, 0)
        self._members()
        return self.result

    def _add(self, item_id: str, path: str) -> None:
        self.result.paths[item_id].add(path)

    def _module(self, module_id: str, prefix: str, depth: int) -> None:
        if (module_id, prefix) in self._seen or depth > MAX_DEPTH:
            return
        self._seen.add((module_id, prefix))
        module = self.krate.item(module_id)
        if module is None:
            return
        for child_id in details(module).get("items", []):
            child = self.krate.item(child_id)
            if child is None or not is_public(child) or not self.krate.is_local(child_id):
                continue
            kind = kind_of(child)
            if kind == "use":
                self._use(child, prefix, depth)
            elif kind in ("impl", "extern_crate") or not child.get("name"):
                continue  # `pub extern crate` names a foreign crate, not a local item
            else:
                path = f"{prefix}::{child['name']}"
                self._add(str(child_id), path)
                if kind == "module":
                    self._module(str(child_id), path, depth + 1)

    def _use(self, use_item: JsonItem, prefix: str, depth: int) -> None:
        use = details(use_item)
        target_id, name = use.get("id"), str(use.get("name"))
        shown = f"{prefix}::*" if use.get("is_glob") else f"{prefix}::{name}"
        if target_id is None:
            self.result.unresolved_uses.append(f"{shown} = {use.get('source')}")
            return
        if not self.krate.is_local(target_id):
            self.result.foreign_reexports.append((shown, self.krate.foreign_name(target_id)))
            return
        target = self.krate.item(target_id)
        if target is None:
            return
        target_kind = kind_of(target)
        if use.get("is_glob"):
            if target_kind == "module":
                self._module(str(target_id), prefix, depth + 1)
            elif target_kind == "enum":
                for variant_id in details(target).get("variants", []):
                    variant = self.krate.item(variant_id)
                    if variant is not None:
                        self._add(str(variant_id), f"{prefix}::{variant['name']}")
            return
        if name == "_":
            return  # `pub use Trait as _` brings it into scope without a nameable path
        if target_kind == "use":  # a re-export of a re-export
            self._use(
                {**target, "inner": {"use": {**details(target), "name": name}}}, prefix, depth + 1
            )
            return
        self._add(str(target_id), f"{prefix}::{name}")
        if target_kind == "module":
            self._module(str(target_id), f"{prefix}::{name}", depth + 1)

    def _members(self) -> None:
        krate, paths = self.krate, self.result.paths
        for item_id, item in krate.local_items():
            kind = kind_of(item)
            parents = sorted(paths.get(item_id, ()))
            if not parents:
                continue
            if kind in ("struct", "union"):
                for field_id in struct_fields(item):
                    member = krate.item(field_id)
                    if member is not None and is_public(member):
                        for parent in parents:
                            self._add(str(field_id), f"{parent}::{member['name']}")
            elif kind == "enum":
                for variant_id in details(item).get("variants", []):
                    self._variant(str(variant_id), parents)
            elif kind == "trait":
                for member_id in details(item).get("items", []):
                    member = krate.item(member_id)
                    if member is not None and member.get("name"):
                        for parent in parents:
                            self._add(str(member_id), f"{parent}::{member['name']}")
        for impl_id, impl in krate.local_items():
            if kind_of(impl) == "impl" and impl_id not in self.excluded:
                self._impl_members(impl)

    def _variant(self, variant_id: str, enum_paths: list[str]) -> None:
        variant = self.krate.item(variant_id)
        if variant is None:
            return
        own = [f"{parent}::{variant['name']}" for parent in enum_paths]
        for path in own:
            self._add(variant_id, path)
        for field_id in struct_fields(variant):
            member = self.krate.item(field_id)
            if member is not None:  # variant fields are public with the variant
                for path in own:
                    self._add(str(field_id), f"{path}::{member['name']}")

    def _impl_members(self, impl: JsonItem) -> None:
        body = details(impl)
        self_type = body.get("for", {})
        self_id = (
            self_type.get("resolved_path", {}).get("id") if isinstance(self_type, dict) else None
        )
        parents = sorted(self.result.paths.get(str(self_id), ())) if self_id is not None else []
        if not parents:
            return
        trait = body.get("trait")
        if (
            trait is not None
            and self.krate.is_local(trait.get("id"))
            and not self.result.paths.get(str(trait.get("id")))
        ):
            return  # an impl of a private trait adds nothing a user can name
        for member_id in body.get("items", []):
            member = self.krate.item(member_id)
            if member is None or not member.get("name"):
                continue
            if trait is None and not is_public(member):
                continue
            for parent in parents:
                self._add(str(member_id), f"{parent}::{member['name']}")
