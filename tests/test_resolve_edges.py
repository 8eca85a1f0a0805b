"""Canonical paths, impls and edges on the `traits` fixture; targets on `multi`."""

from __future__ import annotations

import pytest

from rustrag.model import ResolvedCrate, Target
from test_resolve_helpers import edges_from, fixture_crate, item, resolve_dir


@pytest.fixture(scope="module")
def tr() -> ResolvedCrate:
    return resolve_dir(fixture_crate("traits"))


def test_method_paths_follow_the_self_type(tr: ResolvedCrate) -> None:
    new = item(tr, "traits::Square::new", "method")
    assert new.public and new.paths == ["traits::Square::new"]
    assert not item(tr, "traits::Square::validate", "method").public
    # trait impl members are public with the type even without `pub`
    assert item(tr, "traits::Square::area", "method").public
    assert item(tr, "traits::Square::SIDES", "assoc_const").public


def test_trait_items_and_private_trait_impls(tr: ResolvedCrate) -> None:
    assert item(tr, "traits::Shape::name", "method").paths == ["traits::Shape::name"]
    assert item(tr, "traits::Shape::Unit", "assoc_type").public
    assert not item(tr, "traits::Sealed", "trait").public
    assert not item(tr, "traits::Square::sealed_method", "method").public


def test_impls_on_foreign_types_use_the_type_as_written(tr: ResolvedCrate) -> None:
    assert not item(tr, "traits::u8::mark", "method").public
    assert item(tr, "traits::Vec::mark", "method").parent_id == (
        "traits@0.1.0|traits::<impl Marker for Vec<T>>|impl"
    )


def test_impl_edges(tr: ResolvedCrate) -> None:
    square = item(tr, "traits::Square", "struct")
    shape = item(tr, "traits::Shape", "trait")
    impl = item(tr, "traits::<impl Shape for Square>", "impl")
    inherent = item(tr, "traits::<impl Square>", "impl")
    assert [e.dst for e in edges_from(tr, impl, "impl_of")] == [shape.item_id]
    assert [e.dst for e in edges_from(tr, impl, "impl_for")] == [square.item_id]
    assert [e.dst for e in edges_from(tr, square, "inherent_impl")] == [inherent.item_id]
    implemented = {e.dst for e in edges_from(tr, square, "implements") if not e.via}
    assert shape.item_id in implemented
    contained = {e.dst for e in edges_from(tr, impl, "contains")}
    assert item(tr, "traits::Square::area", "method").item_id in contained


def test_derives_are_unresolved_std_traits(tr: ResolvedCrate) -> None:
    square = item(tr, "traits::Square", "struct")
    derived = {(e.target, e.dst) for e in edges_from(tr, square, "implements") if e.via == "derive"}
    assert derived == {("Debug", None), ("Clone", None)}


def test_calls(tr: ResolvedCrate) -> None:
    new = item(tr, "traits::Square::new", "method")
    double = item(tr, "traits::Square::double", "method")
    helper = item(tr, "traits::helper", "fn")
    validate = item(tr, "traits::Square::validate", "method")
    assert {(e.target, e.dst) for e in edges_from(tr, new, "calls")} == {
        ("Self::validate", validate.item_id)
    }
    assert {(e.target, e.dst) for e in edges_from(tr, double, "calls")} == {
        ("helper", helper.item_id),
        ("Square::new", new.item_id),
    }


def test_method_calls_resolve_only_when_unique(tr: ResolvedCrate) -> None:
    measure = item(tr, "traits::measure", "fn")
    calls = {e.target: e for e in edges_from(tr, measure, "calls")}
    unique = item(tr, "traits::Square::unique_method_name", "method")
    assert calls["unique_method_name"].dst == unique.item_id
    assert calls["unique_method_name"].via == "method_call"
    assert calls["area"].dst is None  # the trait's and the impl's `area`


def test_bounds_and_generic_params(tr: ResolvedCrate) -> None:
    generic = item(tr, "traits::generic", "fn")
    shape = item(tr, "traits::Shape", "trait")
    assert [e.dst for e in edges_from(tr, generic, "bound")] == [shape.item_id]
    assert edges_from(tr, generic, "uses_type") == []  # `T` makes no edge


def test_use_super_glob_in_test_module(tr: ResolvedCrate) -> None:
    check = item(tr, "traits::tests::check", "fn")
    targets = {(e.target, e.dst) for e in edges_from(tr, check, "calls")}
    assert ("helper", item(tr, "traits::helper", "fn").item_id) in targets


def test_contains_fields_and_variants(tr: ResolvedCrate) -> None:
    event = item(tr, "traits::Event", "enum")
    click = item(tr, "traits::Event::Click", "variant")
    assert {e.target for e in edges_from(tr, event, "contains")} == {"Click", "Key", "Quit"}
    assert {e.target for e in edges_from(tr, click, "contains")} == {"x", "y"}
    assert item(tr, "traits::Event::Click::x", "field").paths == ["traits::Event::Click::x"]


@pytest.fixture(scope="module")
def multi() -> ResolvedCrate:
    targets = [
        Target("bin", "multi-tool", "src/main.rs"),
        Target("lib", "multi", "src/lib.rs"),
        Target("example", "demo", "examples/demo.rs"),
    ]
    return resolve_dir(fixture_crate("multi", targets=targets))


def test_targets_get_their_own_trees(multi: ResolvedCrate) -> None:
    roots = {m.path: m.file for m in multi.modules if m.declared_in is None}
    assert roots == {"multi": "src/lib.rs", "multi_tool": "src/main.rs", "demo": "examples/demo.rs"}
    assert not item(multi, "multi_tool::main", "fn").public
    assert item(multi, "multi_tool::cli::run", "fn").module == "multi_tool::cli"


def test_file_shared_by_lib_and_bin_belongs_to_the_lib(multi: ResolvedCrate) -> None:
    shared = item(multi, "multi::shared::shared_fn", "fn")
    assert shared.public
    assert not any(it.path.startswith("multi_tool::shared_again::") for it in multi.items)
    assert multi.unlinked_files == []


def test_bins_and_examples_see_the_lib(multi: ResolvedCrate) -> None:
    thing = item(multi, "multi::Thing", "struct")
    use = item(multi, "multi_tool::Thing", "use")
    assert [e.dst for e in edges_from(multi, use, "imports")] == [thing.item_id]
    demo_main = item(multi, "demo::main", "fn")
    shared = item(multi, "multi::shared::shared_fn", "fn")
    assert [e.dst for e in edges_from(multi, demo_main, "calls")] == [shared.item_id]
