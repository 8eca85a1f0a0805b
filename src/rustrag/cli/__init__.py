"""The `rustrag` command line. Each module registers its commands on the shared app;
only presentation lives here, every answer comes from `rustrag.api.Workspace`.

`main` (the console script) imports only the module of the command it was asked for
before handing over to typer, so `rustrag search` neither imports nor builds the other
twenty commands and their dependencies (a cold query's budget is 0.5 s). Anything
else (`--help`, no command, a module with a single command, which typer would turn into
the root command) imports them all. `app` imports them all too, on first access.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typer import Typer

MODULES = ("ask", "check", "deps", "diff", "indexing", "maintenance", "query", "search", "serve")

# Commands whose module registers more than one command (or a group): alone, they still
# make a group, so `rustrag NAME ...` parses as it does with every command registered.
# tests/test_cli.py checks this table against the full app.
FAST_COMMANDS: dict[str, str] = {
    "search": "search",
    "context": "search",
    "show": "query",
    "impls": "query",
    "methods": "query",
    "uses": "query",
    "callers": "query",
    "export": "query",
    "diff": "diff",
    "current": "diff",
    "status": "maintenance",
    "snapshot": "maintenance",
    "rollback": "maintenance",
    "watch": "maintenance",
    "deps": "deps",
}


def _load(modules: tuple[str, ...]) -> Typer:
    for name in modules:
        importlib.import_module(f"rustrag.cli.{name}")
    from rustrag.cli.shared import app

    return app


def full_app() -> Typer:
    """The app with every command registered."""
    return _load(MODULES)


def __getattr__(name: str) -> Any:
    if name == "app":
        return full_app()
    if name in MODULES:
        return importlib.import_module(f"rustrag.cli.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    args = sys.argv[1:]
    module = FAST_COMMANDS.get(args[0]) if args else None
    app = _load((module,)) if module is not None else full_app()
    app()


__all__ = ["FAST_COMMANDS", "MODULES", "app", "full_app", "main"]
