"""Glob imports at scale: a crate root with thousands of modules, each file importing
`use super::*;`, must resolve through the globs without copying every root name into
every module (that copy is importers x members: quadratic in the crate's size)."""

from __future__ import annotations

from rustrag.model import CrateSource, ParsedFile, ResolvedCrate, Target
from rustrag.parse import parse_bytes
from rustrag.resolve import resolve_crate
from rustrag.resolve.modtree import build_module_tree
from rustrag.resolve.scope import Resolver
from rustrag.resolve.slots import build_slots


def wide_crate(modules: int) -> tuple[CrateSource, dict[str, ParsedFile]]:
    """lib.rs declares and re-exports `modules` modules; module i uses module i+1's type
    through `use super::*;`, the shape of a crate that glob-imports its root everywhere."""
    root = "".join(f"pub mod m{i:05d};\npub use m{i:05d}::S{i:05d};\n" for i in range(modules))
    files = {"src/lib.rs": parse_bytes(root.encode(), "/w/src/lib.rs", "src/lib.rs")}
    for i in range(modules):
        rel = f"src/m{i:05d}.rs"
        text = (
            f"use super::*;\npub struct S{i:05d};\n"
            f"pub fn f{i:05d}(next: S{(i + 1) % modules:05d}) {{}}\n"
        )
        files[rel] = parse_bytes(text.encode(), f"/w/{rel}", rel)
    crate = CrateSource(
        "wide", "0.1.0", "/w", "path", targets=[Target("lib", "wide", "src/lib.rs")]
    )
    crate.files = sorted(files)
    return crate, files


def stored_bindings(modules: int) -> int:
    crate, files = wide_crate(modules)
    tree = build_module_tree(crate, files, None)
    resolver = Resolver(crate, tree, build_slots(tree), {})
    resolver.run_imports()
    return sum(
        len(binds)
        for scope in resolver.scopes.values()
        for table in (scope.explicit, scope.globbed)
        for binds in table.values()
    )


def uses_type_targets(resolved: ResolvedCrate, fn_path: str) -> list[str]:
    ids = {it.item_id: it.path for it in resolved.items}
    me = next(it.item_id for it in resolved.items if it.path == fn_path)
    return [
        ids.get(e.dst, e.dst) if e.dst else e.target
        for e in resolved.edges
        if e.src == me and e.kind == "uses_type"
    ]


def test_names_resolve_through_root_globs_in_a_2000_module_crate() -> None:
    crate, files = wide_crate(2000)
    resolved = resolve_crate(crate, files, {})
    assert uses_type_targets(resolved, "wide::m00007::f00007") == ["wide::m00008::S00008"]
    assert uses_type_targets(resolved, "wide::m01999::f01999") == ["wide::m00000::S00000"]
    public = {p for it in resolved.items if it.public for p in it.paths}
    assert "wide::S01234" in public
    assert "wide::m00005::S01234" not in public  # a private glob makes no public path


def test_bindings_grow_linearly_with_the_number_of_globbing_modules() -> None:
    small, large = stored_bindings(1000), stored_bindings(2000)
    # Copying the root's 4,000 names into each of 2,000 modules would make this ~4x.
    assert large <= 2.1 * small, (small, large)


def test_glob_cycles_between_parent_and_child_end() -> None:
    lib = b"pub mod a;\nuse a::*;\npub struct Top;\npub fn g(x: Inner) {}\n"
    a = b"use super::*;\npub struct Inner;\npub fn h(x: Top) {}\npub fn k(x: Missing) {}\n"
    files = {
        "src/lib.rs": parse_bytes(lib, "/c/src/lib.rs", "src/lib.rs"),
        "src/a.rs": parse_bytes(a, "/c/src/a.rs", "src/a.rs"),
    }
    crate = CrateSource("cyc", "0.1.0", "/c", "path", targets=[Target("lib", "cyc", "src/lib.rs")])
    crate.files = sorted(files)
    resolved = resolve_crate(crate, files, {})
    assert uses_type_targets(resolved, "cyc::g") == ["cyc::a::Inner"]
    assert uses_type_targets(resolved, "cyc::a::h") == ["cyc::Top"]
    assert uses_type_targets(resolved, "cyc::a::k") == ["Missing"]  # unresolved, as written
