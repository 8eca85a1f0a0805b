"""Incremental resolve: a warm indexer's answer to an edit of one or a few files.

`resolve_crate` resolves a whole crate; after an editor save most of that work would
give the same answer again. `WarmCrate` keeps one crate's `CrateResolution` and, for
edited files, redoes only what the edit can change:

* the file is parsed again and its macro calls re-expanded (with the crate's unchanged
  `macro_rules`, within the crate's expansion budget);
* its items are paired with the old ones by identity (rustrag.resolve.fileshape); a paired
  item keeps its slot, so every binding, `use` result and edge naming it stays valid;
* added and removed items are bound or unbound in their module, in impl/trait member
  tables and among methods by name; they get paths, ids and public paths;
* every edge the file's items make is made again, and so are the edges of items elsewhere
  whose references mention a name that was added or removed (an unresolved reference
  may now resolve, and a resolved one may now fail).

That is exact only where an added or removed name cannot change what the crate's `use`s
and impls resolve to, so each of those conditions is checked, and any edit that breaks
one (a changed `mod`, `use`, `macro_rules`, a name some `use` or impl mentions, a name a
`pub use ..::*` copies, a member of a trait implemented in the crate, a clash of two
definitions of one name, ...) raises `NotIncremental`: the caller resolves the crate
again from scratch and starts a new `WarmCrate` from that. tests/test_incremental_resolve.py
checks after every edit of a sequence that the index equals a clean one.

Slots of removed items stay in the lists as dead entries and added items get new slots
at the end; the order the crate's items are in is `file_slots` (files sorted, items in
byte order), exactly the order a clean resolve would give them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from rustrag.model import Edge, ExportTable, Item, ParsedFile, RawItem
from rustrag.resolve.canonical import local_type, path_of, resolve_type_text
from rustrag.resolve.crate import CrateResolution, make_item
from rustrag.resolve.defs import TYPE_NS, Def, LocalItem, LocalModule, namespaces_of
from rustrag.resolve.exports import build_export_table, reexport_entries
from rustrag.resolve.fileshape import match_items
from rustrag.resolve.public import member_publicity, ordered_paths, primary_namespace
from rustrag.resolve.scope import Bind, vis_rank
from rustrag.resolve.slots import Slot, module_of

EdgeKey = tuple[str, str, str, int]  # (src, kind, target, line): the stored key of an edge
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Kinds whose addition or removal changes the module tree, macro expansion or imports.
_STRUCTURAL = frozenset({"mod", "use", "extern_crate", "macro_rules"})
_NOT_BINDING = frozenset({"impl", "use", "extern_crate", "field", "variant", "macro_rules"})
_NO_PATH_KINDS = frozenset({"use", "extern_crate", "impl"})
MAX_FILES = 16  # more edited files at once: a full resolve is as cheap and simpler


class NotIncremental(Exception):
    """The edit may change more than an incremental update recomputes."""


def edge_key(edge: Edge) -> EdgeKey:
    return (edge.src, edge.kind, edge.target, edge.line)


@dataclass(slots=True)
class CratePatch:
    """What an update changed, for the store: items and edges before and after."""

    old_items: dict[int, Item | None] = field(default_factory=dict)  # slot -> before
    edge_keys: set[EdgeKey] = field(default_factory=set)  # edges that may have changed
    edges: dict[EdgeKey, Edge | None] = field(default_factory=dict)  # ..now (None: gone)
    files: set[str] = field(default_factory=set)  # files whose row may change
    modules_changed: bool = False
    public_changed: bool = False


class WarmCrate:
    """One crate's resolution, kept in memory and updated in place file by file."""

    def __init__(self, res: CrateResolution, table: ExportTable, deps_digest: str) -> None:
        self.res = res
        self.table = table
        self.deps_digest = deps_digest  # the dependency export tables it was resolved against
        r = res.resolver
        self.file_slots: dict[str, list[int]] = {}
        for i, s in enumerate(r.slots):
            self.file_slots.setdefault(s.file, []).append(i)
        self.items: list[Item | None] = list(res.items)
        self.updates = 0
        # Built on the first update (a crate may never be edited while warm):
        self._gen_edges: dict[int, list[Edge]] | None = None
        self._holders: dict[EdgeKey, set[int]] = {}  # edge key -> slots making it
        self._reexports: list[tuple[str, str, str]] = []
        self._mentions: dict[str, set[int]] = {}
        self._slot_names: dict[int, set[str]] = {}
        self._use_names: set[str] = set()
        self._impl_names: dict[str, set[int]] = {}
        self._exposed: set[str] = set()
        self._glob_enums: set[int] = set()
        self._owner_traits: dict[int, list[int]] = {}
        self._implemented: set[int] = set()
        self._ids_by_base: dict[str, list[int]] = {}

    # -- the crate as a clean resolve would give it ---------------------------------

    def order(self) -> Iterator[int]:
        for rel in sorted(self.file_slots):
            yield from self.file_slots[rel]

    def live_items(self) -> Iterator[Item]:
        for i in self.order():
            item = self.items[i]
            if item is not None:
                yield item

    def edges_of(self, gen: int) -> list[Edge]:
        assert self._gen_edges is not None
        return self._gen_edges.get(gen, [])

    # -- the update -----------------------------------------------------------------

    def update(self, changed: Mapping[str, ParsedFile]) -> CratePatch:
        """Bring the resolution to the edited files. Raises NotIncremental (the state is
        then unusable: drop it and resolve the crate in full)."""
        if len(changed) > MAX_FILES:
            raise NotIncremental(f"{len(changed)} files changed")
        self._prepare()
        patch = CratePatch()
        for rel in sorted(changed):
            self._patch_file(rel, changed[rel], patch)
        self._settle_edges(patch)
        if patch.public_changed:
            self.table = build_export_table(self.res.crate, self.live_items(), self._reexports)
        self.updates += 1
        return patch

    def _settle_edges(self, patch: CratePatch) -> None:
        """The stored edge of each touched key: rows sharing a key collapse to the last
        one a clean resolve makes (edges.EdgeBuilder.build), so among the slots making a
        key, the one it reaches last wins, and within that slot its last edge."""
        slots = self.res.resolver.slots
        places: dict[str, dict[int, int]] = {}

        def order(gen: int, kind: str) -> tuple[int, str, int]:
            s = slots[gen]
            if kind == "contains" and s.parent is None:  # a module's item, by file index
                return 1, s.file, s.index
            place = places.get(s.file)
            if place is None:
                place = {k: n for n, k in enumerate(self.file_slots.get(s.file, []))}
                places[s.file] = place
            return (0 if kind == "contains" else 2), s.file, place.get(gen, -1)

        for key in patch.edge_keys:
            holders = self._holders.get(key)
            if not holders:
                self._holders.pop(key, None)
                patch.edges[key] = None
                continue
            last = max(holders, key=lambda g: order(g, key[1]))
            patch.edges[key] = next(e for e in reversed(self.edges_of(last)) if edge_key(e) == key)

    def _prepare(self) -> None:
        if self._gen_edges is not None:
            return
        res = self.res
        r = res.resolver
        gen_edges: dict[int, list[Edge]] = {}
        for edge, gen in zip(res.edges, res.builder.gens, strict=True):
            gen_edges.setdefault(gen, []).append(edge)
        for gen, edges in gen_edges.items():
            for edge in edges:
                self._holders.setdefault(edge_key(edge), set()).add(gen)
        self._gen_edges = gen_edges
        self._reexports = reexport_entries(res.items, res.edges)
        for i in range(len(r.slots)):
            self._index_names(i)
        for site in r.uses:
            self._use_names.update(site.entry.path)
            if site.entry.alias:
                self._use_names.add(site.entry.alias)
        for s in r.slots:
            if s.raw.kind == "extern_crate":
                self._use_names.add(s.raw.name)
                self._use_names.update(u.alias for u in s.raw.uses if u.alias)
        self._index_globs()
        for impl, selfs in res.placement.impl_self.items():
            self_type = local_type(selfs)
            trait = local_type(res.placement.impl_trait.get(impl, []))
            if self_type is not None and trait is not None and trait.kind == "trait":
                self._owner_traits.setdefault(self_type.index, []).append(trait.index)
                self._implemented.add(trait.index)
        for i, item_id in enumerate(res.placement.ids):
            self._ids_by_base.setdefault(_base_of(item_id), []).append(i)

    def _index_names(self, i: int) -> None:
        """The identifiers slot `i`'s references and impl header mention."""
        raw = self.res.resolver.slots[i].raw
        names: set[str] = set()
        for ref in raw.refs:
            names.update(_IDENT.findall(ref.path))
        for derive in raw.attrs.derives:
            names.update(_IDENT.findall(derive))
        self._slot_names[i] = names
        for name in names:
            self._mentions.setdefault(name, set()).add(i)
        if raw.kind == "impl":
            for name in _IDENT.findall(f"{raw.impl_self or ''} {raw.impl_trait or ''}"):
                self._impl_names.setdefault(name, set()).add(i)

    def _forget_names(self, i: int) -> None:
        for name in self._slot_names.pop(i, set()):
            self._mentions.get(name, set()).discard(i)
        raw = self.res.resolver.slots[i].raw
        if raw.kind == "impl":
            for name in _IDENT.findall(f"{raw.impl_self or ''} {raw.impl_trait or ''}"):
                self._impl_names.get(name, set()).discard(i)

    def _index_globs(self) -> None:
        """Modules whose bindings a glob import copies (a `pub use m::*`, or a glob of a
        module that itself links or copies them), and enums whose variants one copies."""
        r = self.res.resolver
        copied_into: dict[str, set[str]] = {}
        exposed: set[str] = set()
        for site in r.uses:
            if not site.entry.glob:
                continue
            for c in r.resolve(site.module, site.entry.path, TYPE_NS, in_use=True):
                if isinstance(c, LocalModule) and vis_rank(site.vis) >= 3:
                    exposed.add(c.path)
                    copied_into.setdefault(site.module, set()).add(c.path)
                elif isinstance(c, LocalItem) and c.kind == "enum":
                    self._glob_enums.add(c.index)
        stack = list(exposed)
        while stack:
            module = stack.pop()
            scope = r.scopes.get(module)
            sources = [link.source for link in scope.links] if scope is not None else []
            for source in [*sources, *copied_into.get(module, ())]:
                if source not in exposed:
                    exposed.add(source)
                    stack.append(source)
        self._exposed = exposed

    # -- one file -------------------------------------------------------------------

    def _patch_file(self, rel: str, parsed: ParsedFile, patch: CratePatch) -> None:
        res = self.res
        tree = res.tree
        old_raw = res.files.get(rel)
        if old_raw is None or rel not in res.crate.files:
            raise NotIncremental(f"{rel}: not one of the crate's listed files")
        before = [(n, t) for _, n, t in res.macros.definitions(old_raw)]
        if before != [(n, t) for _, n, t in res.macros.definitions(parsed)]:
            raise NotIncremental(f"{rel}: macro_rules changed")
        patch.files.add(rel)
        res.files[rel] = parsed
        if rel not in tree.file_module:  # in no module tree: only its own row changes
            tree.files[rel] = parsed
            return
        expanded = res.macros.reexpand(parsed)
        if expanded is None:
            raise NotIncremental("the crate's macro expansion budget comes into play")
        _FileUpdate(self, rel, expanded, patch).run()


@dataclass(slots=True)
class _Unbound:
    """An item that went away: what is needed to undo its bindings."""

    key: int
    slot: Slot
    defn: Def | None


class _FileUpdate:
    """One edited file's items swapped into a warm resolution (see the module docs)."""

    def __init__(self, warm: WarmCrate, rel: str, expanded: ParsedFile, patch: CratePatch) -> None:
        self.w = warm
        self.res = warm.res
        self.r = warm.res.resolver
        self.p = warm.res.placement
        self.pub = warm.res.publicity
        self.b = warm.res.builder
        self.rel = rel
        self.expanded = expanded
        self.patch = patch
        self.crate_id = warm.res.crate.crate_id

    def run(self) -> None:
        tree = self.res.tree
        rel = self.rel
        old_file = tree.files[rel]
        new_items = self.expanded.items
        old_keys = {self.r.slots[k].index: k for k in self.w.file_slots[rel]}
        m = match_items(old_file.items, new_items)
        for idx in m.added:
            _refuse_structural(new_items[idx], "added")
        for idx in m.removed:
            _refuse_structural(old_file.items[idx], "removed")
        for n, o in m.pairs.items():
            np_, op = new_items[n].parent, old_file.items[o].parent
            if (np_ is None) != (op is None) or (np_ is not None and m.pairs.get(np_) != op):
                raise NotIncremental("an item moved to another parent")
        self._remap_modules(m.pairs)
        # Items equal to before, under parents equal to before: their rows and edges
        # stay as they are unless they mention a name the edit added or removed.
        same_new: set[int] = set()
        for n in range(len(new_items)):
            before = m.pairs.get(n)
            parent = new_items[n].parent
            if (
                before is not None
                and (parent is None or parent in same_new)
                and new_items[n] == old_file.items[before]
            ):
                same_new.add(n)
        same = {old_keys[m.pairs[n]] for n in same_new}
        removed = [old_keys[o] for o in m.removed]
        changed_names = {old_file.items[o].name for o in m.removed}
        changed_names |= {new_items[n].name for n in m.added}
        changed_names.discard("")
        gone = set(removed)
        for name in changed_names:
            if self.w._impl_names.get(name, set()) - gone:
                raise NotIncremental(f"an impl mentions `{name}`")
        if changed_names:
            self.r.forget_settled()
        for key in self.w.file_slots[rel]:
            if key not in same:
                self.patch.old_items.setdefault(key, self.w.items[key])
        old_paths = {k: self.p.paths[k] for k in self.w.file_slots[rel]}
        old_found = {k: set(self.pub.found[k]) for k in self.w.file_slots[rel]}
        old_public = self._public_rows(k for k in self.w.file_slots[rel] if k not in same)
        removed_bases = [_base_of(self.p.ids[k]) for k in removed]
        for key in sorted(removed, key=lambda k: -self.r.slots[k].index):
            self._unbind(key)  # members before their impl: they need its placement
        for key in self.w.file_slots[rel]:
            self.r.children.pop(key, None)
            if key not in same:
                self.w._forget_names(key)
        keys, added = self._new_slots(m.pairs, old_keys)
        for key in added:
            self.patch.old_items.setdefault(key, None)
        tree.files[rel] = self.expanded
        for key in keys:
            parent = self.r.slots[key].parent
            if parent is not None:
                self.r.children.setdefault(parent, []).append(key)
        for key in keys:
            d = self.r.def_of(key)
            if key in added:
                self.r.defs[key] = d
            elif d != self.r.defs[key]:
                raise NotIncremental("a struct's shape changed")
        for key in sorted(added):
            self._bind(key)
        self.b.index_modules()
        for key in sorted(added):
            self._place_impl(key)
        for key in sorted(added):
            self._add_member(key)
            self.b.note_method(key, 1)
        self._paths(keys, added, old_paths)
        self._ids(added, removed_bases)
        self._publicity(keys, added, old_found)
        redo = [key for key in keys if key not in same]
        for key in redo:
            self.w.items[key] = make_item(self.crate_id, self.r, self.p, self.pub, key)
            self.w._index_names(key)
        if self._public_rows(redo) != old_public:
            self.patch.public_changed = True
        self._edges(redo, removed, changed_names)

    # -- tree and slots ---------------------------------------------------------------

    def _remap_modules(self, pairs: dict[int, int]) -> None:
        """`mod` items keep their identity but may move within the file."""
        tree = self.res.tree
        rel = self.rel
        new_of_old = {o: n for n, o in pairs.items()}
        mine = {key: path for key, path in tree.inline_module.items() if key[0] == rel}
        for key in mine:  # all out first: a module may move to where another one was
            del tree.inline_module[key]
        for (file, idx), path in mine.items():
            moved = new_of_old.get(idx, idx)
            tree.inline_module[(file, moved)] = path
            if moved != idx:
                self.patch.modules_changed = True
        for node in tree.nodes:
            if node.declared_in == rel and node.item_index is not None:
                moved = new_of_old.get(node.item_index, node.item_index)
                if moved != node.item_index:
                    node.item_index = moved
                    self.patch.modules_changed = True
        for info in tree.modules.values():
            info.decls = [(f, new_of_old.get(i, i) if f == rel else i) for f, i in info.decls]

    def _new_slots(
        self, pairs: dict[int, int], old_keys: dict[int, int]
    ) -> tuple[list[int], set[int]]:
        r = self.r
        rel = self.rel
        tree = self.res.tree
        items = self.expanded.items
        order = sorted(range(len(items)), key=lambda i: (items[i].byte_start, i))
        key_of: dict[int, int] = {}
        added: set[int] = set()
        next_key = len(r.slots)
        for idx in order:
            old = pairs.get(idx)
            if old is not None:
                key_of[idx] = old_keys[old]
            else:
                key_of[idx] = next_key
                added.add(next_key)
                next_key += 1
        for idx in old_keys:
            self.b.slot_of.pop((rel, idx), None)
        crate_root = tree.modules[tree.file_module[rel]].crate_root
        keys: list[int] = []
        for idx in order:
            raw = items[idx]
            key = key_of[idx]
            parent = raw.parent
            slot = Slot(
                file=rel,
                index=idx,
                raw=raw,
                module=module_of(tree, rel, items, idx),
                crate_root=crate_root,
                parent=None if parent is None else key_of.get(parent),
                module_level=parent is None or (rel, parent) in tree.inline_module,
            )
            if key in added:  # new keys come in ascending order: they extend the lists
                r.slots.append(slot)
                r.defs.append(None)
                self.p.paths.append("")
                self.p.ids.append("")
                self.pub.slot_paths.append([])
                self.pub.slot_public.append(False)
                self.pub.found.append(set())
                self.w.items.append(None)
            else:
                old_slot = r.slots[key]
                before = (old_slot.module, old_slot.module_level, old_slot.crate_root)
                if before != (slot.module, slot.module_level, slot.crate_root):
                    raise NotIncremental("an item changed module")
                r.slots[key] = slot
            self.b.slot_of[(rel, idx)] = key
            keys.append(key)
        self.w.file_slots[rel] = keys
        return keys, added

    # -- bindings -------------------------------------------------------------------

    def _binds(self, s: Slot) -> bool:
        return s.module_level and s.raw.kind not in _NOT_BINDING and bool(s.raw.name)

    def _check_name(self, s: Slot, d: Def, adding: bool) -> None:
        """Refuse when the name's (un)binding could change imports, impls or globs."""
        name = s.raw.name
        if name in self.w._use_names:
            raise NotIncremental(f"a `use` mentions `{name}`")
        if s.module in self.w._exposed:
            raise NotIncremental(f"a glob import copies the bindings of `{s.module}`")
        scope = self.r.scopes[s.module]
        for ns in namespaces_of(d):
            if (ns, name) in scope.globbed:
                raise NotIncremental(f"`{name}` shadows a glob import")
            bucket = scope.explicit.get((ns, name), {})
            if adding and bucket:
                raise NotIncremental(f"`{name}` is defined twice in `{s.module}`")

    def _unbind(self, key: int) -> None:
        r = self.r
        s = r.slots[key]
        d = r.defs[key]
        name = s.raw.name
        if self._binds(s) and d is not None:
            self._check_name(s, d, adding=False)
            scope = r.scopes[s.module]
            for ns in namespaces_of(d):
                bucket = scope.explicit.get((ns, name))
                if bucket is not None:
                    bucket.pop(d, None)
                    if not bucket:
                        del scope.explicit[(ns, name)]
            self.pub.binding_paths.pop(d, None)
        self._remove_member(key)
        if s.raw.kind == "impl":
            trait = local_type(self.p.impl_trait.get(key, []))
            if trait is not None and trait.kind == "trait":
                raise NotIncremental("an impl of a local trait went away")
            self.p.impl_self.pop(key, None)
            self.p.impl_trait.pop(key, None)
        self.b.note_method(key, -1)
        base = _base_of(self.p.ids[key])
        members = self.w._ids_by_base.get(base, [])
        if key in members:
            members.remove(key)
        r.defs[key] = None
        self.w.items[key] = None
        self.p.ids[key] = ""
        self.p.paths[key] = ""

    def _bind(self, key: int) -> None:
        r = self.r
        s = r.slots[key]
        name = s.raw.name
        d = r.defs[key]
        if not self._binds(s) or d is None:
            return
        self._check_name(s, d, adding=True)
        scope = r.scopes[s.module]
        for ns in namespaces_of(d):
            scope.explicit[(ns, name)] = {d: Bind(d, s.raw.visibility, None)}
        if s.raw.visibility == "pub" and primary_namespace(d) is not None:
            ats = self.pub.module_paths.get(s.module, [])
            if ats:
                self.pub.binding_paths[d] = {f"{at}::{name}" for at in ats}

    def _member_table(self, key: int) -> dict[str, list[int]] | None:
        """The member table (type or trait) slot `key` is listed in, if any."""
        r = self.r
        s = r.slots[key]
        if s.parent is None:
            return None
        parent = r.slots[s.parent]
        if parent.raw.kind == "impl":
            owner = local_type(self.p.impl_self.get(s.parent, []))
            if owner is None:
                return None
            return r.assoc.setdefault(owner.index, {})
        if parent.raw.kind == "trait":
            if s.parent in self.w._implemented:
                raise NotIncremental("a member of a trait implemented in the crate changed")
            return r.assoc.setdefault(s.parent, {})
        if parent.raw.kind == "enum" and s.parent in self.w._glob_enums:
            raise NotIncremental("a glob import copies the variants of this enum")
        return None

    def _remove_member(self, key: int) -> None:
        table = self._member_table(key)
        if table is None:
            return
        name = self.r.slots[key].raw.name
        if table.get(name) != [key]:
            raise NotIncremental(f"`{name}` has several definitions among members")
        del table[name]
        s = self.r.slots[key]
        if s.parent is not None and self.r.slots[s.parent].raw.kind == "impl":
            owner = local_type(self.p.impl_self.get(s.parent, []))
            for trait in self.w._owner_traits.get(owner.index if owner else -1, []):
                if name in self.r.assoc.get(trait, {}):
                    raise NotIncremental(f"`{name}` is also a provided method")

    def _add_member(self, key: int) -> None:
        table = self._member_table(key)
        if table is None:
            return
        name = self.r.slots[key].raw.name
        if name in table:
            raise NotIncremental(f"`{name}` has several definitions among members")
        table[name] = [key]

    def _place_impl(self, key: int) -> None:
        s = self.r.slots[key]
        raw = s.raw
        if raw.kind != "impl":
            return
        self.p.impl_self[key] = resolve_type_text(self.r, s.module, raw.impl_self or "")
        trait = (raw.impl_trait or "").lstrip("!").strip()
        self.p.impl_trait[key] = resolve_type_text(self.r, s.module, trait) if trait else []
        local = local_type(self.p.impl_trait[key])
        if local is not None and local.kind == "trait":
            raise NotIncremental("an impl of a local trait was added")

    # -- paths, ids, publicity --------------------------------------------------------

    def _paths(self, keys: list[int], added: set[int], old_paths: dict[int, str]) -> None:
        done = [True] * len(self.r.slots)
        for key in keys:
            done[key] = False
        for key in keys:
            path_of(self.r, self.p, done, key)
        for key in keys:
            if key not in added and self.p.paths[key] != old_paths[key]:
                raise NotIncremental("an item's path changed")

    def _ids(self, added: set[int], removed_bases: list[str]) -> None:
        by_base = self.w._ids_by_base
        touched = set(removed_bases)
        for key in sorted(added):
            base = f"{self.crate_id}|{self.p.paths[key]}|{self.r.slots[key].raw.kind}"
            by_base.setdefault(base, []).append(key)
            touched.add(base)
        position = self._positions()
        for base in touched:
            members = sorted(by_base.get(base, []), key=position)
            by_base[base] = members
            for n, key in enumerate(members, start=1):
                item_id = base if n == 1 else f"{base}#{n}"
                if key in added:
                    self.p.ids[key] = item_id
                elif self.p.ids[key] != item_id:
                    raise NotIncremental("an existing item's id would change")

    def _positions(self) -> Callable[[int], tuple[str, int]]:
        slots = self.r.slots
        places: dict[str, dict[int, int]] = {}

        def position(key: int) -> tuple[str, int]:
            file = slots[key].file
            place = places.get(file)
            if place is None:
                place = {k: n for n, k in enumerate(self.w.file_slots.get(file, []))}
                places[file] = place
            return file, place.get(key, -1)

        return position

    def _publicity(self, keys: list[int], added: set[int], old_found: dict[int, set[str]]) -> None:
        r = self.r
        pub = self.pub
        for key in keys:
            s = r.slots[key]
            if not s.module_level and s.raw.kind != "macro_rules":
                continue
            if s.raw.kind in ("use", "extern_crate", "impl"):
                continue  # a use keeps its paths (uses never change here); impls below
            d = r.defs[key]
            pub.found[key] = set(pub.binding_paths.get(d, ())) if d is not None else set()
            pub.slot_public[key] = bool(pub.found[key])
        for key in keys:
            s = r.slots[key]
            if s.raw.kind == "impl":
                owner = local_type(self.p.impl_self.get(key, []))
                pub.slot_public[key] = owner is not None and bool(pub.found[owner.index])
            elif not (s.module_level or s.parent is None or s.raw.kind == "macro_rules"):
                found, public = member_publicity(r, self.p, pub.binding_paths, pub.found, key)
                pub.found[key] = found
                pub.slot_public[key] = public
        for key in keys:
            pub.slot_paths[key] = ordered_paths(pub.found[key], self.p.paths[key])
            if key not in added and pub.found[key] != old_found[key]:
                raise NotIncremental("an existing item's public paths changed")

    def _public_rows(self, keys: Iterable[int]) -> set[tuple[str, str, str]]:
        out: set[tuple[str, str, str]] = set()
        for key in keys:
            item = self.w.items[key]
            if item is not None and item.kind not in _NO_PATH_KINDS:
                out.update((path, item.item_id, item.kind) for path in item.paths)
        return out

    # -- edges ----------------------------------------------------------------------

    def _edges(self, keys: list[int], removed: list[int], changed_names: set[str]) -> None:
        w = self.w
        gens: set[int] = set(keys) | set(removed)
        for name in changed_names:
            gens |= w._mentions.get(name, set())
        gens -= {k for k in gens if w.items[k] is None and k not in removed}
        assert w._gen_edges is not None
        holders = w._holders
        touched = self.patch.edge_keys
        for gen in gens:
            for edge in w._gen_edges.pop(gen, []):
                key = edge_key(edge)
                touched.add(key)
                held = holders.get(key)
                if held is not None:
                    held.discard(gen)
            if gen in removed:
                continue
            edges = self.b.slot_edges(gen)[0]
            if edges:
                w._gen_edges[gen] = edges
            for edge in edges:
                key = edge_key(edge)
                touched.add(key)
                holders.setdefault(key, set()).add(gen)


def _refuse_structural(raw: RawItem, what: str) -> None:
    if raw.kind in _STRUCTURAL:
        raise NotIncremental(f"a `{raw.kind}` item was {what}")


def _base_of(item_id: str) -> str:
    head, sep, tail = item_id.rpartition("#")
    return head if sep and tail.isdigit() and "|" not in tail else item_id
