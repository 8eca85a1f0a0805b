"""Bad input: broken syntax, bad encoding, empty, oversize and unreadable files."""

from __future__ import annotations

import os
from pathlib import Path

import blake3
from hypothesis import given, settings
from hypothesis import strategies as st

from rustrag.parse import parse_bytes, parse_file
from rustrag.parse.syntax import MAX_SYNTAX_PROBLEMS

FIXTURES = Path(__file__).parent / "fixtures" / "parse"


def test_broken_code_keeps_recovered_items_and_reports_file_and_line() -> None:
    path = str(FIXTURES / "broken.rs")
    parsed = parse_file(path, "src/broken.rs")
    names = [(i.kind, i.name) for i in parsed.items if i.parent is None]
    assert ("struct", "Good") in names
    assert ("enum", "AfterError") in names
    assert ("fn", "also_good") in names
    assert [f.name for f in parsed.items if f.kind == "variant"] == ["One", "Two"]
    assert parsed.problems
    assert {p.line for p in parsed.problems} <= {5, 6}  # `pub fn broken( {` and `let x = ;`
    assert all(p.file == path and p.reason.startswith("syntax error") for p in parsed.problems)
    assert str(parsed.problems[0]).startswith(f"{path}:5: syntax error")


def test_syntax_problems_are_capped_per_file() -> None:
    source = b"".join(b"fn f%d( { let = ; }\n" % n for n in range(MAX_SYNTAX_PROBLEMS * 3))
    parsed = parse_bytes(source, "/many.rs", "many.rs")
    assert len(parsed.problems) == MAX_SYNTAX_PROBLEMS + 1
    assert parsed.problems[-1].line == 0
    assert "more syntax errors not shown" in parsed.problems[-1].reason


def test_non_utf8_is_reported_and_the_file_still_parses() -> None:
    source = b"/// caf\xe9 docs\npub struct Caf\xe9;\npub fn after() {}\n"
    parsed = parse_bytes(source, "/latin1.rs", "latin1.rs")
    decoding = [p for p in parsed.problems if "UTF-8" in p.reason]
    assert len(decoding) == 1
    assert decoding[0].line == 1
    assert "offset 7" in decoding[0].reason
    after = [i for i in parsed.items if i.name == "after"]
    assert len(after) == 1
    assert after[0].line_start == 3
    assert parsed.blake3 == blake3.blake3(source).hexdigest()


def test_empty_file_is_an_empty_module() -> None:
    parsed = parse_bytes(b"", "/empty.rs", "empty.rs")
    assert (parsed.items, parsed.problems, parsed.lines, parsed.size) == ([], [], 0, 0)
    assert parsed.blake3 == blake3.blake3(b"").hexdigest()


def test_oversize_file_is_skipped_with_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.rs"
    big.write_bytes(b"pub fn f() {}\n" * 100)
    parsed = parse_file(str(big), "big.rs", max_bytes=1000)
    assert parsed.items == []
    assert [p.reason for p in parsed.problems] == [
        "file is 1400 bytes, over the 1000-byte cap; skipped"
    ]
    assert parsed.problems[0].file == str(big)
    assert parsed.size == 1400
    assert parsed.blake3 == blake3.blake3(big.read_bytes()).hexdigest()


def test_unreadable_paths_give_problems(tmp_path: Path) -> None:
    missing = parse_file(str(tmp_path / "nope.rs"), "nope.rs")
    assert missing.items == []
    assert missing.problems[0].reason.startswith("cannot read file")
    folder = parse_file(str(tmp_path), "dir.rs")
    assert folder.problems[0].reason == "not a regular file; skipped"
    locked = tmp_path / "locked.rs"
    locked.write_bytes(b"fn f() {}\n")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # running as root: permissions do not stop reads
            return
        assert parse_file(str(locked), "locked.rs").problems[0].reason.startswith("cannot read")
    finally:
        locked.chmod(0o644)


def test_parse_file_records_disk_facts(tmp_path: Path) -> None:
    file = tmp_path / "lib.rs"
    file.write_bytes(b"pub fn one() {}\npub fn two() {}")
    parsed = parse_file(str(file), "src/lib.rs")
    assert parsed.mtime_ns == file.stat().st_mtime_ns
    assert (parsed.path, parsed.rel_path, parsed.lines) == (str(file), "src/lib.rs", 2)
    assert [i.name for i in parsed.items] == ["one", "two"]


def test_byte_order_mark_keeps_offsets() -> None:
    body = b"pub struct S;\n"
    parsed = parse_bytes(b"\xef\xbb\xbf" + body, "/bom.rs", "bom.rs")
    [item] = parsed.items
    assert (item.byte_start, item.byte_end) == (3, 3 + len(body) - 1)
    assert parsed.problems == []


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    parsed = parse_bytes(data, "/fuzz.rs", "fuzz.rs")
    assert all(p.severity != "error" for p in parsed.problems), parsed.problems
    for item in parsed.items:
        assert 0 <= item.byte_start <= item.byte_end <= len(data)
        assert 1 <= item.line_start <= item.line_end


RUST_PIECES = [
    "fn",
    "struct",
    "enum",
    "impl",
    "trait",
    "mod",
    "use",
    "pub",
    "{",
    "}",
    "(",
    ")",
    "<",
    ">",
    ";",
    ",",
    ":",
    "::",
    "#[derive(Debug)]",
    "///doc\n",
    "//!x\n",
    "m!",
    "'a",
    "x",
    "T",
    "=",
    "where",
    "\n",
    '"s"',
    'r#"raw"#',
    "/*",
    "*/",
    "macro_rules!",
    "$x",
    "const",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(RUST_PIECES), max_size=60))
def test_random_rust_like_soup_never_raises(pieces: list[str]) -> None:
    data = " ".join(pieces).encode()
    parsed = parse_bytes(data, "/soup.rs", "soup.rs")
    assert all(p.severity != "error" for p in parsed.problems), parsed.problems
