"""parse on a fixture that holds every item kind: names, parents, text, attrs, spans, refs."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustrag.model import ITEM_KINDS, ParsedFile, RawItem, UseEntry
from rustrag.parse import parse_file

FIXTURE = Path(__file__).parent / "fixtures" / "parse" / "kinds.rs"
SOURCE = FIXTURE.read_bytes()


@pytest.fixture(scope="module")
def parsed() -> ParsedFile:
    return parse_file(str(FIXTURE), "src/kinds.rs")


def find(parsed: ParsedFile, kind: str, name: str, parent: RawItem | None = None) -> RawItem:
    found = [
        item
        for item in parsed.items
        if item.kind == kind
        and item.name == name
        and (parent is None or (item.parent is not None and parsed.items[item.parent] is parent))
    ]
    assert len(found) == 1, f"{kind} {name}: {len(found)} matches"
    return found[0]


def line_of(text: str, after: int = 0) -> int:
    """1-based line of the first fixture line containing `text`, at or after line `after`."""
    for number, line in enumerate(SOURCE.decode().splitlines(), start=1):
        if number >= after and text in line:
            return number
    raise AssertionError(f"{text!r} not in fixture")


def parent_of(parsed: ParsedFile, item: RawItem) -> RawItem:
    assert item.parent is not None
    return parsed.items[item.parent]


def test_every_item_kind_is_found(parsed: ParsedFile) -> None:
    assert {item.kind for item in parsed.items} == set(ITEM_KINDS)
    assert parsed.problems == []


def test_fns_in_impls_and_traits_are_methods_even_without_self(parsed: ParsedFile) -> None:
    trait = find(parsed, "trait", "Draw")
    name = find(parsed, "method", "name", trait)
    assert name.signature == "fn name() -> &'static str"
    new = find(parsed, "method", "new")
    impl = parent_of(parsed, new)
    assert impl.kind == "impl"
    assert impl.impl_self == "Point<T, N>"
    assert impl.impl_trait is None


def test_assoc_items_take_assoc_kinds(parsed: ParsedFile) -> None:
    trait = find(parsed, "trait", "Draw")
    assert find(parsed, "assoc_type", "Canvas", trait).signature == "type Canvas: Surface"
    assert find(parsed, "assoc_const", "LAYERS", trait).signature == "const LAYERS: usize"
    impl = parent_of(parsed, find(parsed, "assoc_const", "DIMS"))
    assert impl.kind == "impl"
    trait_impl = [i for i in parsed.items if i.kind == "impl" and i.impl_trait == "Draw"]
    assert [i.impl_self for i in trait_impl] == ["Shape"]
    assert trait_impl[0].is_unsafe


def test_fields_and_variants_have_their_parents(parsed: ParsedFile) -> None:
    point = find(parsed, "struct", "Point")
    assert [
        i.name
        for i in parsed.items
        if i.kind == "field" and i.parent is not None and parsed.items[i.parent] is point
    ] == ["coords", "label", "hidden"]
    pair = find(parsed, "struct", "Pair")
    tuple_fields = [
        i for i in parsed.items if i.parent is not None and parsed.items[i.parent] is pair
    ]
    assert [(f.name, f.visibility, f.signature) for f in tuple_fields] == [
        ("0", "pub", "pub u8"),
        ("1", "pub(super)", "pub(super) Label"),
    ]
    assert tuple_fields[1].attrs.other == ["allow(unused)"]
    shape = find(parsed, "enum", "Shape")
    circle = find(parsed, "variant", "Circle", shape)
    assert find(parsed, "field", "radius", circle).signature == "radius: f64"
    square = find(parsed, "variant", "Square", shape)
    assert find(parsed, "field", "0", square).signature == "f64"
    assert circle.signature == "Circle { radius: f64, centre: Point<f64, 2> }"
    assert find(parsed, "variant", "Dot", shape).signature == "Dot = 7"
    bits = find(parsed, "union", "Bits")
    assert find(parsed, "field", "int", bits).visibility == "pub"


def test_items_in_fn_bodies_are_skipped_but_inline_mods_are_read(parsed: ParsedFile) -> None:
    assert not [i for i in parsed.items if i.name == "local_helper"]
    module = find(parsed, "mod", "inline")
    assert module.mod_inline
    assert parent_of(parsed, find(parsed, "fn", "inside")) is module
    assert not find(parsed, "mod", "outlined").mod_inline


def test_extern_block_items_sit_at_the_enclosing_level(parsed: ParsedFile) -> None:
    c_abs = find(parsed, "fn", "c_abs")
    errno = find(parsed, "static", "C_ERRNO")
    assert c_abs.parent is None and errno.parent is None
    assert c_abs.signature == "pub fn c_abs(x: i32) -> i32"


def test_visibility_forms(parsed: ParsedFile) -> None:
    assert find(parsed, "struct", "Point").visibility == "pub"
    assert find(parsed, "field", "label").visibility == "pub(crate)"
    assert find(parsed, "field", "hidden").visibility == ""
    assert find(parsed, "fn", "compute").visibility == "pub(in crate::shapes)"
    assert find(parsed, "extern_crate", "alloc").visibility == "pub(crate)"


def test_signatures_generics_and_where_clauses(parsed: ParsedFile) -> None:
    compute = find(parsed, "fn", "compute")
    assert compute.signature == (
        "pub(in crate::shapes) async unsafe fn compute<'a, I>(items: I, limit: Limit) "
        "-> Vec<Output<'a>> where I: IntoIterator<Item = &'a Input> + Send"
    )
    assert compute.generics == "<'a, I>"
    assert compute.where_clause == "where I: IntoIterator<Item = &'a Input> + Send"
    assert (compute.is_async, compute.is_unsafe, compute.is_const) == (True, True, False)
    assert find(parsed, "method", "new").is_const
    point = find(parsed, "struct", "Point")
    assert point.generics == "<T: Copy + Default, const N: usize>"
    assert point.where_clause == "where T: PartialOrd"
    assert point.signature == (
        "pub struct Point<T: Copy + Default, const N: usize> where T: PartialOrd"
    )
    assert find(parsed, "const", "LIMIT").signature == "pub const LIMIT: Limit"
    assert find(parsed, "static", "COUNTER").signature == "pub static COUNTER: AtomicUsize"
    assert find(parsed, "type_alias", "Table").signature == "pub type Table<V> = HashMap<Key, V>"
    assert find(parsed, "macro_rules", "square").signature == "macro_rules! square"
    assert find(parsed, "struct", "Pair").signature == "pub struct Pair(pub u8, pub(super) Label)"
    assert find(parsed, "trait", "Draw").signature == (
        "pub unsafe trait Draw: Clone + fmt::Debug + Send where Self: Sized"
    )


def test_doc_comments_and_doc_attributes(parsed: ParsedFile) -> None:
    assert find(parsed, "struct", "Point").docs == "A point in space.\n\nSecond paragraph."
    assert find(parsed, "field", "coords").docs == "The coordinates."
    assert find(parsed, "field", "hidden").docs == ""  # a plain // comment is not a doc
    assert parsed.inner_docs == (
        "Crate docs, first line.\n  Indented second line.\nThird line from an attribute."
    )
    assert parsed.inner_attrs == ['doc = "Third line from an attribute."', "allow(dead_code)"]
    module = find(parsed, "mod", "inline")
    assert module.docs == "Inner docs of the inline module."
    assert module.attrs.cfg == "test"


def test_attributes(parsed: ParsedFile) -> None:
    point = find(parsed, "struct", "Point").attrs
    assert point.derives == ["Debug", "Clone", "serde::Serialize"]
    assert point.cfg == 'feature = "geometry"'
    assert point.other == []
    assert find(parsed, "enum", "Shape").attrs.other == ["non_exhaustive"]
    dot = find(parsed, "variant", "Dot").attrs
    assert (dot.deprecated, dot.deprecated_note, dot.deprecated_since) == (
        True,
        "use Shape::Circle",
        None,
    )
    old = find(parsed, "fn", "old").attrs
    assert (old.deprecated, old.deprecated_note, old.deprecated_since) == (
        True,
        'use "compute" instead',
        "0.2.0",
    )
    assert find(parsed, "fn", "compute").attrs.doc_hidden
    assert find(parsed, "mod", "outlined").attrs.path_attr == "other_name.rs"
    assert find(parsed, "mod", "outlined").docs == "Outer docs of the module."
    assert find(parsed, "macro_rules", "square").attrs.macro_export


def test_spans_include_docs_and_attributes(parsed: ParsedFile) -> None:
    point = find(parsed, "struct", "Point")
    assert point.line_start == line_of("/// A point in space.")
    assert point.line_end == line_of("hidden: io::Result") + 1
    text = SOURCE[point.byte_start : point.byte_end]
    assert text.startswith(b"/// A point in space.")
    assert text.endswith(b"}")
    coords = find(parsed, "field", "coords")
    assert (coords.line_start, coords.line_end) == (
        line_of("/// The coordinates."),
        line_of("pub coords:"),
    )
    relabel = find(parsed, "method", "relabel")
    assert relabel.line_start == line_of("pub fn relabel")
    assert relabel.line_end == line_of("self", after=line_of("validate(copy)") + 1) + 1
    assert SOURCE[relabel.byte_start : relabel.byte_end].startswith(b"pub fn relabel")
    old = find(parsed, "fn", "old")
    assert (old.line_start, old.line_end) == (line_of("#[deprecated(since"), line_of("pub fn old"))
    assert old.byte_end == len(SOURCE.rstrip(b"\n"))


def test_use_trees_are_flattened(parsed: ParsedFile) -> None:
    uses = [i for i in parsed.items if i.kind == "use"]
    assert [u.uses for u in uses] == [
        [UseEntry(["std", "collections", "HashMap"])],
        [
            UseEntry(["crate", "shapes"]),
            UseEntry(["crate", "shapes", "circle", "Circle"], alias="Round"),
            UseEntry(["crate", "shapes", "square"], glob=True),
        ],
        [UseEntry(["", "core", "fmt"])],
    ]
    assert uses[1].visibility == "pub"
    assert uses[1].uses[1].name == "Round"
    extern = find(parsed, "extern_crate", "alloc")
    assert extern.uses == [UseEntry(["alloc"], alias="heap")]


def test_type_refs_drop_generic_args_and_primitives(parsed: ParsedFile) -> None:
    hidden = find(parsed, "field", "hidden")
    assert [(r.kind, r.path) for r in hidden.refs] == [
        ("uses_type", "io::Result"),
        ("uses_type", "HashMap"),
        ("uses_type", "Key"),
        ("uses_type", "Value"),
    ]
    assert {r.line for r in hidden.refs} == {line_of("hidden: io::Result")}
    assert find(parsed, "field", "int").refs == []  # u32 is a primitive
    assert find(parsed, "field", "coords").refs == []  # T is the struct's own parameter
    table = find(parsed, "type_alias", "Table")
    assert [r.path for r in table.refs] == ["HashMap", "Key"]


def test_bounds_supertraits_and_derives(parsed: ParsedFile) -> None:
    draw = find(parsed, "trait", "Draw")
    assert draw.supertraits == ["Clone", "fmt::Debug", "Send"]
    assert [(r.kind, r.path) for r in draw.refs] == [
        ("bound", "Clone"),
        ("bound", "fmt::Debug"),
        ("bound", "Send"),
        ("bound", "Sized"),
    ]
    compute = find(parsed, "fn", "compute")
    assert ("bound", "IntoIterator") in [(r.kind, r.path) for r in compute.refs]
    point = find(parsed, "struct", "Point")
    assert [r.path for r in point.refs if r.kind == "derive"] == [
        "Debug",
        "Clone",
        "serde::Serialize",
    ]
    assert [r.path for r in point.refs if r.kind == "bound"] == ["Copy", "Default", "PartialOrd"]


def test_calls_and_method_calls_in_bodies(parsed: ParsedFile) -> None:
    relabel = find(parsed, "method", "relabel")
    calls = [(r.kind, r.path, r.arg_count) for r in relabel.refs]
    assert calls == [
        ("calls", "Some", 1),
        ("method_call", "to_owned", 0),
        ("calls", "Helper::wrap", 2),
        ("calls", "validate", 1),
    ]
    assert relabel.refs[2].line == line_of("Helper::wrap")
    compute = find(parsed, "fn", "compute")
    body_calls = [
        (r.kind, r.path, r.arg_count)
        for r in compute.refs
        if r.kind != "bound" and r.kind != "uses_type"
    ]
    assert ("calls", "transform", 2) in body_calls
    assert ("method_call", "collect", 0) in body_calls
    assert find(parsed, "fn", "inside").refs[0].path == "local_helper"


def test_fingerprints_differ_per_item_and_file_hash_is_of_bytes(parsed: ParsedFile) -> None:
    import blake3

    assert parsed.blake3 == blake3.blake3(SOURCE).hexdigest()
    assert parsed.lines == SOURCE.count(b"\n")
    assert parsed.size == len(SOURCE)
    assert parsed.rel_path == "src/kinds.rs"
    fingerprints = [i.fingerprint for i in parsed.items]
    assert all(len(f) == 64 for f in fingerprints)
    assert len(set(fingerprints)) == len(fingerprints)


def test_parsed_file_survives_pickling_for_worker_processes(parsed: ParsedFile) -> None:
    import pickle

    assert pickle.loads(pickle.dumps(parsed)) == parsed
