"""Hostile macro_rules: self-recursion, doubling recursion, deep brackets, huge
repetitions. Expansion must stay bounded and resolve must return, never raise."""

from __future__ import annotations

import time

from rustrag.limits import MAX_TOKEN_TREE_DEPTH
from test_hardening_resolve import resolve_sources


def test_doubling_recursion_is_bounded() -> None:
    source = b"macro_rules! boom { () => { boom!(); boom!(); pub struct S; }; }\nboom!();\n"
    started = time.perf_counter()
    resolved = resolve_sources({"src/lib.rs": source})
    assert time.perf_counter() - started < 30
    assert any("boom" in p.reason for p in resolved.problems)
    assert any(it.name == "S" for it in resolved.items)


def test_brackets_deeper_than_the_limit_keep_the_written_items() -> None:
    deep = b"(" * (MAX_TOKEN_TREE_DEPTH + 10) + b")" * (MAX_TOKEN_TREE_DEPTH + 10)
    source = (
        b"macro_rules! wrap { ($($t:tt)*) => { $($t)* }; }\n"
        b"wrap! { pub struct Kept; const X: u8 = " + deep + b"; }\n"
    )
    resolved = resolve_sources({"src/lib.rs": source})
    assert [it.path for it in resolved.items if it.name == "Kept"] == ["hostile::Kept"]


def test_a_huge_repetition_expands_in_bounded_time() -> None:
    entries = b" ".join(b"N%d" % i for i in range(5000))
    source = (
        b"macro_rules! many { ($($n:ident)*) => { $(pub struct $n;)* }; }\n"
        b"many! { " + entries + b" }\n"
    )
    started = time.perf_counter()
    resolved = resolve_sources({"src/lib.rs": source})
    assert time.perf_counter() - started < 60
    assert sum(1 for it in resolved.items if it.kind == "struct") == 5000
