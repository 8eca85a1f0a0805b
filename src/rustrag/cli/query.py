"""Graph queries: show, impls, methods, uses, callers, export (`status` is in maintenance)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from rustrag.api import ImplView, ItemView, Relation, ShowResult
from rustrag.cli.shared import (
    CrateOpt,
    IndexDirOpt,
    JsonOpt,
    PathArg,
    app,
    escape,
    fail,
    open_workspace,
    out,
    print_json,
    run_query,
)


def _item_line(view: ItemView) -> str:
    return (
        f"[cyan]{view.item.kind}[/cyan] [bold]{escape(view.item.path)}[/bold] "
        f"[dim]{escape(view.label)}  {escape(view.location)}[/dim]"
    )


def _print_show(result: ShowResult) -> None:
    view = result.item
    item = view.item
    raw = item.raw
    if result.stale is not None:
        # the query named an item the current version lacks (rustrag.apidiff)
        stale = result.stale
        out.print(f"[yellow]{stale.status}[/yellow]: {escape(stale.evidence)}")
        if stale.replacement is None:
            out.print("[red]no replacement found; this item is NOT in the current version[/red]")
        for alt in stale.alternatives:
            out.print(f"  similar now: {escape(alt.item.path)}")
        out.print()
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


@app.command()
def show(
    query: Annotated[str, typer.Argument(help="Item name or path (suffixes work: Command::new)")],
    crate: CrateOpt = None,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Signature, docs, location, implementations and relations of an item."""
    result = run_query(path, index_dir, lambda ws: ws.show(query, crate=crate))
    if as_json:
        print_json(result.to_json())
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
    trait_view, found = run_query(path, index_dir, lambda ws: ws.impls(trait, crate=crate))
    if as_json:
        print_json({"trait": trait_view.to_json(), "impls": [i.to_json() for i in found]})
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
    type_view, found = run_query(path, index_dir, lambda ws: ws.methods(type_name, crate=crate))
    if as_json:
        print_json({"type": type_view.to_json(), "methods": [m.to_json() for m in found]})
        return
    out.print(_item_line(type_view))
    from rich.table import Table  # only here: see rustrag.cli.shared on importing rich

    table = Table(show_header=True, header_style="bold", box=None)
    table.add_column("signature")
    table.add_column("where", style="dim")
    for method in found:
        table.add_row(escape(method.item.raw.signature), escape(method.location))
    out.print(table)


def _print_relations(subject: ItemView, relations: list[Relation], as_json: bool) -> None:
    if as_json:
        print_json({"item": subject.to_json(), "relations": [r.to_json() for r in relations]})
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
    subject, relations = run_query(path, index_dir, lambda ws: ws.uses(query, crate=crate))
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
    subject, relations = run_query(path, index_dir, lambda ws: ws.callers(query, crate=crate))
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
        raise fail(f"unknown format {fmt!r}; use --format jsonl")
    with open_workspace(path, index_dir) as workspace:
        write = sys.stdout.write
        for row in workspace.export(crate):
            write(json.dumps(row, ensure_ascii=False) + "\n")
