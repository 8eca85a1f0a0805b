"""`rustrag check` against a real index of Debian's clap 4.0.32 and nom 7.1.1."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from check_support import CARGO, DEBIAN_REGISTRY, indexed_workspace
from rustrag.api import Workspace
from rustrag.check.signature import bare_type_name, param_counts, return_type

pytestmark = pytest.mark.skipif(
    CARGO is None or not DEBIAN_REGISTRY.is_dir(), reason="needs cargo and Debian's crates"
)
EVAL_CASES = Path(__file__).parent.parent / "benchmarks" / "check_eval" / "cases"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = indexed_workspace(tmp_path_factory.mktemp("check") / "ws")
    yield ws
    ws.close()


def kinds_by_line(ws: Workspace, source: str) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for finding in ws.check(source).findings:
        found.setdefault(finding.line, set()).add(finding.kind)
    return found


def test_clap3_builder_code_is_flagged_with_lines(workspace: Workspace) -> None:
    source = (
        "use clap::{App, Arg};\n"
        "fn main() {\n"
        '    let a = Arg::with_name("x");\n'
        '    let b = clap::Arg::new("y").takes_value(true);\n'
        "}\n"
    )
    report = workspace.check(source)
    by_line = {f.line: f for f in report.findings}
    assert by_line[1].kind in ("unknown_item", "removed", "renamed") and "App" in by_line[1].subject
    assert by_line[3].subject == "clap::Arg::with_name" and by_line[3].severity == "error"
    assert by_line[4].kind == "unknown_method" and by_line[4].subject == "Arg::takes_value"
    assert report.crates == {"clap": "clap@4.0.32"}
    assert not report.ok


def test_correct_clap4_code_has_no_findings(workspace: Workspace) -> None:
    source = (EVAL_CASES / "clap4_basic.rs").read_text()
    report = workspace.check(source)
    assert report.findings == []
    assert report.checked >= 8  # the chain was followed, not skipped


def test_wrong_argument_count_names_the_signature(workspace: Workspace) -> None:
    report = workspace.check('fn f() { let c = clap::Command::new("a", "b"); }\n')
    [finding] = report.findings
    assert finding.kind == "arg_count" and "takes 1 argument" in finding.message
    assert "pub fn new" in finding.suggestions[0]


def test_method_chain_through_returned_type(workspace: Workspace) -> None:
    source = (
        "use clap::Command;\n"
        "fn main() {\n"
        '    let m = Command::new("a").get_matches();\n'
        '    m.value_of("x");\n'
        '    m.get_one::<String>("x");\n'
        "}\n"
    )
    assert kinds_by_line(workspace, source) == {4: {"unknown_method"}}


def test_moved_item_suggests_the_public_path(workspace: Workspace) -> None:
    # PossibleValuesParser is public under clap::builder, not at the crate root
    report = workspace.check("use clap::PossibleValuesParser;\n")
    [finding] = report.findings
    assert finding.kind == "moved"
    assert finding.suggestions[0] == "clap::builder::PossibleValuesParser"


def test_nom4_macros_and_removed_functions(workspace: Workspace) -> None:
    source = (EVAL_CASES / "nom4_digit.rs").read_text()
    report = workspace.check(source)
    subjects = {(f.line, f.subject) for f in report.findings}
    assert (3, "nom::digit") in subjects
    assert (5, "named!") in subjects and (5, "map_res!") in subjects
    digit = next(f for f in report.findings if f.subject == "nom::digit")
    assert "nom::character::complete::digit1" in digit.suggestions


def test_fragment_lines_are_kept(workspace: Workspace) -> None:
    source = 'let app = clap::Command::new("x");\napp.bogus_method(1);\n'
    report = workspace.check(source)
    assert [(f.line, f.kind) for f in report.findings] == [(2, "unknown_method")]


def test_std_unknown_receivers_and_local_items_are_never_flagged(workspace: Workspace) -> None:
    source = (
        "use std::collections::HashMap;\n"
        "struct Local;\n"
        "impl Local { fn go(&self) {} }\n"
        "fn main() {\n"
        "    let mut m = HashMap::new(); m.insert(1, 2);\n"
        "    let l = Local; l.go(); l.whatever();\n"
        "    let v = vec![1]; v.iter().frobnicate();\n"
        "}\n"
    )
    assert workspace.check(source).findings == []


def test_unknown_crate_is_info_not_error(workspace: Workspace) -> None:
    report = workspace.check("use serde_json::Value;\nfn f() { let v = serde_json::json(); }\n")
    assert [(f.severity, f.kind, f.subject) for f in report.findings] == [
        ("info", "unknown_crate", "serde_json")
    ]
    assert report.ok


def test_gated_deprecation_is_a_warning(workspace: Workspace) -> None:
    source = 'fn f() { clap::Command::new("a").dont_collapse_args_in_usage(true); }\n'
    [finding] = workspace.check(source).findings
    assert finding.severity == "warning" and finding.kind == "deprecated"
    assert finding.since == "4.0.0" and "default" in finding.message


def test_signature_reading() -> None:
    assert param_counts("pub fn arg(mut self, a: impl Into<Arg>) -> Self") == (1, True)
    assert param_counts("fn f<F: Fn(u8) -> u8>(&'a self, f: F, x: Vec<(u8, u8)>)") == (2, True)
    assert return_type("fn g(self) -> Option<&str> where Self: Sized") == "Option<&str>"
    assert bare_type_name("&mut Self") == "Self" and bare_type_name("Vec<u8>") is None


def run_cli(
    ws: Workspace, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).parent / "rustrag"),
        "check",
        *args,
        "--path",
        str(ws.path),
        "--index-dir",
        str(ws.index_dir),
    ]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120)


def test_cli_exit_codes_and_json(workspace: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "bad.rs"
    bad.write_text((EVAL_CASES / "clap3_value_of.rs").read_text())
    done = run_cli(workspace, str(bad), "--json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert {f["line"] for f in data["findings"]} == {3, 4} and data["errors"] == 2
    good = run_cli(workspace, "-", stdin=(EVAL_CASES / "nom7_alt.rs").read_text())
    assert good.returncode == 0, good.stdout + good.stderr
    assert "0 error(s)" in good.stdout
    missing = run_cli(workspace, str(tmp_path / "nope.rs"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
