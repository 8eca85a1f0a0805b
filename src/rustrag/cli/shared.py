"""The typer app and what every command shares: options, consoles, errors, JSON output.

Commands live in sibling modules, one per area, each registering on `app`.

rich is imported when something is first printed through it (`out`, `err`, `escape`):
importing it costs ~20-30 ms that a `--json` query, which writes plain JSON, never needs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from rustrag.api import NotFound, NotIndexed, Workspace
from rustrag.store.errors import StoreError

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    name="rustrag",
    help="Local, offline context engine for Rust: index a workspace and its locked "
    "dependencies, then query the code graph.",
    no_args_is_help=True,
    add_completion=False,
)


class LazyConsole:
    """A rich `Console` made on first use."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, soft_wrap=True)
        return self._console

    @property
    def is_terminal(self) -> bool:
        return self.console.is_terminal

    def print(self, *objects: Any, **options: Any) -> None:
        self.console.print(*objects, **options)


out = LazyConsole()
err = LazyConsole(stderr=True)


def escape(text: str) -> str:
    """rich's markup escape (see the module docstring for why it is imported here)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


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
