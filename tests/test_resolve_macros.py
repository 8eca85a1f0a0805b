"""Expansion of a crate's own macro_rules: repetitions, nested calls, cfg wrapping,
methods made inside impls, bounded recursion, and real crates' generated items."""

from __future__ import annotations

import pytest

from rustrag.limits import MAX_MACRO_EXPANSION_DEPTH
from rustrag.model import ResolvedCrate
from test_resolve_helpers import fixture_crate, item, registry_crate, resolve_dir


@pytest.fixture(scope="module")
def mx() -> ResolvedCrate:
    return resolve_dir(fixture_crate("macros"))


def test_repetition_makes_one_struct_per_entry_with_its_doc(mx: ResolvedCrate) -> None:
    abstract = item(mx, "macros::kw::Abstract", "struct")
    assert abstract.paths == ["macros::kw::Abstract"]
    assert abstract.raw.in_macro and abstract.raw.macro_name == "define_keywords"
    assert abstract.raw.docs == "`abstract`"
    assert abstract.module == "macros::kw"
    # the struct's span is where its name was written, inside the call
    assert abstract.raw.line_start == abstract.raw.line_end == 6
    assert item(mx, "macros::kw::As::span", "field").paths == ["macros::kw::As::span"]
    assert item(mx, "macros::kw::As::default", "method").public


def test_items_in_an_expanded_call_are_not_also_read_from_its_text(mx: ResolvedCrate) -> None:
    fast = [it for it in mx.items if it.name == "fast"]
    assert len(fast) == 1
    points = [it for it in mx.items if it.name == "Point" and it.kind == "struct"]
    assert len(points) == 1


def test_cfg_written_in_the_macro_body_reaches_the_items(mx: ResolvedCrate) -> None:
    fast = item(mx, "macros::fast", "fn")
    assert fast.raw.attrs.cfg == 'feature = "fast"'
    assert fast.raw.docs == "Fast path."
    assert (fast.raw.line_start, fast.raw.line_end) == (12, 13)  # its own lines, docs included
    assert item(mx, "macros::Quick", "struct").raw.attrs.cfg == 'feature = "fast"'


def test_fragments_types_and_optional_trailing_separator(mx: ResolvedCrate) -> None:
    x = item(mx, "macros::Point::x", "method")
    assert x.raw.signature == "pub fn x(&self) -> i32"
    assert item(mx, "macros::Point::y", "field").public


def test_nested_macro_call_in_an_expansion_is_expanded(mx: ResolvedCrate) -> None:
    nested = item(mx, "macros::Nested", "struct")
    assert nested.raw.docs == "made twice removed"
    assert nested.raw.macro_name == "define_keywords"


def test_calls_inside_an_impl_make_methods(mx: ResolvedCrate) -> None:
    one = item(mx, "macros::Counter::one", "method")
    assert one.public and one.raw.signature == "pub fn one(&self) -> u32"
    assert item(mx, "macros::Counter::two", "method").parent_id is not None


def test_unknown_macro_keeps_the_items_written_in_it(mx: ResolvedCrate) -> None:
    kept = item(mx, "macros::KeptAsWritten", "struct")
    assert kept.raw.in_macro and kept.raw.macro_name == "external_unknown"


def test_self_recursive_macro_stops_at_the_bound_with_a_problem(mx: ResolvedCrate) -> None:
    reasons = [p.reason for p in mx.problems if "forever" in p.reason]
    assert reasons and str(MAX_MACRO_EXPANSION_DEPTH) in reasons[0]


def test_ids_are_the_same_on_every_run(mx: ResolvedCrate) -> None:
    again = resolve_dir(fixture_crate("macros"))
    assert [(it.item_id, it.raw.fingerprint) for it in again.items] == [
        (it.item_id, it.raw.fingerprint) for it in mx.items
    ]


@pytest.fixture(scope="module")
def nom() -> ResolvedCrate:
    return resolve_dir(registry_crate("nom-7.1.1", "nom", edition="2018"))


def test_nom_integer_parsers_made_by_a_local_macro(nom: ResolvedCrate) -> None:
    u8s = [it for it in nom.items if it.kind == "fn" and it.name == "u8"]
    paths = {p for it in u8s for p in it.paths}
    # rustdoc's truth for nom 7.1.1 lists all four
    assert {
        "nom::character::complete::u8",
        "nom::character::streaming::u8",
        "nom::number::complete::u8",
        "nom::number::streaming::u8",
    } <= paths


def test_log_value_conversions_made_by_a_local_macro() -> None:
    log = resolve_dir(registry_crate("log-0.4.17", "log", edition="2015"))
    paths = {p for it in log.items if it.kind == "method" and it.name == "to_u64" for p in it.paths}
    assert "log::kv::Value::to_u64" in paths
