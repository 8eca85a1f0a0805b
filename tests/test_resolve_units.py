"""Narrow checks: type text helpers, 2015 `use` paths, and malformed input never raising."""

from __future__ import annotations

import pytest

from rustrag.model import Attrs, CrateSource, ItemKind, ParsedFile, RawItem, Target, UseEntry
from rustrag.resolve import export_table, resolve_crate
from rustrag.resolve.typetext import as_type_path, generic_param_names, strip_generics
from test_resolve_helpers import (
    FIXTURES,
    edges_from,
    fixture_crate,
    item,
    make_crate,
    resolve_dir,
)
from test_resolve_helpers import table_of as table_of_crate


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("Foo<T>", "Foo"),
        ("&'a mut crate::a::Bar<'a, T>", "crate::a::Bar"),
        ("dyn Trait + Send", "Trait"),
        ("[T]", None),
        ("(A, B)", None),
        ("fn(u8) -> u8", None),
    ],
)
def test_as_type_path(text: str, path: str | None) -> None:
    assert as_type_path(text) == path


def test_strip_generics_keeps_arrows() -> None:
    assert strip_generics("Box<dyn Fn(u8) -> Vec<u8>>") == "Box"
    assert strip_generics("fn(A) -> B") == "fn(A) -> B"


def test_generic_param_names() -> None:
    assert generic_param_names("<'a, T: Clone + 'a, const N: usize, U = u8>") == {"T", "N", "U"}
    assert generic_param_names("") == set()


def test_edition_2015_use_paths_start_at_the_root() -> None:
    dep_table = table_of_crate(resolve_dir(fixture_crate("depcrate", "0.2.0")))
    crate = make_crate(
        f"{FIXTURES}/edition2015",
        "edition2015",
        edition="2015",
        dependencies={"depcrate": "depcrate@0.2.0"},
    )
    resolved = resolve_dir(crate, {"depcrate": dep_table})
    f = item(resolved, "edition2015::b::f", "fn")
    used = {(e.target, e.dst) for e in edges_from(resolved, f, "uses_type")}
    assert used == {
        ("Thing", "edition2015@0.1.0|edition2015::a::Thing|struct"),
        ("DepType", "depcrate@0.2.0|depcrate::DepType|struct"),  # via `extern crate .. as dc`
    }
    broken = item(resolved, "edition2015::broken", "fn")
    unresolved = {(e.kind, e.target, e.dst) for e in resolved.edges if e.src == broken.item_id}
    assert unresolved == {("uses_type", "NoSuchType", None), ("calls", "unknown_crate::g", None)}


def raw(kind: ItemKind, name: str, parent: int | None, **extra: object) -> RawItem:
    base = RawItem(
        kind=kind,
        name=name,
        parent=parent,
        visibility="pub",
        generics="",
        where_clause="",
        signature="",
        docs="",
        attrs=Attrs(),
        line_start=1,
        line_end=1,
        byte_start=0,
        byte_end=1,
        fingerprint="",
    )
    for key, value in extra.items():
        setattr(base, key, value)
    return base


def test_malformed_items_do_not_stop_resolution() -> None:
    items = [
        raw("mod", "$name", None),  # a macro template's placeholder
        raw("fn", "orphan", 99),  # parent index out of range
        raw("use", "", None, uses=[UseEntry(path=[], glob=False)]),
        raw("use", "", None, uses=[UseEntry(path=["nowhere", "x"], glob=True)]),
        raw("impl", "", None, impl_self="[u8]", impl_trait="Weird"),
        raw("method", "m", 4),
        raw("struct", "S", None),
    ]
    pf = ParsedFile(
        path="/x/src/lib.rs",
        rel_path="src/lib.rs",
        size=1,
        mtime_ns=0,
        blake3="",
        lines=1,
        items=items,
    )
    crate = CrateSource(
        name="bad",
        version="1.0.0",
        root="/x",
        source="path",
        targets=[Target("lib", "bad", "src/lib.rs"), Target("bin", "gone", "src/bin/gone.rs")],
        files=["src/lib.rs"],
    )
    resolved = resolve_crate(crate, {"src/lib.rs": pf}, {})
    assert len(resolved.items) == len(items)
    assert item(resolved, "bad::[u8]::m", "method").parent_id is not None
    assert any("gone" in p.reason and p.severity == "error" for p in resolved.problems)
    assert export_table(resolved).paths["bad::S"] == [("bad@1.0.0|bad::S|struct", "struct")]
