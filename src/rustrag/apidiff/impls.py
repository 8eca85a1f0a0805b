"""Trait implementations as API: which types implement which traits, in each version.

A user relies on `impl From<&str> for Id` or `impl Iterator for Values` as much as on a
method: losing one breaks `.into()` or a `for` loop. An impl's identity is its trait and
its self type, both as written with lifetimes dropped, paths cut to their last segment
and the impl's own type parameters numbered (`impl<T> From<T> for Foo<T>` and
`impl<U> From<U> for Foo<U>` are one impl); on the old side, names of types the diff
found renamed are rewritten to their new names first, so `impl Clone for App<'help>`
is `impl Clone for Command` in clap 4. A `#[derive(Clone)]` is the same impl as a
hand-written one, so swapping one for the other is no change.

Only impls a user can name count: the lib's own (not examples'), whose self type and
trait are public when they are this crate's. What is compared for a matched impl: its
bounds (generic bounds and where clause, blanket impls included: `impl<T: Display>
ToString for T` is identified by `ToString for $0` and compared by `$0: Display`) and its
associated types and constants (`type Item = &str`). The methods of an impl are the
trait's API: a trait's own methods are compared where the trait is declared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rustrag.apidiff.entries import ChangeKind, DiffEntry, Side
from rustrag.apidiff.surface import ApiItem
from rustrag.model import Edge, Item

_TOKEN = re.compile(
    r"'[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*|\S"
)
# Left behind where a lifetime was dropped: `Foo<'a>`, `<'a, T>`, `T: 'a + Clone`.
_EMPTY = re.compile(r"<\s*>|(?<=<)\s*,|,\s*(?=>)|(?<=:)\s*\+|\+\s*(?=[>,]|$)")
_ASSOC_KINDS = frozenset({"assoc_type", "assoc_const"})
_DERIVABLE_KINDS = frozenset({"struct", "enum", "union"})
_PARAM = re.compile(r"(?:const\s+)?([A-Za-z_][A-Za-z0-9_]*)")
_TEST_CFG = re.compile(r"^\s*(?:all\()?\s*test\b")
# `Foo`, `Foo<$0, $1>`: a self type generic over nothing but the impl's own parameters
_WHOLE_TYPE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?: < \$\d+(?: , \$\d+)* >)?$")


@dataclass(slots=True)
class TraitImpl:
    """One trait implemented by one type in one version, as written."""

    trait_text: str  # `From<&'help str>`
    self_text: str  # `Arg<'help>`
    bounds_text: str | None  # generics and where clause; None for a derive (implied)
    assoc_texts: tuple[str, ...]  # `type Item = &'a str`, `const N: usize = 3`
    # the impl's type parameters → `$0`, `$1`.., and the `use .. as` aliases of its
    # module → the name they stand for (`StdError` → `Error`)
    params: dict[str, str]
    side: Side
    owner: str | None  # display path of the public type (or trait) it belongs to
    local_ids: tuple[str, ...]  # API item ids of its self type and trait when this crate's

    def key(self, names: Mapping[str, str]) -> tuple[str, str]:
        """(trait, self type), normalised, with renamed names rewritten by `names`. A
        self type that is generic over only the impl's parameters stands for the whole
        type (`Err<I, E>` and `Err<E>` are one `Err`: a changed arity is the type's
        change, reported on the type, not a new impl)."""
        self_type = normalise(self.self_text, self.params, names)
        whole = _WHOLE_TYPE.match(self_type)
        if whole is not None:
            self_type = whole.group(1) + "<..>"
        return (normalise(self.trait_text, self.params, names), self_type)

    def compared(self, names: Mapping[str, str]) -> tuple[str | None, tuple[str, ...]]:
        """What must stay equal for the impl to be unchanged: bounds, associated items."""
        bounds = (
            None if self.bounds_text is None else normalise(self.bounds_text, self.params, names)
        )
        assoc = tuple(sorted(normalise(a, self.params, names) for a in self.assoc_texts))
        return bounds, assoc


def split_top(text: str) -> list[str]:
    """`text` split at commas outside brackets: `T: A<B, C>, U` → [`T: A<B, C>`, `U`]."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "<([":
            depth += 1
        elif ch in ">)]" and depth > 0 and not (ch == ">" and i > 0 and text[i - 1] == "-"):
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def type_params(generics: str) -> dict[str, str]:
    """Type and const parameter names of `<'a, T: Clone, const N: usize>` → {T: $0, N: $1}."""
    inner = generics.strip()
    if inner.startswith("<") and inner.endswith(">"):
        inner = inner[1:-1]
    names: dict[str, str] = {}
    for part in split_top(inner):
        if part.startswith("'"):
            continue
        match = _PARAM.match(part)
        if match is not None:
            names.setdefault(match.group(1), f"${len(names)}")
    return names


def _bounds(generics: str, where_clause: str) -> str:
    """The constraints of `<T: Clone, U> .. where U: Debug` without the bare parameter
    list: `T: Clone, U: Debug`. Adding an unconstrained parameter is no new bound."""
    inner = generics.strip().removeprefix("<").removesuffix(">")
    bounded = [p for p in split_top(inner) if ":" in p and not p.startswith("'")]
    clauses = where_clause.strip().removeprefix("where").strip()
    return ", ".join([*bounded, *([clauses] if clauses else [])])


def normalise(text: str, params: Mapping[str, str], names: Mapping[str, str]) -> str:
    """Tokens of `text` without lifetimes or `dyn`, paths cut to their last segment,
    parameters numbered and renamed types given their new names."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if token.startswith("'") or token == "dyn":
            continue
        if token[0].isalpha() or token[0] == "_":
            if token in params:
                out.append(params[token])
                continue
            last = token.rpartition("::")[2]
            out.append(names.get(last, last))
            continue
        out.append(token)
    joined = " ".join(out)
    previous = None
    while previous != joined:
        previous, joined = joined, _EMPTY.sub("", joined)
    return " ".join(joined.split())


def _collapse(text: str) -> str:
    return " ".join(text.split())


def collect_impls(
    items: list[Item],
    api: Mapping[str, ApiItem],
    edges: Mapping[str, list[Edge]],
    lib_root: str,
) -> list[TraitImpl]:
    """Every trait impl of the crate's library that users can name (see the module
    docstring), hand-written ones and derives. `edges` holds each impl's `impl_of` and
    `impl_for` edges; `api` is the crate's API surface by item id."""
    crate_prefix = items[0].crate_id + "|" if items else ""
    test_mods = tuple(
        i.path + "::"
        for i in items
        if i.kind == "mod" and i.raw.attrs.cfg and _TEST_CFG.search(i.raw.attrs.cfg)
    )
    assoc: dict[str, list[Item]] = {}
    aliases: dict[str, dict[str, str]] = {}  # module -> alias -> the name it renames
    for item in items:
        if item.kind in _ASSOC_KINDS and item.parent_id:
            assoc.setdefault(item.parent_id, []).append(item)
        elif item.kind == "use":
            for use in item.raw.uses:
                if use.alias and use.alias != "_" and not use.glob and use.path:
                    aliases.setdefault(item.module, {})[use.alias] = use.path[-1]
    found: list[TraitImpl] = []
    for item in items:
        raw = item.raw
        # the library's own impls: not an example's, not one in a `#[cfg(test)]` module
        in_lib = item.path.startswith(lib_root + "::") and not item.path.startswith(test_mods)
        if item.kind == "impl" and raw.impl_trait and raw.impl_self and in_lib:
            targets = {e.kind: e.dst for e in edges.get(item.item_id, [])}
            local = [api.get(d) for d in targets.values() if d and d.startswith(crate_prefix)]
            if any(owner is None or owner.item.raw.attrs.doc_hidden for owner in local):
                # this crate's private or `#[doc(hidden)]` type or trait (clap's autoref
                # `_AutoValueParser` machinery): not a user's to name
                continue
            owners = [o for o in local if o is not None]
            in_scope = aliases.get(item.module, {})
            found.append(_impl(item, owners, assoc.get(item.item_id, []), in_scope))
        elif item.kind in _DERIVABLE_KINDS and raw.attrs.derives and item.item_id in api:
            found.extend(_derives(item, api[item.item_id]))
    return found


def _impl(
    item: Item, owners: list[ApiItem], assoc: list[Item], aliases: Mapping[str, str]
) -> TraitImpl:
    """`owners`: the impl's trait and self type, those of them that are this crate's."""
    # the self type is what a reader looks for; the trait when the type is foreign
    owner = next((o for o in owners if o.kind != "trait"), owners[0] if owners else None)
    raw = item.raw
    trait_text = raw.impl_trait or ""
    self_text = raw.impl_self or ""
    side = Side(
        item_id=item.item_id,
        kind="impl",
        path=f"impl {_collapse(trait_text)} for {_collapse(self_text)}",
        paths=[],
        signature=_collapse(raw.signature),
        file=item.file,
        line=raw.line_start,
    )
    return TraitImpl(
        trait_text=trait_text,
        self_text=self_text,
        bounds_text=_bounds(raw.generics, raw.where_clause),
        assoc_texts=tuple(a.raw.signature for a in assoc),
        params={**aliases, **type_params(raw.generics)},
        side=side,
        owner=owner.display_path if owner is not None else None,
        local_ids=tuple(o.item.item_id for o in owners),
    )


def _derives(item: Item, api: ApiItem) -> list[TraitImpl]:
    params = type_params(item.raw.generics)
    args = ", ".join(params)
    self_text = f"{item.name}<{args}>" if args else item.name
    found: list[TraitImpl] = []
    for derive in item.raw.attrs.derives:
        trait_text = derive.rpartition("::")[2]
        side = Side(
            # not an item of its own: an id of its own keeps the type's id for the
            # type's entries (outdated-name lookups find entries by item id)
            item_id=f"{item.item_id}|derive|{trait_text}",
            kind="impl",
            path=f"impl {trait_text} for {self_text}",
            paths=[],
            signature=f"#[derive({derive})]",
            file=item.file,
            line=item.raw.line_start,
        )
        owner = api.display_path
        impl = TraitImpl(trait_text, self_text, None, (), params, side, owner, (item.item_id,))
        found.append(impl)
    return found


def diff_impls(
    old: list[TraitImpl], new: list[TraitImpl], names: Mapping[str, str]
) -> list[DiffEntry]:
    """Added, removed and changed trait impls. `names` maps old type and trait names to
    the new names of what the diff found renamed. Several impls under one key (`#[cfg]`
    variants) count once: present in both versions means no addition or removal."""
    old_by: dict[tuple[str, str], TraitImpl] = {}
    for impl in old:
        old_by.setdefault(impl.key(names), impl)
    new_by: dict[tuple[str, str], TraitImpl] = {}
    for impl in new:
        new_by.setdefault(impl.key({}), impl)
    entries: list[DiffEntry] = []
    for key, before in old_by.items():
        after = new_by.get(key)
        if after is None:
            entries.append(_entry("removed", before, None))
            continue
        old_bounds, old_assoc = before.compared(names)
        new_bounds, new_assoc = after.compared({})
        details: list[str] = []
        if old_bounds is not None and new_bounds is not None and old_bounds != new_bounds:
            details.append("bounds")
        if old_assoc != new_assoc and before.bounds_text is not None:
            details.append("assoc_types")  # a derive has none written: nothing to compare
        if details:
            entry = _entry("changed", before, after, details)
            if "assoc_types" in details:
                entry.evidence = _assoc_changes(before, after, names)
            entries.append(entry)
    entries.extend(
        _entry("added", None, after) for key, after in new_by.items() if key not in old_by
    )
    return entries


_ASSOC_NAME = re.compile(r"\b(?:type|const)\s+([A-Za-z_][A-Za-z0-9_]*)")


def _assoc_changes(before: TraitImpl, after: TraitImpl, names: Mapping[str, str]) -> str:
    """`type Item = T` → `type Item = Vec<T>`, `type RawItem = char` removed: only the
    associated items that differ, by name."""

    def by_name(impl: TraitImpl, rename: Mapping[str, str]) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        for text in impl.assoc_texts:
            match = _ASSOC_NAME.search(text)
            key = match.group(1) if match else text
            found[key] = (normalise(text, impl.params, rename), _collapse(text))
        return found

    old, new = by_name(before, names), by_name(after, {})
    changes: list[str] = []
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name), new.get(name)
        if was is None and now is not None:
            changes.append(f"`{now[1]}` added")
        elif now is None and was is not None:
            changes.append(f"`{was[1]}` removed")
        elif was is not None and now is not None and was[0] != now[0]:
            changes.append(f"`{was[1]}` → `{now[1]}`")
    return "associated items: " + "; ".join(changes)


def _entry(
    change: ChangeKind,
    old: TraitImpl | None,
    new: TraitImpl | None,
    details: list[str] | None = None,
) -> DiffEntry:
    shown = new if new is not None else old
    assert shown is not None  # one side always exists
    return DiffEntry(
        change=change,
        kind="impl",
        name=shown.side.path,
        owner=shown.owner,
        old=old.side if old is not None else None,
        new=new.side if new is not None else None,
        details=details or [],
    )


def fold_unmatched(
    impls: list[TraitImpl], alive: set[str], entries: Mapping[str, DiffEntry]
) -> list[TraitImpl]:
    """The impls whose own types and traits all have a counterpart in the other version.
    An impl of a type or trait that was itself added or removed is no news of its own:
    it is counted in that item's entry (`members`), as its methods are."""
    kept: list[TraitImpl] = []
    for impl in impls:
        gone = [i for i in impl.local_ids if i not in alive]
        if not gone:
            kept.append(impl)
            continue
        entry = entries.get(gone[0])
        if entry is not None:
            entry.members += 1
    return kept
