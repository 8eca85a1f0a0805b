"""Hostile input to parse and fingerprinting: deep nesting, garbage bytes, real files
mutated by hypothesis. Nothing may raise, hit the recursion limit, or lose a problem."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rustrag.limits import MAX_ITEM_NESTING
from rustrag.model import ParsedFile
from rustrag.parse import fingerprint_tokens, parse_bytes, parse_file

REGISTRY = Path("/usr/share/cargo/registry")
# Real files of different shapes: macro-heavy, generic-heavy, plain.
SAMPLE_FILES = [
    REGISTRY / "syn-1.0.107" / "src" / "ty.rs",
    REGISTRY / "nom-7.1.1" / "src" / "multi" / "mod.rs",
    REGISTRY / "tokio-1.24.2" / "src" / "macros" / "cfg.rs",
    REGISTRY / "serde-1.0.152" / "src" / "de" / "mod.rs",
]
DEPTH = 10_000

DEEP_SOURCES: dict[str, bytes] = {
    "nested_mods": b"mod a { " * DEPTH + b"pub fn f() {}" + b" }" * DEPTH,
    "nested_braces": b"fn f() " + b"{" * DEPTH + b"}" * DEPTH,
    "nested_parens": b"fn f() { let x = " + b"(" * DEPTH + b"1" + b")" * DEPTH + b"; }",
    "nested_generic_types": b"type T = " + b"Vec<" * DEPTH + b"u8" + b">" * DEPTH + b";",
    "nested_use_tree": b"use " + b"a::{" * DEPTH + b"b" + b"}" * DEPTH + b";",
    "long_use_path": b"use " + b"a::" * DEPTH + b"b;",
    "nested_macro_token_trees": b"m! " + b"{ m! " * DEPTH + b"}" * DEPTH,
    "nested_fn_bounds": b"fn f<" + b"T: Fn(" * DEPTH + b")" * DEPTH + b">() {}",
    "nested_assoc_bindings": b"fn f() where T: "
    + b"Iterator<Item = " * DEPTH
    + b"u8"
    + b">" * DEPTH
    + b" {}",
    "unclosed_mods": b"mod a { " * DEPTH,
    "nested_impls_in_fns": b"impl X { fn f() { " + b"impl Y { fn g() { " * DEPTH + b"}}" * DEPTH,
    "nested_block_comments": b"/*" * DEPTH + b"*/" * DEPTH + b"fn f() {}",
}


def internal_errors(parsed: ParsedFile) -> list[str]:
    return [p.reason for p in parsed.problems if "internal error" in p.reason]


@pytest.mark.parametrize("name", sorted(DEEP_SOURCES))
def test_ten_thousand_levels_parse_without_an_internal_error(name: str) -> None:
    source = DEEP_SOURCES[name]
    parsed = parse_bytes(source, f"/hostile/{name}.rs", f"{name}.rs")
    assert internal_errors(parsed) == []
    assert parsed.blake3 and parsed.lines >= 1
    # fingerprinting the whole file is the other deep walk: it must finish too
    assert len(fingerprint_tokens(source)) == 64


def test_nesting_past_the_limit_is_reported_with_its_line_and_the_rest_kept() -> None:
    source = b"pub fn top() {}\n" + b"mod a {\n" * 100 + b"fn f() {}\n" + b"}\n" * 100
    parsed = parse_bytes(source, "/hostile/deep.rs", "deep.rs")
    mods = [i for i in parsed.items if i.kind == "mod"]
    assert len(mods) == MAX_ITEM_NESTING  # the body of the last one is not read
    assert [i.name for i in parsed.items if i.kind == "fn"] == ["top"]
    [problem] = [p for p in parsed.problems if "nested more than" in p.reason]
    assert problem.file == "/hostile/deep.rs"
    assert problem.line == MAX_ITEM_NESTING + 1  # first line of the skipped contents


def test_nesting_within_the_limit_is_read_entirely() -> None:
    depth = MAX_ITEM_NESTING - 2
    source = b"mod a { " * depth + b"pub struct S;" + b" }" * depth
    parsed = parse_bytes(source, "/ok.rs", "ok.rs")
    assert [i.name for i in parsed.items if i.kind == "struct"] == ["S"]
    assert not [p for p in parsed.problems if "nested" in p.reason]


def test_deep_use_tree_keeps_the_shallow_names() -> None:
    source = b"use x::{y, " + b"a::{" * 500 + b"b" + b"}" * 500 + b"};"
    parsed = parse_bytes(source, "/use.rs", "use.rs")
    [use] = [i for i in parsed.items if i.kind == "use"]
    assert ["x", "y"] in [entry.path for entry in use.uses]


def test_recursion_limit_is_untouched_by_parsing() -> None:
    # A fix that raises the limit would trade a RecursionError for a C stack overflow.
    before = sys.getrecursionlimit()
    parse_bytes(DEEP_SOURCES["nested_mods"], "/x.rs", "x.rs")
    assert sys.getrecursionlimit() == before


def test_file_size_cap_is_configurable_and_reported(tmp_path: Path) -> None:
    big = tmp_path / "big.rs"
    big.write_bytes(b"pub fn f() {}\n" * 1000)
    capped = parse_file(str(big), "big.rs", max_bytes=1000)
    assert capped.items == []
    [problem] = capped.problems
    assert problem.file == str(big) and "over the 1000-byte cap" in problem.reason
    assert len(parse_file(str(big), "big.rs", max_bytes=1_000_000).items) == 1000


# -- property-based -----------------------------------------------------------------------

RUSTY_WORDS = [b"fn ", b"mod ", b"impl ", b"{", b"}", b"(", b")", b"<", b">", b"::", b";"]
RUSTY_WORDS += [b"#[", b"]", b"pub ", b"struct S", b"use a::{b, c};", b"/*", b"*/", b"//", b"\n"]
RUSTY_WORDS += [b'"', b"'a", b'r#"', b"macro_rules! m { () => {} }", b"m! {", b"\xff", b"\x00"]
RUSTY_WORDS += [b"\xc3", b"\xe2\x82"]
RUSTY = st.sampled_from(RUSTY_WORDS)


def assert_well_formed(parsed: ParsedFile, size: int) -> None:
    assert internal_errors(parsed) == []
    for item in parsed.items:
        assert 0 <= item.byte_start <= item.byte_end <= size
        assert 1 <= item.line_start <= item.line_end
        assert item.parent is None or 0 <= item.parent < len(parsed.items)
    for problem in parsed.problems:
        assert problem.file and problem.reason


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert_well_formed(parse_bytes(data, "/fuzz.rs", "fuzz.rs"), len(data))


@settings(max_examples=150, deadline=None)
@given(st.lists(RUSTY, max_size=300).map(b"".join))
def test_rust_shaped_garbage_never_raises(data: bytes) -> None:
    assert_well_formed(parse_bytes(data, "/fuzz.rs", "fuzz.rs"), len(data))
    fingerprint_tokens(data)


@st.composite
def mutated_real_file(draw: st.DrawFn) -> bytes:
    """A real crate file with a truncation, byte flips, or an inserted hostile chunk."""
    source = draw(st.sampled_from(SAMPLE_FILES)).read_bytes()
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
    at = draw(st.integers(0, len(source)))
    if kind == "truncate":
        return source[:at]
    if kind == "flip":
        flips = draw(st.lists(st.integers(0, len(source) - 1), min_size=1, max_size=20))
        data = bytearray(source)
        for i in flips:
            data[i] ^= draw(st.integers(1, 255))
        return bytes(data)
    if kind == "insert":
        return source[:at] + draw(st.lists(RUSTY, max_size=40).map(b"".join)) + source[at:]
    length = draw(st.integers(1, 2000))
    return source[:at] + source[at + length :]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.data_too_large])
@given(mutated_real_file())
def test_mutated_real_files_never_raise(data: bytes) -> None:
    assert_well_formed(parse_bytes(data, "/mutated.rs", "mutated.rs"), len(data))


SPACE = st.sampled_from([b" ", b"  ", b"\n", b"\t", b"\r\n", b" \n    "])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([b"fn", b"f", b"(", b")", b"{", b"x", b"+", b"1", b"}"])), SPACE)
def test_fingerprint_is_blind_to_layout(words: list[bytes], space: bytes) -> None:
    # Tokens joined by one space or by any other whitespace run are the same code.
    # Identifiers and numbers side by side need the separator, so it is never empty.
    assert fingerprint_tokens(b" ".join(words)) == fingerprint_tokens(space.join(words))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=500).filter(lambda d: b"/*" not in d), st.binary(min_size=1))
def test_fingerprint_changes_when_a_token_is_added(data: bytes, extra: bytes) -> None:
    # After a newline (ends any line comment) and with no block comment open, an added
    # identifier is code and must change the hash.
    word = b"zz_" + extra.hex().encode()
    assert fingerprint_tokens(data + b"\n" + word) != fingerprint_tokens(data + b"\n")


@pytest.mark.parametrize("name", ["nested_use_tree", "nested_fn_bounds", "nested_mods"])
def test_every_nesting_cut_is_reported(name: str) -> None:
    parsed = parse_bytes(DEEP_SOURCES[name], f"/hostile/{name}.rs", f"{name}.rs")
    cuts = [p for p in parsed.problems if "levels deep" in p.reason]
    assert len(cuts) == 1 and cuts[0].line == 1 and cuts[0].file == f"/hostile/{name}.rs"
