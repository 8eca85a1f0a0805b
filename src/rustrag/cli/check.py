"""`rustrag check FILE | -`: check Rust code against the indexed dependency versions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rustrag.cli.shared import (
    IndexDirOpt,
    JsonOpt,
    PathArg,
    app,
    escape,
    fail,
    open_workspace,
    out,
    print_json,
)

if TYPE_CHECKING:
    from rustrag.check import CheckReport, Finding

_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def finding_line(where: str, finding: Finding) -> str:
    colour = _COLOURS[finding.severity]
    text = (
        f"{escape(where)}:{finding.line}:{finding.column}: "
        f"[{colour}]{finding.severity}[/{colour}][dim]{escape(f'[{finding.kind}]')}[/dim] "
        f"{escape(finding.message)}"
    )
    for suggestion in finding.suggestions[:3]:
        text += f"\n    [green]help:[/green] {escape(suggestion)}"
    if finding.evidence and finding.kind in ("removed", "renamed", "moved"):
        text += f"\n    [dim]evidence: {escape(finding.evidence)}[/dim]"
    return text


def print_report(report: CheckReport, where: str) -> None:
    for finding in report.findings:
        out.print(finding_line(where, finding), highlight=False)
    versions = ", ".join(
        f"{c.partition('@')[0]} {c.partition('@')[2]}" for c in report.crates.values()
    )
    others = len(report.findings) - len(report.errors)
    summary = f"{len(report.errors)} error(s), {others} other finding(s)"
    out.print(
        f"[dim]{summary}; {report.checked} references checked"
        + (f" against {escape(versions)}" if versions else "")
        + "[/dim]"
    )


@app.command()
def check(
    file: Annotated[str, typer.Argument(help="A Rust file to check, or - to read stdin")],
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the paths, types, macros and method calls of Rust code against the locked
    dependency versions in the index. Exit code 1 when there are errors."""
    if file == "-":
        source, shown, located = sys.stdin.read(), "<stdin>", None
    else:
        try:
            source = Path(file).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise fail(
                f"cannot read {file}: {exc.strerror}; give a Rust file or - for stdin", 2
            ) from exc
        shown, located = file, file
    with open_workspace(path, index_dir) as workspace:
        report = workspace.check(source, file=located)
    report.file = file
    if as_json:
        print_json(report.to_json())
    else:
        print_report(report, shown)
    if not report.ok:
        raise typer.Exit(1)
