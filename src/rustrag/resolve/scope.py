"""Module scopes and path resolution (2018+ rules, with 2015 `use` paths from the root).

Every module gets a table name -> definitions per namespace, seeded with its own items,
then grown by its `use` declarations until nothing changes (imports can depend on other
imports, in any order, and glob re-exports can form cycles). Explicit names shadow glob
imports of the same name in the same namespace.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from rustrag.model import CrateSource, ExportTable, UseEntry
from rustrag.resolve.defs import (
    ALL_NS,
    TYPE_NS,
    Def,
    ExternItem,
    LocalItem,
    LocalModule,
    Namespace,
    Opaque,
    namespaces_of,
)
from rustrag.resolve.modtree import ModuleTree
from rustrag.resolve.slots import Slot

SYSROOT_CRATES = frozenset({"std", "core", "alloc", "proc_macro", "test"})
MAX_ROUNDS = 64  # import fixpoint; real crates settle in a handful of rounds

_NOT_BINDING = frozenset({"impl", "use", "extern_crate", "field", "variant", "macro_rules"})
_VIS_RANK = {"pub": 3, "pub(crate)": 2, "pub(super)": 1}


def vis_rank(vis: str) -> int:
    if vis.startswith("pub(in"):
        return 2
    return _VIS_RANK.get(vis, 0)


@dataclass(slots=True)
class Bind:
    target: Def
    vis: str  # visibility of the binding in its module, as written on the item or `use`
    origin: int | None  # slot of the `use` that made it; None for a definition


BindTable = dict[tuple[Namespace, str], dict[Def, Bind]]


@dataclass(frozen=True, slots=True)
class GlobLink:
    """A non-`pub` glob import of a local module, kept as a link and read on lookup.

    Copying every member into the importer costs importers x members: a crate whose
    root declares 10,000 modules, each file starting `use super::*;`, would hold 10^8
    bindings. Such imports never make a public path (their bindings are at most as
    visible as the `use`), so nothing needs them listed; lookups follow the link."""

    source: str  # the glob's module
    vis: str  # visibility of the `use`
    slot: int  # the `use` item


class ModScope:
    __slots__ = ("explicit", "globbed", "links", "parent", "path", "scopes", "version")

    def __init__(self, path: str, parent: str | None, scopes: dict[str, ModScope]) -> None:
        self.path = path
        self.parent = parent
        self.scopes = scopes  # every module's scope, for following links
        self.explicit: BindTable = {}
        self.globbed: BindTable = {}
        self.links: list[GlobLink] = []
        self.version = 0  # bumped on every new binding: globs of unchanged modules are skipped

    def bind(self, table: BindTable, ns: Namespace, name: str, bind: Bind) -> bool:
        changed = _add(table, ns, name, bind)
        if changed:
            self.version += 1
        return changed

    def lookup(self, ns: Namespace, name: str) -> list[Bind]:
        return self._lookup(ns, name, {self.path})

    def _lookup(self, ns: Namespace, name: str, seen: set[str]) -> list[Bind]:
        found = self.explicit.get((ns, name))
        if found:
            return list(found.values())
        globbed = self.globbed.get((ns, name))
        if not self.links:
            return list(globbed.values()) if globbed else []
        merged: dict[Def, Bind] = dict(globbed) if globbed else {}
        for link in self.links:
            source = self.scopes.get(link.source)
            if source is None or link.source in seen:
                continue  # cycles of `use super::*` / `use child::*` end here
            seen.add(link.source)
            for b in source._lookup(ns, name, seen):
                if visible_in(self.scopes, b.vis, link.source, self.path):
                    _merge(merged, b.target, Bind(b.target, _glob_vis(link.vis, b.vis), link.slot))
        return list(merged.values())

    def effective(self, *, links: bool = True) -> Iterator[tuple[Namespace, str, Bind]]:
        """Every binding that is in force: explicit ones, and globbed names not shadowed.
        Without `links`, bindings reached through `GlobLink`s are left out (none is `pub`)."""
        for (ns, name), binds in self.explicit.items():
            for b in binds.values():
                yield ns, name, b
        for (ns, name), binds in self.globbed.items():
            if (ns, name) in self.explicit:
                continue
            for b in binds.values():
                yield ns, name, b
        if links and self.links:
            yield from self._linked_members({self.path})

    def _linked_members(self, seen: set[str]) -> Iterator[tuple[Namespace, str, Bind]]:
        merged: dict[tuple[Namespace, str], dict[Def, Bind]] = {}
        for link in self.links:
            source = self.scopes.get(link.source)
            if source is None or link.source in seen:
                continue
            seen.add(link.source)
            members = [*source.effective(links=False), *source._linked_members(seen)]
            for ns, name, b in members:
                if (ns, name) in self.explicit or not visible_in(
                    self.scopes, b.vis, link.source, self.path
                ):
                    continue
                bind = Bind(b.target, _glob_vis(link.vis, b.vis), link.slot)
                _merge(merged.setdefault((ns, name), {}), b.target, bind)
        for (ns, name), binds in merged.items():
            materialised = self.globbed.get((ns, name), {})
            for b in binds.values():
                if b.target not in materialised:  # listed above already
                    yield ns, name, b

    def link_version(self, seen: set[str] | None = None) -> int:
        """A number that grows whenever this module or a module it links to binds more."""
        seen = {self.path} if seen is None else seen
        total = self.version
        for link in self.links:
            source = self.scopes.get(link.source)
            if source is not None and link.source not in seen:
                seen.add(link.source)
                total += source.link_version(seen)
        return total


def visible_in(scopes: Mapping[str, ModScope], vis: str, owner: str, importer: str) -> bool:
    """Whether a binding of visibility `vis` in module `owner` is visible in `importer`."""
    rank = vis_rank(vis)
    if rank >= 2:
        return True
    if rank == 1:
        parent = scopes[owner].parent if owner in scopes else None
        return _within(importer, parent) if parent is not None else True
    return _within(importer, owner)


def _glob_vis(use_vis: str, member_vis: str) -> str:
    """A glob-imported binding is as visible as the `use`, at most as the member."""
    return use_vis if vis_rank(member_vis) >= 3 else _weaker(use_vis, member_vis)


def _merge(bucket: dict[Def, Bind], target: Def, bind: Bind) -> None:
    old = bucket.get(target)
    if old is None or vis_rank(bind.vis) > vis_rank(old.vis):
        bucket[target] = bind


def _add(table: BindTable, ns: Namespace, name: str, bind: Bind) -> bool:
    bucket = table.get((ns, name))
    if bucket is None:
        table[(ns, name)] = {bind.target: bind}
        return True
    old = bucket.get(bind.target)
    if old is None:
        bucket[bind.target] = bind
        return True
    if vis_rank(bind.vis) > vis_rank(old.vis):
        bucket[bind.target] = bind
        return True
    return False


def _within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer + "::")


@dataclass(slots=True)
class UseSite:
    slot: int
    module: str
    entry: UseEntry
    vis: str


class Resolver:
    """Name tables of every module of a crate, and path lookup through them."""

    def __init__(
        self,
        crate: CrateSource,
        tree: ModuleTree,
        slots: list[Slot],
        externs: Mapping[str, ExportTable],
    ) -> None:
        self.crate = crate
        self.tree = tree
        self.slots = slots
        self.externs = externs
        self.edition2015 = crate.edition == "2015"
        self.scopes: dict[str, ModScope] = {}
        for p, m in tree.modules.items():
            self.scopes[p] = ModScope(p, m.parent, self.scopes)
        self.children: dict[int, list[int]] = {}
        for i, s in enumerate(slots):
            if s.parent is not None:
                self.children.setdefault(s.parent, []).append(i)
        self.defs = [self._def_of(i) for i in range(len(slots))]
        # Filled once impls are placed (canonical.py): type slot -> name -> assoc slots.
        self.assoc: dict[int, dict[str, list[int]]] = {}
        self.lib_root = next((r.crate_name for r in tree.roots if r.target.kind == "lib"), None)
        self.extern_prelude: dict[str, dict[str, Def]] = {r.crate_name: {} for r in tree.roots}
        self._table_children: dict[tuple[str, str], dict[str, list[tuple[str, str]]]] = {}
        self.uses: list[UseSite] = []
        self._glob_seen: dict[int, tuple[tuple[Def, int], ...]] = {}
        self._settled: dict[tuple[str, str, frozenset[Namespace]], list[Def]] = {}
        self._seed()

    # ---- definitions -------------------------------------------------------------
    def def_of(self, i: int) -> LocalItem | LocalModule | None:
        """What slot `i` defines (its children must be known: a struct's fields decide
        whether it is also a value)."""
        return self._def_of(i)

    def forget_settled(self) -> None:
        """Drop memoised lookups: the tables changed (an incremental update)."""
        self._settled.clear()

    def _def_of(self, i: int) -> LocalItem | LocalModule | None:
        s = self.slots[i]
        raw = s.raw
        if raw.kind == "mod":
            sub = f"{s.module}::{raw.name}"
            return LocalModule(sub) if sub in self.scopes else None
        if raw.kind == "struct":
            kids = [self.slots[c].raw for c in self.children.get(i, [])]
            named = any(k.kind == "field" and not k.name.isdigit() for k in kids)
            tuple_like = any(k.kind == "field" and k.name.isdigit() for k in kids)
            unit = not kids and "{" not in raw.signature
            return LocalItem(i, "struct", tuple_like or (unit and not named))
        return LocalItem(i, raw.kind)

    def _seed(self) -> None:
        for i, s in enumerate(self.slots):
            raw = s.raw
            if raw.kind == "macro_rules":
                exported = raw.attrs.macro_export
                home = s.crate_root if exported else s.module
                item = LocalItem(i, "macro_rules")
                _add(
                    self.scopes[home].explicit,
                    "macro",
                    raw.name,
                    Bind(item, "pub" if exported else "", None),
                )
                continue
            if not s.module_level:
                continue
            if raw.kind == "use":
                self.uses.extend(UseSite(i, s.module, e, raw.visibility) for e in raw.uses)
                continue
            if raw.kind == "extern_crate":
                self._seed_extern_crate(i, s)
                continue
            if raw.kind in _NOT_BINDING or not raw.name:
                continue
            d = self.defs[i]
            if d is None:
                continue
            for ns in namespaces_of(d):
                _add(self.scopes[s.module].explicit, ns, raw.name, Bind(d, raw.visibility, None))

    def _seed_extern_crate(self, i: int, s: Slot) -> None:
        raw = s.raw
        entry = raw.uses[0] if raw.uses else UseEntry([raw.name])
        krate = entry.path[-1] if entry.path else raw.name
        bound = entry.alias or krate
        if krate == "self":
            target: Def | None = LocalModule(s.crate_root)
        else:
            target = self._extern_root(s.crate_root, krate, via_prelude=False)
        if target is None or bound == "_":
            return
        _add(self.scopes[s.module].explicit, "type", bound, Bind(target, raw.visibility, i))
        if s.module == s.crate_root:
            self.extern_prelude[s.crate_root][bound] = target

    def _extern_root(self, crate_root: str, name: str, *, via_prelude: bool = True) -> Def | None:
        if via_prelude and name in self.extern_prelude.get(crate_root, {}):
            return self.extern_prelude[crate_root][name]
        table = self.externs.get(name)
        if table is not None:
            return ExternItem(name, table.extern_name, "", "mod")
        if name in self.crate.dependencies or name in SYSROOT_CRATES:
            return Opaque(name)
        if self.lib_root is not None and crate_root != self.lib_root and name == self.lib_root:
            return LocalModule(self.lib_root)  # bins, examples and tests see the lib
        return None

    # ---- the import fixpoint -------------------------------------------------------
    def run_imports(self) -> int:
        """Apply every `use` until no table changes; returns the number of rounds."""
        for rounds in range(1, MAX_ROUNDS + 1):
            changed = False
            for site in self.uses:
                if site.entry.glob:
                    changed |= self._apply_glob(site)
                else:
                    changed |= self._apply_named(site)
            if not changed:
                return rounds
        return MAX_ROUNDS

    def _apply_named(self, site: UseSite) -> bool:
        entry = site.entry
        name = entry.name
        if not entry.path or name == "_":
            return False
        segs = entry.path
        if segs[-1] == "self":  # `use a::b::{self}` binds the module b
            segs = segs[:-1]
            if not entry.alias and segs:
                name = segs[-1]
        if not segs or name in ("self", "super", "crate", ""):
            return False
        scope = self.scopes[site.module]
        changed = False
        for d in self.resolve(site.module, segs, ALL_NS, in_use=True):
            if d == LocalModule(site.module) and segs == [name]:
                continue
            for ns in namespaces_of(d):
                changed |= scope.bind(scope.explicit, ns, name, Bind(d, site.vis, site.slot))
        return changed

    def _apply_glob(self, site: UseSite) -> bool:
        scope = self.scopes[site.module]
        containers = self.resolve(site.module, site.entry.path, TYPE_NS, in_use=True)
        changed = False
        copied: list[Def] = []
        for c in containers:
            if isinstance(c, LocalModule) and vis_rank(site.vis) < 3:
                changed |= self._link(scope, c.path, site)
            else:
                copied.append(c)
        seen = tuple(
            (c, self.scopes[c.path].link_version() if isinstance(c, LocalModule) else 0)
            for c in copied
            if not isinstance(c, LocalModule) or c.path in self.scopes
        )
        if self._glob_seen.get(id(site)) == seen:
            return changed  # same sources, none grew since this glob last ran
        self._glob_seen[id(site)] = seen
        for container in copied:
            for ns, name, vis, d in self.glob_members(container, site.module):
                bind = Bind(d, _glob_vis(site.vis, vis), site.slot)
                changed |= scope.bind(scope.globbed, ns, name, bind)
        return changed

    def _link(self, scope: ModScope, source: str, site: UseSite) -> bool:
        if source == scope.path or source not in self.scopes:
            return False  # `use self::*` brings nothing new
        link = GlobLink(source, site.vis, site.slot)
        if link in scope.links:
            return False
        scope.links.append(link)
        scope.version += 1
        return True

    def glob_members(
        self, container: Def, importer: str
    ) -> Iterator[tuple[Namespace, str, str, Def]]:
        """What `use container::*` written in module `importer` brings in."""
        if isinstance(container, LocalModule):
            if container.path == importer or container.path not in self.scopes:
                return
            src = self.scopes[container.path]
            for ns, name, b in list(src.effective()):
                if self._visible(b.vis, container.path, importer):
                    yield ns, name, b.vis, b.target
        elif isinstance(container, LocalItem) and container.kind == "enum":
            for c in self.children.get(container.index, []):
                variant = self.defs[c]
                if variant is not None and self.slots[c].raw.kind == "variant":
                    for ns in namespaces_of(variant):
                        yield ns, self.slots[c].raw.name, "pub", variant
        elif isinstance(container, ExternItem) and container.kind in ("mod", "enum"):
            for name, hits in self.table_children(container.dep, container.path).items():
                for item_id, kind in hits:
                    ext = ExternItem(container.dep, f"{container.path}::{name}", item_id, kind)
                    for ns in namespaces_of(ext):
                        yield ns, name, "pub", ext

    def _visible(self, vis: str, owner: str, importer: str) -> bool:
        return visible_in(self.scopes, vis, owner, importer)

    def table_children(self, dep: str, prefix: str) -> dict[str, list[tuple[str, str]]]:
        key = (dep, prefix)
        cached = self._table_children.get(key)
        if cached is None:
            cached = {}
            table = self.externs.get(dep)
            if table is not None:
                lead = prefix + "::"
                for path, hits in table.paths.items():
                    if path.startswith(lead) and "::" not in path[len(lead) :]:
                        cached[path[len(lead) :]] = hits
            self._table_children[key] = cached
        return cached

    # ---- path lookup ---------------------------------------------------------------
    def resolve(
        self,
        module: str,
        segs: list[str],
        namespaces: frozenset[Namespace],
        *,
        in_use: bool = False,
    ) -> list[Def]:
        """Definitions `segs` names when written in `module` (empty when unknown)."""
        if not segs or module not in self.scopes:
            return []
        scope = self.scopes[module]
        crate_root = self.tree.modules[module].crate_root
        first = segs[0]
        rest = segs[1:]
        cur: list[Def]
        if first == "crate":
            cur = [LocalModule(crate_root)]
        elif first == "self":
            cur = [LocalModule(module)]
        elif first == "super":
            cur = [LocalModule(scope.parent)] if scope.parent else []
        elif first == "":
            if not rest:
                return []
            root = self._extern_root(crate_root, rest[0])
            if self.edition2015 and root is None:
                root = LocalModule(crate_root)  # 2015: `::a` is crate-relative
                cur = [root]
            else:
                cur = [root] if root is not None else []
                rest = rest[1:]
        else:
            ns = namespaces if not rest else TYPE_NS
            home = crate_root if (self.edition2015 and in_use) else module
            cur = [b.target for n in ns for b in self.scopes[home].lookup(n, first)]
            if not cur:
                root = self._extern_root(crate_root, first)
                cur = [root] if root is not None else []
        for i, seg in enumerate(rest):
            if not cur:
                return []
            last = i == len(rest) - 1
            cur = self.step(cur, seg, namespaces if last else TYPE_NS, origin=module)
        if not rest:
            cur = [d for d in cur if namespaces_of(d) & namespaces]
        return _dedupe(cur)

    def resolve_settled(
        self, module: str, text: str, segs: list[str], namespaces: frozenset[Namespace]
    ) -> list[Def]:
        """`resolve` for use after `run_imports`, when tables no longer change: memoised,
        because the same few paths are written thousands of times in a crate."""
        key = (module, text, namespaces)
        found = self._settled.get(key)
        if found is None:
            found = self.resolve(module, segs, namespaces)
            self._settled[key] = found
        return found

    def step(
        self,
        cur: list[Def],
        seg: str,
        namespaces: frozenset[Namespace],
        *,
        origin: str | None = None,
    ) -> list[Def]:
        """Go one segment deeper from each of `cur`, seeing only what code in module
        `origin` may see (a private module of the same name as a pub fn is not imported)."""
        out: list[Def] = []
        for d in cur:
            if isinstance(d, LocalModule):
                if seg == "super":
                    parent = self.scopes[d.path].parent if d.path in self.scopes else None
                    out.extend([LocalModule(parent)] if parent else [])
                elif seg == "self":
                    out.append(d)
                elif d.path in self.scopes:
                    scope = self.scopes[d.path]
                    out.extend(
                        b.target
                        for n in namespaces
                        for b in scope.lookup(n, seg)
                        if origin is None or self._visible(b.vis, d.path, origin)
                    )
            elif isinstance(d, LocalItem):
                out.extend(self._member(d, seg, namespaces))
            elif isinstance(d, ExternItem):
                table = self.externs.get(d.dep)
                path = f"{d.path}::{seg}"
                for item_id, kind in table.paths.get(path, []) if table else []:
                    e = ExternItem(d.dep, path, item_id, kind)
                    e_ns = namespaces_of(e)
                    if not e_ns or e_ns & namespaces:  # methods, fields: no namespace
                        out.append(e)
            else:
                out.append(Opaque(f"{d.path}::{seg}"))
        return out

    def _member(self, d: LocalItem, seg: str, namespaces: frozenset[Namespace]) -> list[Def]:
        out: list[Def] = []
        if d.kind == "enum":
            for c in self.children.get(d.index, []):
                raw = self.slots[c].raw
                cd = self.defs[c]
                if raw.kind == "variant" and raw.name == seg and cd is not None:
                    out.append(cd)
        for c in self.assoc.get(d.index, {}).get(seg, []):
            cd = self.defs[c]
            if cd is not None:
                out.append(cd)
        return out


def _weaker(a: str, b: str) -> str:
    return a if vis_rank(a) <= vis_rank(b) else b


def _dedupe(defs: list[Def]) -> list[Def]:
    return list(dict.fromkeys(defs))
