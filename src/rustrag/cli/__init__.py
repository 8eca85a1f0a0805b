"""The `rustrag` command line. Each module registers its commands on the shared app;
only presentation lives here, every answer comes from `rustrag.api.Workspace`."""

from rustrag.cli import ask, check, deps, diff, indexing, maintenance, query, search, serve
from rustrag.cli.app import app

__all__ = [
    "app",
    "ask",
    "check",
    "deps",
    "diff",
    "indexing",
    "main",
    "maintenance",
    "query",
    "search",
    "serve",
]


def main() -> None:
    app()
