"""`rustrag deps status` and `rustrag deps update`: the locked dependencies and the index."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from rustrag.api import Workspace
from rustrag.cli.shared import IndexDirOpt, JsonOpt, app, err, escape, fail, out, print_json
from rustrag.store.errors import StoreError

if TYPE_CHECKING:
    from rustrag.deps.state import DepsUpdateReport
    from rustrag.deps.status import DepsStatus

deps_app = typer.Typer(help="Dependencies at their locked versions.", no_args_is_help=True)
app.add_typer(deps_app, name="deps")

PathOpt = Annotated[
    Path, typer.Option("--path", "-p", help="A folder inside the workspace (default: .)")
]


def _yes(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "[red]no[/red]")


@deps_app.command("status")
def status(
    path: PathOpt = Path("."), index_dir: IndexDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Each dependency: locked version, Cargo.toml requirement (checked against the lock),
    source found, indexed and current."""
    from rustrag.discover import DiscoveryError

    workspace = Workspace(path, index_dir)
    try:
        result = workspace.deps_status()
    except DiscoveryError as exc:
        raise fail(str(exc), 2) from exc
    except StoreError as exc:
        raise fail(f"cannot read the index at {workspace.index_dir}: {exc}", 2) from exc
    if as_json:
        print_json(result.to_json())
        return
    _print_status(result)


def _print_status(result: DepsStatus) -> None:
    table = Table("crate", "locked", "requirement", "kind", "ok", "source", "indexed", "current")
    for dep in result.dependencies:
        table.add_row(
            escape(dep.name),
            dep.version or "[red]not locked[/red]",
            escape(dep.requirement or ("(transitive)" if not dep.direct else "*")),
            ",".join(dep.kinds),
            _yes(dep.satisfied),
            escape(dep.source) if dep.source_found else "[red]missing[/red]",
            _yes(dep.indexed),
            _yes(dep.current if dep.indexed else None),
        )
    out.print(table)
    for problem in result.problems:
        err.print(f"[yellow]{problem.severity}:[/yellow] {escape(str(problem))}")
    if result.lockfile_changed:
        out.print("Cargo.lock changed since the last index: run `rustrag deps update`")


@deps_app.command("update")
def update(
    path: PathOpt = Path("."), index_dir: IndexDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Re-index only the dependencies whose locked version or sources changed."""
    from rustrag.discover import DiscoveryError

    workspace = Workspace(path, index_dir)
    try:
        report = workspace.update_deps()
    except DiscoveryError as exc:
        raise fail(str(exc), 2) from exc
    except StoreError as exc:
        raise fail(f"the index at {workspace.index_dir} could not be written: {exc}", 2) from exc
    if as_json:
        print_json(report.to_json())
        return
    _print_update(report)


def _print_update(report: DepsUpdateReport) -> None:
    for problem in report.problems:
        err.print(f"[yellow]{problem.severity}:[/yellow] {escape(str(problem))}")
    for label, ids in (
        ("re-indexed", report.reindexed),
        ("from the machine cache", report.from_cache),
        ("removed", report.removed),
    ):
        if ids:
            out.print(f"{label}: {', '.join(ids)}")
    out.print(
        f"{len(report.reindexed)} re-indexed, {len(report.from_cache)} from cache, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed "
        f"in {report.seconds:.2f} s"
    )
