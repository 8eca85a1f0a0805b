"""Versions: `rustrag diff` (public API diff of two indexed versions) and `rustrag current`
(what an outdated name is called now)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rustrag.cli.shared import (
    CrateOpt,
    IndexDirOpt,
    JsonOpt,
    PathArg,
    app,
    escape,
    fail,
    out,
    print_json,
    run_query,
)

if TYPE_CHECKING:
    from rustrag.apidiff.outdated import Resolution

_FORMATS = ("text", "md", "html", "json")


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="Older version: CRATE@VERSION (clap@3.2.23)")],
    new: Annotated[str, typer.Argument(help="Newer version: CRATE@VERSION (clap@4.0.32)")],
    fmt: Annotated[str, typer.Option("--format", help="text, md, html or json")] = "text",
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Recompute the diff")] = False,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Public API changes between two indexed versions of a crate: added, removed,
    changed, moved, renamed and newly deprecated items, with locations."""
    if fmt not in _FORMATS:
        raise fail(f"unknown format {fmt!r}; use one of: {', '.join(_FORMATS)}")
    for crate_id in (old, new):
        if "@" not in crate_id:
            raise fail(f"`{crate_id}` needs a version: CRATE@VERSION (see `rustrag status`)")
    from rustrag.apidiff.render import to_html, to_markdown

    result = run_query(path, index_dir, lambda ws: ws.api_diff(old, new, use_cache=not no_cache))
    if as_json or fmt == "json":
        print_json(result.to_json())
    elif fmt == "md":
        sys.stdout.write(to_markdown(result))
    elif fmt == "html":
        sys.stdout.write(to_html(result))
    else:
        out.print(to_markdown(result), markup=False, highlight=False)


def _print_resolution(found: Resolution) -> None:
    stale = found.stale
    if stale is None and found.item is not None:
        view = found.item
        out.print(
            f"[green]current[/green] {escape(view.item.path)} [dim]{escape(view.label)}[/dim]"
        )
        return
    if stale is None:
        return
    out.print(f"[yellow]{stale.status}[/yellow]: {escape(stale.evidence)}")
    if stale.replacement is not None:
        view = stale.replacement
        out.print(
            f"use [bold]{escape(view.item.path)}[/bold] [dim]{escape(view.label)}  "
            f"{escape(view.location)}[/dim]"
        )
        out.print("  " + escape(view.item.raw.signature), highlight=False)
    for alt in stale.alternatives:
        out.print(f"  similar: {escape(alt.item.path)} [dim]{escape(alt.location)}[/dim]")


@app.command()
def current(
    query: Annotated[str, typer.Argument(help="Name or path as written (clap::App, App::new)")],
    crate: CrateOpt = None,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The current item for a name: itself, or what an outdated name became (renamed,
    moved, removed) in the version the project uses, with the evidence."""
    found = run_query(path, index_dir, lambda ws: ws.lookup_current(query, crate=crate))
    if as_json:
        print_json(found.to_json())
    else:
        _print_resolution(found)
