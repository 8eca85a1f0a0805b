"""Keeping the index current and safe: status, watch, snapshot, rollback."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rustrag.api import Workspace
from rustrag.cli.shared import (
    IndexDirOpt,
    JsonOpt,
    PathArg,
    app,
    err,
    escape,
    fail,
    open_workspace,
    out,
    print_json,
)
from rustrag.config import Limits
from rustrag.store.errors import IndexBusy, StoreError

if TYPE_CHECKING:  # rustrag.update costs ~0.5 s to import: only its commands load it
    from rustrag.update.snapshots import SnapshotInfo
    from rustrag.update.status import IndexStatus
    from rustrag.update.watch import WatchEvent


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _when(stamp: float | None) -> str:
    if not stamp:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


def _print_status(status: IndexStatus) -> None:
    out.print(f"[bold]index[/bold]: {escape(status.index_dir)}")
    members = [c for c in status.crates if c.source == "workspace"]
    deps = [c for c in status.crates if c.source != "workspace"]
    out.print(
        f"[bold]crates[/bold]: {len(status.crates)} "
        f"({len(members)} members, {len(deps)} dependencies)"
    )
    for c in members + deps:
        out.print(f"  {escape(c.name)} {escape(c.version)} [dim]{c.source}[/dim]")
    out.print(
        f"[bold]contents[/bold]: {status.files:,} files, {status.lines:,} lines, "
        f"{status.items:,} items, {status.edges:,} edges"
    )
    out.print(
        f"[bold]size[/bold]: database {_size(status.db_bytes)} "
        f"(+ {_size(status.shard_bytes)} of dependency shards shared in the machine cache), "
        "parse cache "
        f"{_size(status.cache_bytes)}, snapshots {_size(status.snapshot_bytes)} "
        f"({len(status.snapshots)})"
    )
    run = status.last_run
    if run:
        out.print(
            f"[bold]last update[/bold]: {_when(run.get('finished_at'))}, "
            f"{run.get('seconds', 0):.2f} s, {len(run.get('crates_updated', []))} crates "
            f"updated, {run.get('files_parsed', 0)} files parsed, "
            f"{run.get('warning_count', 0)} warnings"
        )
        for warning in run.get("warnings", [])[:10]:
            out.print(
                f"  [yellow]warning:[/yellow] {escape(str(warning.get('reason')))} "
                f"[dim]{escape(str(warning.get('file')))}[/dim]"
            )
    else:
        out.print("[bold]last update[/bold]: no run recorded")
    if status.locked_not_indexed or status.indexed_not_locked:
        out.print(
            f"[bold]stale dependencies[/bold]: {len(status.locked_not_indexed)} locked but not "
            f"indexed, {len(status.indexed_not_locked)} indexed but no longer locked "
            "(details: `rustrag deps status`; fix: `rustrag index`)"
        )
        for crate_id in status.locked_not_indexed[:10]:
            out.print(f"  [yellow]not indexed:[/yellow] {escape(crate_id)}")
    else:
        out.print("[bold]stale dependencies[/bold]: none")
    state = status.embedding.get("state", "unknown")
    pending = "" if status.embeddings_pending is None else f", {status.embeddings_pending} pending"
    out.print(f"[bold]embeddings[/bold]: {escape(str(state))}{pending}")
    out.print(f"[bold]log[/bold]: {escape(status.log_file)}")
    for note in status.notes:
        out.print(f"[dim]note: {escape(note)}[/dim]")
    if status.verify is not None:
        report = status.verify
        verdict = (
            "[red]CORRUPT[/red]"
            if report.corrupt
            else ("[green]clean[/green]" if report.clean else "[yellow]needs an update[/yellow]")
        )
        out.print(f"[bold]verify[/bold]: {verdict} ({len(report.checks)} checks)")
        for finding in report.findings:
            out.print(f"  [{finding.severity}] {escape(finding.check)}: {escape(finding.detail)}")
        if report.corrupt:
            out.print(
                "  fix: `rustrag rollback` to the last snapshot, or `rustrag index --rebuild`"
            )


@app.command()
def status(
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Check integrity: rows, crate states, files, snapshots"),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """What the index holds, how current it is, what the last run said (exit 1 when
    --verify finds corruption)."""
    with open_workspace(path, index_dir) as workspace:
        result = workspace.status(verify=verify)
    if as_json:
        print_json(result.to_json())
    else:
        _print_status(result)
    if result.verify is not None and result.verify.corrupt:
        raise typer.Exit(1)


def _snapshot_json(info: SnapshotInfo) -> dict[str, Any]:
    return info.to_json()


@app.command()
def snapshot(
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="A note kept with the snapshot")] = "",
    list_only: Annotated[bool, typer.Option("--list", help="List snapshots, take none")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Save the current index state (database and search snapshots) for `rollback`."""
    with open_workspace(path, index_dir) as workspace:
        if list_only:
            found = workspace.snapshots()
            if as_json:
                print_json([_snapshot_json(s) for s in found])
                return
            if not found:
                out.print("no snapshots; take one with `rustrag snapshot`")
            for s in found:
                kind = "auto" if s.automatic else "manual"
                out.print(
                    f"{s.snapshot_id}  {_when(s.created_at)}  {kind}  {_size(s.db_bytes)}  "
                    f"{escape(s.reason)}"
                )
            return
        info = workspace.snapshot(reason)
    if as_json:
        print_json(_snapshot_json(info))
        return
    out.print(
        f"[bold]snapshot[/bold] {info.snapshot_id}: {len(info.crates)} crates, "
        f"{_size(info.db_bytes)} in {info.seconds:.2f} s"
    )


@app.command()
def rollback(
    snapshot_id: Annotated[
        str | None, typer.Argument(help="Snapshot id or a unique prefix (default: newest)")
    ] = None,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Restore an earlier index state taken by `rustrag snapshot` (or automatically
    before a dependency change)."""
    from rustrag.update.snapshots import SnapshotNotFound

    workspace = Workspace(path, index_dir)
    try:
        info = workspace.rollback(snapshot_id)
    except SnapshotNotFound as exc:
        raise fail(f"{exc}; list them with `rustrag snapshot --list`", 1) from exc
    except IndexBusy as exc:
        raise fail(f"{exc} Stop `rustrag watch`/`rustrag index` first, then roll back.", 2) from exc
    except StoreError as exc:
        raise fail(str(exc), 2) from exc
    if as_json:
        print_json({"restored": _snapshot_json(info)})
        return
    out.print(
        f"[bold]restored[/bold] {info.snapshot_id} ({_when(info.created_at)}, "
        f"{len(info.crates)} crates). Run `rustrag index` to bring it up to the current sources."
    )


def _print_event(event: WatchEvent, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(event.to_json()) + "\n")
        sys.stdout.flush()
        return
    data = event.to_json()
    if event.kind == "error":
        err.print(f"[red]update failed:[/red] {escape(event.error)}")
        return
    if event.kind == "ready":
        out.print(f"watching; index current in {event.seconds:.2f} s (Ctrl-C to stop)")
        return
    updated = ", ".join(data["crates_updated"]) or "nothing"  # type: ignore[arg-type]
    out.print(
        f"{event.kind}: {len(event.paths)} paths -> {escape(updated)} in "
        f"{event.seconds * 1000:.0f} ms (+{event.search_seconds * 1000:.0f} ms search)"
    )


@app.command()
def watch(
    path: Annotated[Path, typer.Argument(help="Workspace or package folder")] = Path("."),
    index_dir: IndexDirOpt = None,
    no_deps: Annotated[bool, typer.Option("--no-deps", help="Members only")] = False,
    no_embed: Annotated[
        bool, typer.Option("--no-embed", help="Do not start background embedding")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Keep the index current while you edit: each save updates the index within
    milliseconds; a Cargo.toml/Cargo.lock change updates the dependencies. Queries
    from other processes keep working meanwhile."""
    workspace = Workspace(path, index_dir)
    watcher = workspace.watcher(
        include_deps=not no_deps,
        limits=Limits.from_env(),
        embed=not no_embed,
        on_event=lambda event: _print_event(event, as_json),
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        watcher.stop_event.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        watcher.run()
    except IndexBusy as exc:
        raise fail(f"{exc} Only one `rustrag watch` or `rustrag index` can write.", 2) from exc
    except StoreError as exc:
        raise fail(f"the index at {workspace.index_dir} could not be written: {exc}", 2) from exc
