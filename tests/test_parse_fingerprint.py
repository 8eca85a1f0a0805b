"""Item fingerprints: blind to layout and ordinary comments, not to code or docs."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rustrag.parse import fingerprint_tokens, parse_bytes
from rustrag.parse.fingerprint import strip_comments, tokens

FIXTURE = (Path(__file__).parent / "fixtures" / "parse" / "kinds.rs").read_bytes()


def fingerprints(source: bytes) -> list[tuple[str, str, str]]:
    """(kind, name, fingerprint) per item, in file order (the same order for any layout)."""
    parsed = parse_bytes(source, "/f.rs", "f.rs")
    assert parsed.problems == []
    return [(i.kind, i.name, i.fingerprint) for i in parsed.items]


def differing(
    before: list[tuple[str, str, str]], after: list[tuple[str, str, str]]
) -> set[tuple[str, str]]:
    assert [b[:2] for b in before] == [a[:2] for a in after]
    return {b[:2] for b, a in zip(before, after, strict=True) if b[2] != a[2]}


def test_reindenting_and_comments_change_no_fingerprint() -> None:
    original = fingerprints(FIXTURE)
    reindented = re.sub(rb"\n +", b"\n\t\t", FIXTURE).replace(b": ", b" :  ")
    commented = FIXTURE.replace(
        b"    pub fn relabel", b"    // a new note\n    /* and a block */ pub fn relabel"
    ).replace(b"Option<String>", b"Option< /* why */ String >")
    assert fingerprints(reindented) == original
    assert fingerprints(commented) == original
    assert len({f for _, _, f in original}) == len(original)


def test_changing_a_type_changes_that_item_and_its_parents_only() -> None:
    original = fingerprints(FIXTURE)
    changed = fingerprints(FIXTURE.replace(b"label: Option<String>", b"label: Option<Name>"))
    assert differing(original, changed) == {("struct", "Point"), ("field", "label")}


def test_doc_text_is_part_of_the_fingerprint() -> None:
    original = fingerprints(FIXTURE)
    changed = fingerprints(FIXTURE.replace(b"/// Makes a point.", b"/// Makes a new point."))
    assert differing(original, changed) == {("method", "new"), ("impl", "")}
    # Trailing blanks after a doc line are layout.
    padded = fingerprint_tokens(b"/// a doc   \nfn f() {}")
    assert padded == fingerprint_tokens(b"/// a doc\nfn f() {}")


def test_literals_keep_their_inner_whitespace() -> None:
    assert fingerprint_tokens(b'const S: &str = "a b";') != fingerprint_tokens(
        b'const S: &str = "a  b";'
    )
    assert fingerprint_tokens(b'r#"x // not a comment"#') != fingerprint_tokens(b'r#"x "#')


def test_lexer_tells_chars_from_lifetimes_and_comment_markers_from_strings() -> None:
    assert tokens(b"fn f<'a>(c: char) { let _ = 'a'; let s = \"// x\"; }") == [
        b"fn",
        b"f",
        b"<",
        b"'a",
        b">",
        b"(",
        b"c",
        b":",
        b"char",
        b")",
        b"{",
        b"let",
        b"_",
        b"=",
        b"'a'",
        b";",
        b"let",
        b"s",
        b"=",
        b'"// x"',
        b";",
        b"}",
    ]
    assert tokens(b"let c = '\\u{1F600}'; let e = '\xc3\xa9';") == [
        b"let",
        b"c",
        b"=",
        b"'\\u{1F600}'",
        b";",
        b"let",
        b"e",
        b"=",
        b"'\xc3\xa9'",
        b";",
    ]


def test_nested_block_comments_are_skipped_whole() -> None:
    nested = b"fn f() { /* outer /* inner */ still comment */ g() }"
    assert tokens(nested) == tokens(b"fn f() { g() }")
    assert fingerprint_tokens(nested) == fingerprint_tokens(b"fn f(){g()}")
    assert tokens(b"/** doc\n   more */ fn f() {}")[0] == b"/** doc more */"


def test_strip_comments_keeps_literals() -> None:
    assert strip_comments(b'f(a, // c\n b, "/* s */")') == b'f(a,  \n b, "/* s */")'


def _rejoin(found: list[bytes], separators: list[bytes]) -> bytes:
    out = []
    for position, token in enumerate(found):
        out.append(token)
        gap = separators[position % len(separators)] if separators else b" "
        # A line doc comment runs to the end of its line.
        out.append(b"\n" if token.startswith(b"//") else gap)
    return b"".join(out)


WHITESPACE = st.lists(st.sampled_from([b" ", b"\n", b"\t", b"  \r\n  ", b"\n\n"]), min_size=1)
SNIPPETS = [FIXTURE, *re.split(rb"\n\n", FIXTURE)]


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(SNIPPETS), WHITESPACE)
def test_whitespace_between_tokens_never_changes_a_fingerprint(
    source: bytes, separators: list[bytes]
) -> None:
    found = tokens(source)
    assert fingerprint_tokens(_rejoin(found, separators)) == fingerprint_tokens(source)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_fingerprint_of_any_bytes_is_a_hex_digest(data: bytes) -> None:
    digest = fingerprint_tokens(data)
    assert len(digest) == 64
    assert set(digest) <= set("0123456789abcdef")
