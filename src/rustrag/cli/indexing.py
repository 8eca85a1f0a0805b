"""`rustrag index`: build or refresh the index, with a progress bar and a summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rustrag.api import Workspace
from rustrag.cli.shared import IndexDirOpt, JsonOpt, app, err, escape, fail, out, print_json
from rustrag.config import Limits
from rustrag.store.errors import StoreError

if TYPE_CHECKING:
    from rustrag.pipeline import IndexReport


class _Bar:
    """Adapts a rich progress bar to the pipeline's Progress protocol."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: Any = None

    def phase(self, name: str, total: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[-1].total)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)


@app.command()
def index(
    path: Annotated[Path, typer.Argument(help="Workspace or package folder")] = Path("."),
    index_dir: IndexDirOpt = None,
    no_deps: Annotated[
        bool, typer.Option("--no-deps", help="Index the workspace members only")
    ] = False,
    no_embed: Annotated[
        bool,
        typer.Option(
            "--no-embed",
            help="Build only the structural and lexical index (no background embedding)",
        ),
    ] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parse processes (0 = cores)")] = 0,
    max_file_bytes: Annotated[
        int | None, typer.Option("--max-file-bytes", help="Skip .rs files larger than this")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Index a Cargo workspace (and its locked dependencies) into the code graph."""
    workspace = Workspace(path, index_dir)
    limits = Limits.from_env(max_file_bytes=max_file_bytes, jobs=jobs)
    try:
        if as_json or not err.is_terminal:
            report = workspace.index(include_deps=not no_deps, limits=limits, embed=not no_embed)
        else:
            columns = (
                TextColumn("{task.description:>14}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=err.console, transient=True) as bar:
                report = workspace.index(
                    include_deps=not no_deps,
                    limits=limits,
                    progress=_Bar(bar),
                    embed=not no_embed,
                )
    except StoreError as exc:
        raise fail(f"the index at {workspace.index_dir} could not be written: {exc}", 2) from exc
    except FileNotFoundError as exc:
        raise fail(str(exc), 2) from exc
    _print_index_report(report, as_json)


def _print_index_report(report: IndexReport, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "root": report.root,
                "index_dir": report.index_dir,
                "crates": report.crates,
                "files": report.files,
                "items": report.items,
                "edges": report.edges,
                "lines": report.lines,
                "seconds": round(report.seconds, 3),
                "lines_per_second": round(report.lines_per_second),
                "warnings": [
                    {"file": p.file, "line": p.line, "reason": p.reason, "severity": p.severity}
                    for p in report.problems
                ],
            }
        )
        return
    for problem in report.problems[:20]:
        err.print(f"[yellow]warning:[/yellow] {escape(str(problem))}")
    if len(report.problems) > 20:
        err.print(f"[yellow]... and {len(report.problems) - 20} more warnings (see --json)")
    status = f"completed with {len(report.problems)} warnings" if report.problems else "completed"
    out.print(
        f"[bold]Indexed[/bold] {report.crates} crates, {report.files} files, "
        f"{report.items:,} items, {report.edges:,} edges, {report.lines:,} lines "
        f"in {report.seconds:.2f} s ({report.lines_per_second:,.0f} lines/s): {status}"
    )
    out.print(f"index: {report.index_dir}")
