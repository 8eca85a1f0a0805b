"""Items found by looking into fn bodies (impls), bitflags bodies and cfg_if! branches."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustrag.model import ParsedFile, RawItem
from rustrag.parse import parse_file

FIXTURE = Path(__file__).parent / "fixtures" / "parse" / "expanded.rs"
LINES = FIXTURE.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def parsed() -> ParsedFile:
    return parse_file(str(FIXTURE), "src/expanded.rs")


def line_of(text: str) -> int:
    return next(n for n, line in enumerate(LINES, start=1) if text in line)


def named(parsed: ParsedFile, kind: str, name: str) -> list[RawItem]:
    return [i for i in parsed.items if i.kind == kind and i.name == name]


def impl_for(parsed: ParsedFile, self_type: str) -> RawItem:
    [found] = [i for i in parsed.items if i.kind == "impl" and i.impl_self == self_type]
    return found


def test_impls_in_fn_bodies_are_items_of_that_fn(parsed: ParsedFile) -> None:
    [visit] = named(parsed, "fn", "visit")
    display = impl_for(parsed, "Local")
    assert display.impl_trait == "fmt::Display"
    assert parsed.items[display.parent or 0] is visit and display.parent is not None
    assert display.line_start == line_of("/// Written in a fn body")
    assert display.docs == "Written in a fn body, but global like every impl."
    [fmt] = named(parsed, "method", "fmt")
    assert parsed.items[fmt.parent or 0] is display


def test_fn_local_fns_and_structs_stay_out(parsed: ParsedFile) -> None:
    assert named(parsed, "struct", "Local") == []
    assert named(parsed, "fn", "nested") == []
    assert named(parsed, "method", "from_body")  # the method of a body impl is kept


def test_impl_in_const_block_is_extracted(parsed: ParsedFile) -> None:
    impls = [i for i in parsed.items if i.kind == "impl" and i.impl_trait == "Default"]
    assert len(impls) == 1
    [holder] = [i for i in parsed.items if i.kind == "const" and i.name == "_"]
    assert parsed.items[impls[0].parent or 0] is holder


def test_calls_after_a_body_impl_still_belong_to_the_fn(parsed: ParsedFile) -> None:
    [visit] = named(parsed, "fn", "visit")
    assert {r.path for r in visit.refs if r.kind == "calls"} >= {"Local", "helper"}
    [from_body] = named(parsed, "method", "from_body")
    assert "nested" in {r.path for r in from_body.refs if r.kind == "calls"}


def test_bitflags_struct_and_its_constants(parsed: ParsedFile) -> None:
    [flags] = named(parsed, "struct", "Flags")
    assert (flags.in_macro, flags.macro_name, flags.visibility) == (True, "bitflags", "pub")
    assert flags.docs == "Flags as bitflags 1.x writes them."
    assert flags.attrs.derives == ["Clone", "Copy"]
    assert flags.line_end == line_of("const BOTH") + 1
    consts = [i for i in parsed.items if i.kind == "assoc_const" and i.in_macro]
    assert [c.name for c in consts] == ["FIRST", "SECOND", "BOTH"]
    index = parsed.items.index(flags)
    assert all(c.parent == index and c.visibility == "pub" for c in consts)
    assert consts[0].docs == "The first flag."
    assert consts[1].line_end == line_of("const SECOND")
    assert consts[0].signature == "pub const FIRST: Flags"


def test_cfg_if_branches_carry_their_conditions(parsed: ParsedFile) -> None:
    platforms = named(parsed, "const", "PLATFORM")
    assert [p.attrs.cfg for p in platforms] == [
        "unix",
        "not(unix) && windows",
        "not(unix) && not(windows)",
    ]
    assert all(p.in_macro and p.macro_name == "cfg_if" for p in platforms)
    [other] = named(parsed, "fn", "other_only")
    assert other.attrs.cfg == "not(unix) && not(windows)"
