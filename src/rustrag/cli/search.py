"""`rustrag search` and `rustrag context`: hybrid retrieval and context packs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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

KindOpt = Annotated[
    list[str] | None, typer.Option("--kind", help="Only items of this kind (repeatable)")
]
DenseOpt = Annotated[
    bool,
    typer.Option(
        "--dense/--no-dense",
        help="Add dense (embedding) similarity when its vectors are ready; loads the model",
    ),
]


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="A question, identifier, path, or pasted code")],
    k: Annotated[int, typer.Option("-k", help="How many results")] = 10,
    crate: CrateOpt = None,
    kind: KindOpt = None,
    origin: Annotated[
        str, typer.Option("--origin", help="all, workspace (members) or deps")
    ] = "all",
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="Search every indexed version of a crate")
    ] = False,
    dense: DenseOpt = False,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find items: exact names first, then BM25, dense and code-graph neighbours fused."""
    if origin not in ("all", "workspace", "deps"):
        raise fail(f"--origin must be all, workspace or deps, not `{origin}`")
    hits = run_query(
        path,
        index_dir,
        lambda ws: ws.search(
            query,
            k=k,
            crate=crate,
            kinds=kind,
            origin=origin,
            all_versions=all_versions,
            dense=dense,
        ),
    )
    if as_json:
        print_json({"query": query, "results": [hit.to_json() for hit in hits]})
        return
    if not hits:
        out.print("no matches; try other words, --all-versions, or `rustrag index`")
        return
    for rank, hit in enumerate(hits, start=1):
        item = hit.view.item
        signals = ",".join(sorted(hit.signals))
        out.print(
            f"{rank:>2}. [cyan]{item.kind}[/cyan] [bold]{escape(item.path)}[/bold] "
            f"[dim]{escape(hit.view.label)}  {escape(hit.view.location)}  ({signals})[/dim]"
        )
        if hit.use_path != item.path:
            out.print(f"    use {escape(hit.use_path)}", highlight=False)
        if hit.note or hit.via:
            out.print(f"    [yellow]{escape(hit.note or hit.via)}[/yellow]")


@app.command()
def context(
    query: Annotated[str | None, typer.Argument(help="The task or question")] = None,
    at: Annotated[str | None, typer.Option("--at", help="A place in the code: FILE:LINE")] = None,
    budget: Annotated[int, typer.Option("--budget", help="Token budget (MiniLM count)")] = 2000,
    fmt: Annotated[str, typer.Option("--format", help="md or json")] = "md",
    crate: CrateOpt = None,
    dense: DenseOpt = False,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Assemble the definitions to read for a question or a place, within a budget."""
    if fmt not in ("md", "json"):
        raise fail(f"--format must be md or json, not `{fmt}`")
    if budget < 50:
        raise fail("--budget must be at least 50 tokens")
    pack = run_query(
        path,
        index_dir,
        lambda ws: ws.context(query, at=at, budget=budget, crate=crate, dense=dense),
    )
    if as_json or fmt == "json":
        print_json(pack.to_json())
        return
    typer.echo(pack.to_markdown(), nl=False)
