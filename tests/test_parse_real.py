"""parse on real crates unpacked by Debian under /usr/share/cargo/registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustrag.model import ParsedFile, RawItem
from rustrag.parse import parse_file

REGISTRY = Path("/usr/share/cargo/registry")


def crate_file(crate: str, rel: str) -> ParsedFile:
    path = REGISTRY / crate / rel
    if not path.is_file():
        pytest.skip(f"{path} is not installed")
    return parse_file(str(path), rel)


def children(parsed: ParsedFile, parent: RawItem) -> list[RawItem]:
    return [i for i in parsed.items if i.parent is not None and parsed.items[i.parent] is parent]


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(text)


def test_syn_expr_binary_is_found_inside_ast_struct() -> None:
    parsed = crate_file("syn-1.0.107", "src/expr.rs")
    [binary] = [i for i in parsed.items if i.kind == "struct" and i.name == "ExprBinary"]
    assert (binary.in_macro, binary.macro_name, binary.visibility) == (True, "ast_struct", "pub")
    assert binary.docs.startswith("A binary operation: `a + b`, `a * b`.")
    assert [(f.name, f.signature) for f in children(parsed, binary)] == [
        ("attrs", "pub attrs: Vec<Attribute>"),
        ("left", "pub left: Box<Expr>"),
        ("op", "pub op: BinOp"),
        ("right", "pub right: Box<Expr>"),
    ]
    path = REGISTRY / "syn-1.0.107" / "src/expr.rs"
    assert binary.line_end == line_of(path, "pub struct ExprBinary") + 5
    [expr] = [i for i in parsed.items if i.kind == "enum" and i.name == "Expr"]
    assert expr.macro_name == "ast_enum_of_structs"
    variants = [v.name for v in children(parsed, expr)]
    assert variants[:3] == ["Array", "Assign", "AssignOp"]
    assert "Binary" in variants
    # `#full` markers inside the macros are not reported as the file's syntax errors.
    assert all("#full" not in p.reason for p in parsed.problems)


def test_tokio_runtime_module_comes_from_cfg_rt() -> None:
    parsed = crate_file("tokio-1.24.2", "src/lib.rs")
    runtimes = [(i.kind, i.visibility, i.macro_name) for i in parsed.items if i.name == "runtime"]
    assert ("mod", "pub", "cfg_rt") in runtimes
    assert ("mod", "pub(crate)", "cfg_not_rt") in runtimes
    assert parsed.inner_docs.startswith("A runtime for writing reliable network applications")
    assert "cfg_rt" in parsed.macro_uses
    assert parsed.problems == []


def test_clap_command_struct_and_its_inherent_methods() -> None:
    parsed = crate_file("clap-4.0.32", "src/builder/command.rs")
    [command] = [i for i in parsed.items if i.kind == "struct" and i.name == "Command"]
    assert command.visibility == "pub"
    inherent = [
        i
        for i in parsed.items
        if i.kind == "impl" and i.impl_self == "Command" and i.impl_trait is None
    ]
    assert inherent
    methods = {m.name: m for impl in inherent for m in children(parsed, impl) if m.kind == "method"}
    assert {"new", "arg", "args", "subcommand", "get_name", "try_get_matches_from"} <= set(methods)
    arg = methods["arg"]
    assert arg.signature == "pub fn arg(mut self, a: impl Into<Arg>) -> Self"
    assert ("bound", "Into") in [(r.kind, r.path) for r in arg.refs]
    assert ("method_call", "arg_internal", 1) in [(r.kind, r.path, r.arg_count) for r in arg.refs]
    trait_impls = {
        i.impl_trait
        for i in parsed.items
        if i.kind == "impl" and i.impl_self in ("Command", "&Command")
    }
    assert {"Default", "Index<&'_ Id>", "fmt::Display"} <= trait_impls


def test_a_whole_crate_parses_without_internal_errors() -> None:
    root = REGISTRY / "tokio-1.24.2"
    if not root.is_dir():
        pytest.skip("tokio is not installed")
    files = sorted(root.rglob("*.rs"))
    parsed = [parse_file(str(f), str(f.relative_to(root))) for f in files]
    assert all(p.severity != "error" for f in parsed for p in f.problems)
    assert sum(len(f.items) for f in parsed) > 5000
    assert all(f.blake3 and f.lines > 0 for f in parsed if f.size)
