"""The `rustrag` command line: typer commands over `rustrag.api.Workspace`.

Only presentation lives here (tables, progress bars, JSON); every answer comes from the
API so the CLI and the MCP server cannot disagree.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rustrag.api import ImplView, ItemView, NotFound, NotIndexed, Relation, ShowResult, Workspace
from rustrag.config import Limits
from rustrag.pipeline import IndexReport
from rustrag.store.errors import StoreError

app = typer.Typer(
    name="rustrag",
    help="Local, offline context engine for Rust: index a workspace and its locked "
    "dependencies, then query the code graph.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

T = TypeVar("T")

PathArg = Annotated[
    Path, typer.Option("--path", "-p", help="A folder inside the workspace (default: .)")
]
IndexDirOpt = Annotated[
    Path | None,
    typer.Option("--index-dir", help="Index folder (default: .rustrag/ at the workspace root)"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON")]
CrateOpt = Annotated[
    str | None, typer.Option("--crate", help="Limit to one crate: NAME or NAME@VERSION")
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


@contextmanager
def _workspace(path: Path, index_dir: Path | None) -> Iterator[Workspace]:
    workspace = Workspace(path, index_dir)
    try:
        yield workspace
    except NotIndexed as exc:
        raise _fail(str(exc), 2) from exc
    except NotFound as exc:
        raise _fail(str(exc), 1) from exc
    except StoreError as exc:
        raise _fail(str(exc), 2) from exc
    finally:
        workspace.close()


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


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
            report = workspace.index(include_deps=not no_deps, limits=limits)
        else:
            columns = (
                TextColumn("{task.description:>14}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=err, transient=True) as bar:
                report = workspace.index(
                    include_deps=not no_deps, limits=limits, progress=_Bar(bar)
                )
    except StoreError as exc:
        raise _fail(f"the index at {workspace.index_dir} could not be written: {exc}", 2) from exc
    except FileNotFoundError as exc:
        raise _fail(str(exc), 2) from exc
    _print_index_report(report, as_json)


def _print_index_report(report: IndexReport, as_json: bool) -> None:
    if as_json:
        _print_json(
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


def _item_line(view: ItemView) -> str:
    return (
        f"[cyan]{view.item.kind}[/cyan] [bold]{escape(view.item.path)}[/bold] "
        f"[dim]{escape(view.label)}  {escape(view.location)}[/dim]"
    )


def _print_show(result: ShowResult) -> None:
    view = result.item
    item = view.item
    raw = item.raw
    out.print(_item_line(view))
    if item.paths and item.paths != [item.path]:
        out.print("[dim]public paths:[/dim] " + escape(", ".join(item.paths)))
    elif not item.public:
        out.print("[dim]not public outside its crate[/dim]")
    if raw.attrs.deprecated:
        note = f": {raw.attrs.deprecated_note}" if raw.attrs.deprecated_note else ""
        out.print(f"[red]deprecated{escape(note)}[/red]")
    out.print()
    out.print(escape(raw.signature), highlight=False)
    if raw.docs:
        out.print()
        out.print(escape(raw.docs), highlight=False)
    if result.children:
        out.print("\n[bold]members[/bold]")
        for child in result.children:
            out.print("  " + _item_line(child))
    if result.methods:
        out.print("\n[bold]methods[/bold]")
        for method in result.methods:
            out.print(
                f"  {escape(method.item.raw.signature)}  [dim]{escape(method.location)}[/dim]"
            )
    if result.impls:
        out.print("\n[bold]implementations[/bold]")
        for impl in result.impls:
            out.print("  " + _impl_line(impl))
    for title, relations in (("uses", result.outgoing), ("used by", result.incoming)):
        shown = [r for r in relations if r.kind != "contains"]
        if shown:
            out.print(f"\n[bold]{title}[/bold]")
            for rel in shown[:40]:
                out.print("  " + _relation_line(rel))
            if len(shown) > 40:
                out.print(f"  ... {len(shown) - 40} more (see --json)")
    if result.alternatives:
        out.print("\n[dim]also matched:[/dim]")
        for alt in result.alternatives[:10]:
            out.print("  " + _item_line(alt))


def _impl_line(impl: ImplView) -> str:
    via = " [dim](derive)[/dim]" if impl.via == "derive" else ""
    where = f" [dim]{escape(impl.impl_block.location)}[/dim]" if impl.impl_block else ""
    return f"{escape(impl.trait)} for {escape(impl.type_text)}{via}{where}"


def _relation_line(rel: Relation) -> str:
    target = rel.other.item.path if rel.other else f"{rel.target} [dim](not indexed)[/dim]"
    where = f" [dim]{escape(rel.other.location)}[/dim]" if rel.other else ""
    return f"[cyan]{rel.kind}[/cyan] {escape(target) if rel.other else target}{where}"


def _run(path: Path, index_dir: Path | None, query: Callable[[Workspace], T]) -> T:
    with _workspace(path, index_dir) as workspace:
        return query(workspace)


@app.command()
def show(
    query: Annotated[str, typer.Argument(help="Item name or path (suffixes work: Command::new)")],
    crate: CrateOpt = None,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Signature, docs, location, implementations and relations of an item."""
    result = _run(path, index_dir, lambda ws: ws.show(query, crate=crate))
    if as_json:
        _print_json(result.to_json())
    else:
        _print_show(result)


@app.command()
def impls(
    trait: Annotated[str, typer.Argument(help="Trait name or path")],
    crate: CrateOpt = None,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Types implementing a trait (impl blocks and #[derive])."""
    trait_view, found = _run(path, index_dir, lambda ws: ws.impls(trait, crate=crate))
    if as_json:
        _print_json({"trait": trait_view.to_json(), "impls": [i.to_json() for i in found]})
        return
    out.print(_item_line(trait_view))
    for impl in found:
        out.print("  " + _impl_line(impl))
    if not found:
        out.print("  [dim]no implementations in the index[/dim]")


@app.command()
def methods(
    type_name: Annotated[str, typer.Argument(metavar="TYPE", help="Type name or path")],
    crate: CrateOpt = None,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Inherent and trait methods of a type."""
    type_view, found = _run(path, index_dir, lambda ws: ws.methods(type_name, crate=crate))
    if as_json:
        _print_json({"type": type_view.to_json(), "methods": [m.to_json() for m in found]})
        return
    out.print(_item_line(type_view))
    table = Table(show_header=True, header_style="bold", box=None)
    table.add_column("signature")
    table.add_column("where", style="dim")
    for method in found:
        table.add_row(escape(method.item.raw.signature), escape(method.location))
    out.print(table)


def _print_relations(subject: ItemView, relations: list[Relation], as_json: bool) -> None:
    if as_json:
        _print_json({"item": subject.to_json(), "relations": [r.to_json() for r in relations]})
        return
    out.print(_item_line(subject))
    for rel in relations:
        user = rel.other
        where = f"[dim]{escape(user.location)}[/dim]" if user else ""
        name = escape(user.item.path) if user else escape(rel.target)
        out.print(f"  [cyan]{rel.kind}[/cyan] {name} line {rel.line} {where}")
    if not relations:
        out.print("  [dim]nothing in the index refers to it[/dim]")


@app.command()
def uses(
    query: Annotated[str, typer.Argument(help="Item name or path")],
    crate: CrateOpt = None,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Items that use an item (in types, bounds, imports, re-exports, impls, calls)."""
    subject, relations = _run(path, index_dir, lambda ws: ws.uses(query, crate=crate))
    _print_relations(subject, relations, as_json)


@app.command()
def callers(
    query: Annotated[str, typer.Argument(help="Function or method name or path")],
    crate: CrateOpt = None,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Functions and methods that call a function or method (best effort)."""
    subject, relations = _run(path, index_dir, lambda ws: ws.callers(query, crate=crate))
    _print_relations(subject, relations, as_json)


@app.command()
def export(
    crate: CrateOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="Output format: jsonl")] = "jsonl",
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
) -> None:
    """Every indexed item, one JSON object per line."""
    if fmt != "jsonl":
        raise _fail(f"unknown format {fmt!r}; use --format jsonl")
    with _workspace(path, index_dir) as workspace:
        write = sys.stdout.write
        for row in workspace.export(crate):
            write(json.dumps(row, ensure_ascii=False) + "\n")


@app.command()
def status(
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What the index holds: crates, files, items, edges, warnings, size."""
    with _workspace(path, index_dir) as workspace:
        stats = workspace.store.stats()
        crates = sorted(workspace.crates())
        data = {"index_dir": str(workspace.index_dir), "crates": crates, **_as_dict(stats)}
    if as_json:
        _print_json(data)
        return
    for key, value in data.items():
        if key == "crates":
            out.print(f"[bold]crates[/bold]: {escape(', '.join(crates))}")
        else:
            out.print(f"[bold]{key}[/bold]: {escape(str(value))}")


def _as_dict(stats: object) -> dict[str, Any]:
    if isinstance(stats, dict):
        return dict(stats)
    fields = getattr(stats, "__dataclass_fields__", None)
    if fields is not None:
        return {name: getattr(stats, name) for name in fields}
    return {"stats": str(stats)}


def main() -> None:
    app()


if __name__ == "__main__":
    main()
