"""Module trees: which file is which module, for every target of a crate.

Follows rustc's file lookup (rustc_expand/module.rs): `mod x;` in a mod-rs file (a crate
root, a mod.rs, or any file loaded through #[path]) looks in that file's directory; in a
non-mod-rs file a/b.rs it looks in a/b/; inline modules add their name as a directory.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from rustrag.limits import MAX_MODULE_FILE_DEPTH
from rustrag.model import CrateSource, ModuleNode, ParsedFile, Problem, RawItem, Target
from rustrag.resolve.typetext import is_ident

FileLoader = Callable[[str], ParsedFile | None]


@dataclass(slots=True)
class ModuleInfo:
    """One module, which can be spread over several declarations (cfg alternatives)."""

    path: str
    parent: str | None
    crate_root: str  # path of the root module of the target it belongs to
    decls: list[tuple[str, int]] = field(default_factory=list)  # (file, index of `mod` item)


@dataclass(slots=True)
class TargetRoot:
    target: Target
    crate_name: str  # `clap`, or a bin's name with - replaced by _


@dataclass(slots=True)
class ModuleTree:
    modules: dict[str, ModuleInfo]
    nodes: list[ModuleNode]
    file_module: dict[str, str]  # rel path -> path of the module it is the top level of
    inline_module: dict[tuple[str, int], str]  # (file, `mod` item index) -> module path
    files: dict[str, ParsedFile]  # every file seen, including ones loaded on demand
    roots: list[TargetRoot]
    unlinked: list[str]
    problems: list[Problem]


def crate_name_of(crate: CrateSource, target: Target) -> str:
    if target.kind == "lib":
        return crate.extern_name
    return target.name.replace("-", "_")


def _plain(name: str) -> str:
    return name[2:] if name.startswith("r#") else name


class _TreeBuilder:
    def __init__(
        self,
        crate: CrateSource,
        files: Mapping[str, ParsedFile],
        load_file: FileLoader | None,
        prepare: Callable[[ParsedFile], ParsedFile] | None = None,
    ) -> None:
        self.crate = crate
        self.files: dict[str, ParsedFile] = dict(files)
        # Applied to a file when a module first mounts it (macro expansion): files no
        # module reaches (tests/, examples of other targets) never pay for it.
        self.prepare = prepare
        self.prepared: set[str] = set()
        self.load_file = load_file
        self.missing: set[str] = set()
        self.modules: dict[str, ModuleInfo] = {}
        self.nodes: list[ModuleNode] = []
        self.file_module: dict[str, str] = {}
        self.inline_module: dict[tuple[str, int], str] = {}
        self.problems: list[Problem] = []
        self.children_cache: dict[str, dict[int | None, list[int]]] = {}

    def where(self, rel: str) -> str:
        return os.path.join(self.crate.root, rel)

    def get_file(self, rel: str) -> ParsedFile | None:
        found = self.files.get(rel)
        if found is None:
            if rel in self.missing or self.load_file is None:
                return None
            found = self.load_file(rel)
            if found is None:
                self.missing.add(rel)
                return None
        if self.prepare is not None and rel not in self.prepared:
            self.prepared.add(rel)
            found = self.prepare(found)
        self.files[rel] = found
        return found

    def exists(self, rel: str) -> bool:
        return self.get_file(rel) is not None

    def children(self, pf: ParsedFile) -> dict[int | None, list[int]]:
        cached = self.children_cache.get(pf.rel_path)
        if cached is None:
            cached = {}
            for i, it in enumerate(pf.items):
                cached.setdefault(it.parent, []).append(i)
            self.children_cache[pf.rel_path] = cached
        return cached

    def add_root(self, root: TargetRoot) -> None:
        rel = posixpath.normpath(root.target.root)
        if rel in self.file_module:  # shared with an earlier target (the lib wins)
            return
        pf = self.get_file(rel)
        if pf is None:
            self.problems.append(
                Problem(
                    self.where(rel), 0, f"target `{root.target.name}` root file is missing", "error"
                )
            )
            return
        path = root.crate_name
        self.modules.setdefault(path, ModuleInfo(path, None, path))
        self.nodes.append(ModuleNode(path, rel, None, None))
        self.mount(pf, path, path, posixpath.dirname(rel), chain=(rel,))

    def mount(
        self, pf: ParsedFile, module: str, crate_root: str, child_dir: str, chain: tuple[str, ...]
    ) -> None:
        self.file_module[pf.rel_path] = module
        self.walk(pf, None, module, crate_root, child_dir, inline_depth=0, chain=chain)

    def walk(
        self,
        pf: ParsedFile,
        parent: int | None,
        module: str,
        crate_root: str,
        child_dir: str,
        inline_depth: int,
        chain: tuple[str, ...],
    ) -> None:
        for idx in self.children(pf).get(parent, []):
            item = pf.items[idx]
            if item.kind != "mod" or not is_ident(item.name):
                continue
            name = _plain(item.name)
            sub = f"{module}::{item.name}"
            info = self.modules.get(sub)
            if info is None:
                info = ModuleInfo(sub, module, crate_root)
                self.modules[sub] = info
            info.decls.append((pf.rel_path, idx))
            if item.mod_inline:
                self.inline_module[(pf.rel_path, idx)] = sub
                self.nodes.append(ModuleNode(sub, None, idx, pf.rel_path))
                sub_dir = posixpath.join(child_dir, item.attrs.path_attr or name)
                self.walk(pf, idx, sub, crate_root, sub_dir, inline_depth + 1, chain)
                continue
            self.declare_file_module(pf, idx, item, sub, crate_root, child_dir, inline_depth, chain)

    def declare_file_module(
        self,
        pf: ParsedFile,
        idx: int,
        item: RawItem,
        sub: str,
        crate_root: str,
        child_dir: str,
        inline_depth: int,
        chain: tuple[str, ...],
    ) -> None:
        name = _plain(item.name)
        here = self.where(pf.rel_path)
        if item.attrs.path_attr is not None:
            # Outside inline modules a #[path] is relative to the declaring file's folder;
            # inside them, to the folder the inline modules stand for (Rust reference).
            base = child_dir if inline_depth else posixpath.dirname(pf.rel_path)
            attr = item.attrs.path_attr.replace("\\", "/")
            target = posixpath.normpath(posixpath.join(base, attr))
            if posixpath.isabs(attr) or target == ".." or target.startswith("../"):
                self.problems.append(
                    Problem(
                        here,
                        item.line_start,
                        f'#[path = "{attr}"] on module `{name}` leaves the crate root; refused',
                        "error",
                    )
                )
                return
            if not self.exists(target):
                self.problems.append(
                    Problem(
                        here,
                        item.line_start,
                        f"module `{name}` declared here but #[path] file {target} does not exist",
                        "error",
                    )
                )
                return
            grand_dir = posixpath.dirname(target)  # #[path] files act as mod.rs files
        else:
            flat = posixpath.join(child_dir, f"{name}.rs")
            nested = posixpath.join(child_dir, name, "mod.rs")
            if self.exists(flat):
                target, grand_dir = flat, posixpath.join(child_dir, name)
            elif self.exists(nested):
                target, grand_dir = nested, posixpath.join(child_dir, name)
            else:
                self.problems.append(
                    Problem(
                        here,
                        item.line_start,
                        f"module `{name}` declared here but neither {flat} nor {nested} exists",
                        "error",
                    )
                )
                return
        self.attach(pf, idx, item, sub, crate_root, target, grand_dir, chain)

    def attach(
        self,
        pf: ParsedFile,
        idx: int,
        item: RawItem,
        sub: str,
        crate_root: str,
        target: str,
        grand_dir: str,
        chain: tuple[str, ...],
    ) -> None:
        here = self.where(pf.rel_path)
        if target in chain:
            self.problems.append(
                Problem(
                    here,
                    item.line_start,
                    f"module `{item.name}` would include {target} inside itself; cycle refused",
                    "error",
                )
            )
            return
        if len(chain) >= MAX_MODULE_FILE_DEPTH:
            # Each level costs a few stack frames; a hostile chain of `mod` files must
            # end in a problem, not in Python's recursion limit.
            self.problems.append(
                Problem(
                    here,
                    item.line_start,
                    f"module `{item.name}` is nested more than {MAX_MODULE_FILE_DEPTH} files "
                    f"deep; {target} and the modules below it were not included",
                    "error",
                )
            )
            return
        mounted = self.file_module.get(target)
        if mounted is not None:
            # The same declaration under two cfg-alternative macros is one module; any
            # other second inclusion would make every item in the file appear twice.
            same_target = self.modules[mounted].crate_root == crate_root
            if mounted != sub and same_target:  # across targets the lib simply wins
                self.problems.append(
                    Problem(
                        here,
                        item.line_start,
                        f"{target} is already module `{mounted}`; not included again as `{sub}`",
                    )
                )
            return
        child = self.get_file(target)
        if child is None:  # exists() said yes, so only a loader flip-flop gets here
            return
        self.nodes.append(ModuleNode(sub, target, idx, pf.rel_path))
        self.mount(child, sub, crate_root, grand_dir, (*chain, target))


def build_module_tree(
    crate: CrateSource,
    files: Mapping[str, ParsedFile],
    load_file: FileLoader | None,
    prepare: Callable[[ParsedFile], ParsedFile] | None = None,
) -> ModuleTree:
    """Module trees of every target of `crate`; the lib first, so it keeps shared files.
    `prepare` rewrites each file a module mounts before its `mod` items are read."""
    builder = _TreeBuilder(crate, files, load_file, prepare)
    ordered = sorted(crate.targets, key=lambda t: 0 if t.kind == "lib" else 1)
    roots: list[TargetRoot] = []
    for t in ordered:
        name = crate_name_of(crate, t)
        if any(r.crate_name == name for r in roots):
            # A bin named like the lib would share its module paths; "-" cannot occur in
            # a Rust name, so the suffix can never collide with a real crate.
            name = f"{name}-{t.kind}"
        roots.append(TargetRoot(t, name))
    for root in roots:
        builder.add_root(root)
    unlinked = sorted(rel for rel in builder.files if rel not in builder.file_module)
    for rel in unlinked:
        builder.problems.append(
            Problem(builder.where(rel), 0, "not linked from any module tree", "warning")
        )
    return ModuleTree(
        modules=builder.modules,
        nodes=builder.nodes,
        file_module=builder.file_module,
        inline_module=builder.inline_module,
        files=builder.files,
        roots=roots,
        unlinked=unlinked,
        problems=builder.problems,
    )
