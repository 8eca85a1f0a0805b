"""The `rustrag` command line. Each module registers its commands on the shared app;
only presentation lives here, every answer comes from `rustrag.api.Workspace`."""

from rustrag.cli import deps, indexing, query, serve
from rustrag.cli.app import app

__all__ = ["app", "indexing", "main", "query", "serve"]


def main() -> None:
    app()
