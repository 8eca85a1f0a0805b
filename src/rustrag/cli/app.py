"""The typer app and what every command shares: options, consoles, errors, JSON output.

Commands live in sibling modules, one per area, each registering on `app`.
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

from rustrag.api import NotFound, NotIndexed, Workspace
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


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


@contextmanager
def open_workspace(path: Path, index_dir: Path | None) -> Iterator[Workspace]:
    workspace = Workspace(path, index_dir)
    try:
        yield workspace
    except NotIndexed as exc:
        raise fail(str(exc), 2) from exc
    except NotFound as exc:
        raise fail(str(exc), 1) from exc
    except StoreError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        workspace.close()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def run_query(path: Path, index_dir: Path | None, query: Callable[[Workspace], T]) -> T:
    with open_workspace(path, index_dir) as workspace:
        return query(workspace)
