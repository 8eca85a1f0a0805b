"""Public paths on the `reexports` fixture (plus `depcrate` as an indexed dependency)."""

from __future__ import annotations

import pytest

from rustrag.model import ExportTable, ResolvedCrate
from test_resolve_helpers import fixture_crate, item, resolve_dir, table_of

DEP_ID = "depcrate@0.2.0"


@pytest.fixture(scope="module")
def dep_table() -> ExportTable:
    return table_of(resolve_dir(fixture_crate("depcrate", "0.2.0")))


@pytest.fixture(scope="module")
def rx(dep_table: ExportTable) -> ResolvedCrate:
    crate = fixture_crate("reexports", dependencies={"depcrate": DEP_ID})
    return resolve_dir(crate, {"depcrate": dep_table})


@pytest.fixture(scope="module")
def table(rx: ResolvedCrate) -> ExportTable:
    return table_of(rx)


def test_private_module_item_public_only_through_pub_use(rx: ResolvedCrate) -> None:
    exposed = item(rx, "reexports::private::Exposed", "struct")
    assert exposed.public and exposed.paths == ["reexports::Exposed"]
    hidden = item(rx, "reexports::private::Hidden", "struct")
    assert not hidden.public and hidden.paths == []


def test_pub_crate_is_never_public(rx: ResolvedCrate) -> None:
    assert not item(rx, "reexports::private::CrateOnly", "struct").public
    assert not item(rx, "reexports::globs::inner::NotExported", "struct").public
    assert not item(rx, "reexports::CrateOnly", "use").public


def test_rename(rx: ResolvedCrate) -> None:
    assert item(rx, "reexports::private::exposed_fn", "fn").paths == ["reexports::renamed_fn"]


def test_chain_of_pub_uses_through_private_modules(rx: ResolvedCrate) -> None:
    target = item(rx, "reexports::deep::Target", "struct")
    assert target.paths == ["reexports::chain::Chained"]


def test_glob_reexport_and_explicit_shadowing(rx: ResolvedCrate, table: ExportTable) -> None:
    assert item(rx, "reexports::globs::inner::FromGlob", "struct").paths == [
        "reexports::globs::FromGlob"
    ]
    local = item(rx, "reexports::globs::Shadowed", "struct")
    shadowed = item(rx, "reexports::globs::inner::Shadowed", "struct")
    assert local.paths == ["reexports::globs::Shadowed"]
    assert shadowed.paths == [] and not shadowed.public
    assert table.paths["reexports::globs::Shadowed"] == [(local.item_id, "struct")]


def test_glob_cycle_settles(rx: ResolvedCrate) -> None:
    in_a = item(rx, "reexports::cycle_a::InA", "struct")
    in_b = item(rx, "reexports::cycle_b::InB", "struct")
    assert in_a.paths == ["reexports::cycle_a::InA", "reexports::cycle_b::InA"]
    assert in_b.paths == ["reexports::cycle_b::InB", "reexports::cycle_a::InB"]


def test_enum_variants_and_fields(rx: ResolvedCrate) -> None:
    red = item(rx, "reexports::Color::Red", "variant")
    assert red.paths == ["reexports::Color::Red", "reexports::Red", "reexports::colors::Rouge"]
    level = item(rx, "reexports::Color::Blue::level", "field")
    assert level.public and level.paths[0] == "reexports::Color::Blue::level"
    assert item(rx, "reexports::Color::Green::0", "field").public


def test_struct_fields_follow_their_visibility(rx: ResolvedCrate) -> None:
    assert item(rx, "reexports::Named::a", "field").paths == ["reexports::Named::a"]
    assert not item(rx, "reexports::Named::b", "field").public
    assert item(rx, "reexports::Tuple::0", "field").public
    assert not item(rx, "reexports::Tuple::1", "field").public


def test_macros(rx: ResolvedCrate, table: ExportTable) -> None:
    nested = item(rx, "reexports::nested_export", "macro_rules")
    assert nested.module == "reexports::macros" and nested.paths == ["reexports::nested_export"]
    assert not item(rx, "reexports::macros::local_only", "macro_rules").public
    assert set(table.macros) == {"exported", "nested_export"}


def test_doc_hidden_still_public(rx: ResolvedCrate) -> None:
    hidden = item(rx, "reexports::DocHidden", "struct")
    assert hidden.raw.attrs.doc_hidden and hidden.public


def test_reexports_from_another_crate(table: ExportTable) -> None:
    assert table.paths["reexports::DepType"] == [(f"{DEP_ID}|depcrate::DepType|struct", "struct")]
    assert table.paths["reexports::Aliased"] == [
        (f"{DEP_ID}|depcrate::hidden::Renamed|struct", "struct")
    ]
    assert table.paths["reexports::FromDepGlob"] == [
        (f"{DEP_ID}|depcrate::reexported::FromDepGlob|struct", "struct")
    ]
    assert table.paths["reexports::dep_fn"] == [(f"{DEP_ID}|depcrate::reexported::dep_fn|fn", "fn")]


def test_uses_into_dependency_and_std(rx: ResolvedCrate) -> None:
    takes = item(rx, "reexports::takes", "fn")
    uses = {(e.target, e.dst) for e in rx.edges if e.src == takes.item_id}
    assert ("DepType", f"{DEP_ID}|depcrate::DepType|struct") in uses
    assert ("Aliased", f"{DEP_ID}|depcrate::hidden::Renamed|struct") in uses
    assert ("depcrate::reexported::dep_fn", f"{DEP_ID}|depcrate::reexported::dep_fn|fn") in uses
    debug_use = item(rx, "reexports::Debug", "use")
    [edge] = [e for e in rx.edges if e.src == debug_use.item_id]
    assert (edge.kind, edge.dst, edge.via, edge.target) == (
        "imports",
        None,
        "extern",
        "std::fmt::Debug",
    )


def test_table_holds_only_public_paths(rx: ResolvedCrate, table: ExportTable) -> None:
    public_local = {p for it in rx.items if it.kind not in ("use", "impl") for p in it.paths}
    local_in_table = {
        p for p, hits in table.paths.items() if any(h[0].startswith("reexports@") for h in hits)
    }
    assert local_in_table == public_local
    assert all(p.startswith("reexports::") for p in table.paths)
