"""Paths of impls found in fn bodies, of impls for references, and of bitflags consts."""

from __future__ import annotations

import pytest

from rustrag.model import ResolvedCrate
from test_resolve_helpers import fixture_crate, item, resolve_dir


@pytest.fixture(scope="module")
def rx() -> ResolvedCrate:
    return resolve_dir(fixture_crate("bodyimpls"))


def test_impl_in_fn_body_is_public_with_its_type(rx: ResolvedCrate) -> None:
    [impl] = [it for it in rx.items if it.kind == "impl" and it.raw.impl_self == "Thing"]
    assert impl.public
    assert impl.parent_id == item(rx, "bodyimpls::register", "fn").item_id
    method = item(rx, "bodyimpls::Thing::name", "method")
    assert method.public and "bodyimpls::Thing::name" in method.paths


def test_impl_for_a_reference_gives_no_type_paths(rx: ResolvedCrate) -> None:
    next_method = item(rx, "bodyimpls::Cursor::next", "method")
    assert next_method.paths == []
    assert item(rx, "bodyimpls::Cursor::new", "method").paths == ["bodyimpls::Cursor::new"]


def test_bitflags_constants_are_paths_of_their_struct(rx: ResolvedCrate) -> None:
    read = item(rx, "bodyimpls::Mode::READ", "assoc_const")
    assert read.paths == ["bodyimpls::Mode::READ"] and read.raw.in_macro
    assert item(rx, "bodyimpls::Mode", "struct").public
