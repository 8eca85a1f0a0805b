"""Public reachability: every path under which the outside world can name an item.

Walks from the lib's root through `pub` bindings only (pub items, `pub use`, globs that a
`pub use` brought in), so a `pub` item in a private module counts only where a public
re-export names it, and `pub(crate)` never does. Members (methods, fields, variants)
inherit the paths of their type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rustrag.resolve.canonical import Placement, local_type
from rustrag.resolve.defs import Def, LocalItem, LocalModule, Namespace, namespaces_of
from rustrag.resolve.scope import Resolver
from rustrag.resolve.typetext import strip_generics

_TYPE_PATH = re.compile(r"^(?:::)?(?:r#)?[A-Za-z_]\w*(?:::(?:r#)?[A-Za-z_]\w*)*$")

MAX_MODULE_VISITS = 16  # a module re-exported under many paths is still walked a few times


@dataclass(slots=True)
class Publicity:
    binding_paths: dict[Def, set[str]]  # everything bound at a public path, extern ones too
    slot_paths: list[list[str]]  # per slot: public paths, canonical first
    slot_public: list[bool]
    found: list[set[str]]  # per slot: its public paths, unordered
    module_paths: dict[str, list[str]]  # module -> the public paths the walk reached it at


def compute_publicity(r: Resolver, placement: Placement) -> Publicity:
    n = len(r.slots)
    binding_paths, use_paths, module_paths = _walk(r)
    found: list[set[str]] = [set() for _ in range(n)]
    public = [False] * n
    for i, s in enumerate(r.slots):
        if not s.module_level and s.raw.kind != "macro_rules":
            continue
        if s.raw.kind in ("use", "extern_crate"):
            found[i] = use_paths.get(i, set())
        elif s.raw.kind == "impl":
            continue
        else:
            d = r.defs[i]
            found[i] = set(binding_paths.get(d, ())) if d is not None else set()
        public[i] = bool(found[i])
    for i, s in enumerate(r.slots):
        if s.raw.kind == "impl":  # wherever written (a fn body too), public with its type
            owner = local_type(placement.impl_self.get(i, []))
            public[i] = owner is not None and bool(found[owner.index])
            continue
        if s.module_level or s.parent is None or s.raw.kind == "macro_rules":
            continue
        found[i], public[i] = member_publicity(r, placement, binding_paths, found, i)
    slot_paths = [_ordered(found[i], placement.paths[i]) for i in range(n)]
    return Publicity(binding_paths, slot_paths, public, found, module_paths)


def member_publicity(
    r: Resolver,
    placement: Placement,
    binding_paths: dict[Def, set[str]],
    found: list[set[str]],
    i: int,
) -> tuple[set[str], bool]:
    """Public paths of a member (method, field, variant, assoc item) from its parent's."""
    bases = _member_bases(r, placement, found, i)
    paths = {f"{b}::{r.slots[i].raw.name}" for b in bases}
    d = r.defs[i]
    if d is not None:  # `pub use Enum::*` names variants directly too
        paths |= binding_paths.get(d, set())
    return paths, bool(paths)


def ordered_paths(paths: set[str], canonical: str) -> list[str]:
    return _ordered(paths, canonical)


def _walk(r: Resolver) -> tuple[dict[Def, set[str]], dict[int, set[str]], dict[str, list[str]]]:
    binding_paths: dict[Def, set[str]] = {}
    use_paths: dict[int, set[str]] = {}
    module_paths: dict[str, list[str]] = {}
    if r.lib_root is None:
        return binding_paths, use_paths, module_paths
    visits: dict[str, int] = {}
    stack: list[tuple[str, str, frozenset[str]]] = [
        (r.lib_root, r.lib_root, frozenset((r.lib_root,)))
    ]
    while stack:
        module, at, chain = stack.pop()
        visits[module] = visits.get(module, 0) + 1
        module_paths.setdefault(module, []).append(at)
        for ns, name, b in r.scopes[module].effective(links=False):  # links: never pub
            if b.vis != "pub" or ns != primary_namespace(b.target):
                continue
            path = f"{at}::{name}"
            binding_paths.setdefault(b.target, set()).add(path)
            if b.origin is not None:
                use_paths.setdefault(b.origin, set()).add(path)
            t = b.target
            if (
                isinstance(t, LocalModule)
                and t.path in r.scopes
                and t.path not in chain  # `pub use super::*` would nest forever
                and visits.get(t.path, 0) < MAX_MODULE_VISITS
            ):
                stack.append((t.path, path, chain | {t.path}))
    return binding_paths, use_paths, module_paths


def primary_namespace(d: Def) -> Namespace | None:
    """The namespace whose binding makes a path for `d`: a unit struct whose type binding
    is shadowed is not reachable just because its constructor still is."""
    spaces = namespaces_of(d)
    if "type" in spaces:
        return "type"
    return next(iter(spaces), None)


def _member_bases(r: Resolver, placement: Placement, found: list[set[str]], i: int) -> set[str]:
    s = r.slots[i]
    parent = s.parent
    assert parent is not None
    parent_kind = r.slots[parent].raw.kind
    if parent_kind == "impl":
        return _impl_member_bases(r, placement, found, parent, s.raw.visibility)
    if parent_kind in ("trait", "enum", "variant"):
        return found[parent]
    if parent_kind in ("struct", "union"):
        return found[parent] if s.raw.visibility == "pub" else set()
    return set()


def _impl_member_bases(
    r: Resolver, placement: Placement, found: list[set[str]], impl: int, vis: str
) -> set[str]:
    raw = r.slots[impl].raw
    owner = local_type(placement.impl_self.get(impl, []))
    if owner is None or not names_type_directly(raw.impl_self or ""):
        return set()
    if raw.impl_trait:
        if raw.impl_trait.lstrip().startswith("!"):
            return set()
        trait = placement.impl_trait.get(impl, [])
        local_trait = next((d for d in trait if isinstance(d, LocalItem)), None)
        if local_trait is not None and not found[local_trait.index]:
            return set()  # rustdoc hides impls of traits nobody outside can name
    elif vis != "pub":
        return set()
    return found[owner.index]


def names_type_directly(self_type: str) -> bool:
    """Whether `impl .. for X` lets users write `X::member`: only when X is a path.
    An impl for `&X`, `&mut X`, `[X]`, `dyn X` or `Box<X>` names a different type."""
    return bool(_TYPE_PATH.match(strip_generics(self_type).replace(" ", "")))


def _ordered(paths: set[str], canonical: str) -> list[str]:
    rest = sorted(p for p in paths if p != canonical)
    return [canonical, *rest] if canonical in paths else rest
