"""Items written inside macro invocations, and macro templates that must stay unread."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustrag.model import ParsedFile, RawItem
from rustrag.parse import parse_bytes, parse_file
from rustrag.parse.macros import MAX_DEPTH

FIXTURE = Path(__file__).parent / "fixtures" / "parse" / "macros.rs"
SOURCE = FIXTURE.read_bytes()


@pytest.fixture(scope="module")
def parsed() -> ParsedFile:
    return parse_file(str(FIXTURE), "src/macros.rs")


def line_of(text: str) -> int:
    for number, line in enumerate(SOURCE.decode().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(text)


def named(parsed: ParsedFile, name: str) -> RawItem:
    [item] = [i for i in parsed.items if i.name == name]
    return item


def test_items_in_a_cfg_macro_are_extracted_with_file_positions(parsed: ParsedFile) -> None:
    runtime = named(parsed, "runtime")
    assert (runtime.kind, runtime.visibility, runtime.in_macro, runtime.macro_name) == (
        "mod",
        "pub",
        True,
        "cfg_rt",
    )
    assert runtime.docs == "The runtime."
    assert runtime.line_start == line_of("/// The runtime.")
    assert runtime.line_end == line_of("pub mod runtime;")
    assert SOURCE[runtime.byte_start : runtime.byte_end] == (
        b"/// The runtime.\n    pub mod runtime;"
    )
    [spawn_use] = [i for i in parsed.items if i.kind == "use"]
    assert spawn_use.uses[0].path == ["crate", "runtime", "spawn"]
    assert spawn_use.macro_name == "cfg_rt"


def test_syn_style_struct_with_marker_keeps_its_fields(parsed: ParsedFile) -> None:
    binary = named(parsed, "ExprBinary")
    assert (binary.kind, binary.in_macro, binary.macro_name) == ("struct", True, "ast_struct")
    assert binary.signature == "pub struct ExprBinary"  # the `#full` marker is not Rust
    assert binary.attrs.other == ['cfg_attr(doc_cfg, doc(cfg(feature = "full")))']
    fields = [i for i in parsed.items if i.parent is not None and parsed.items[i.parent] is binary]
    assert [(f.name, f.signature, f.in_macro) for f in fields] == [
        ("attrs", "pub attrs: Vec<Attribute>", True),
        ("left", "pub left: Box<Expr>", True),
    ]
    assert fields[1].line_start == line_of("pub left: Box<Expr>")


def test_nested_macros_name_the_innermost(parsed: ParsedFile) -> None:
    nested = named(parsed, "deeply_nested")
    assert (nested.kind, nested.macro_name) == ("fn", "inner")
    assert nested.line_start == line_of("pub fn deeply_nested")


def test_macro_in_impl_body_gives_methods_of_that_impl(parsed: ParsedFile) -> None:
    start = named(parsed, "start")
    assert start.kind == "method"
    assert start.parent is not None
    assert parsed.items[start.parent].impl_self == "Engine"
    assert [(r.kind, r.path, r.arg_count) for r in start.refs] == [("method_call", "run", 1)]


def test_macro_rules_bodies_and_non_item_macros_give_no_items(parsed: ParsedFile) -> None:
    assert [i.name for i in parsed.items if i.kind == "macro_rules"] == ["cfg_rt"]
    assert not [i for i in parsed.items if i.name.startswith("$")]
    names = {i.name for i in parsed.items}
    assert names == {
        "cfg_rt",
        "runtime",
        "",
        "ExprBinary",
        "attrs",
        "left",
        "deeply_nested",
        "start",
    }
    assert parsed.macro_uses == [
        "cfg_rt",
        "ast_struct",
        "outer",
        "inner",
        "forward_methods",
        "thing",
        "not_items",
    ]
    assert parsed.problems == []  # macro bodies are not Rust: no syntax errors from them


def test_metavariable_names_in_invocations_are_skipped() -> None:
    source = b"define! { pub struct $name { x: u8 } pub struct Real; }\n"
    parsed = parse_bytes(source, "/m.rs", "m.rs")
    assert [i.name for i in parsed.items if i.kind == "struct"] == ["Real"]


def test_macro_nesting_is_bounded() -> None:
    depth = MAX_DEPTH + 4
    source = "".join(f"m{n}! {{\n" for n in range(depth)) + "pub fn bottom() {}\n" + "}\n" * depth
    parsed = parse_bytes(source.encode(), "/deep.rs", "deep.rs")
    assert parsed.items == []
    assert len(parsed.macro_uses) == MAX_DEPTH + 1
    shallow = "".join(f"m{n}! {{\n" for n in range(3)) + "pub fn bottom() {}\n" + "}\n" * 3
    [bottom] = parse_bytes(shallow.encode(), "/s.rs", "s.rs").items
    assert (bottom.name, bottom.macro_name, bottom.line_start) == ("bottom", "m2", 4)
