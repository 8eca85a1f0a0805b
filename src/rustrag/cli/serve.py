"""`rustrag serve`: the MCP server, over stdio (default) or streamable HTTP."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from rustrag.api import Workspace
from rustrag.cli.shared import IndexDirOpt, PathArg, app, fail


@app.command()
def serve(
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    http: Annotated[
        int | None, typer.Option("--http", help="Serve streamable HTTP on this port")
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind with --http")] = "127.0.0.1",
    token: Annotated[
        str | None,
        typer.Option(
            "--token", help="Bearer token required on every HTTP request (or $RUSTRAG_MCP_TOKEN)"
        ),
    ] = None,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a non-loopback --host (needs a token)")
    ] = False,
) -> None:
    """Serve the index to coding agents over MCP (stdio unless --http is given)."""
    # Imported here: the MCP SDK takes about a second to import, which no other command
    # should pay.
    from rustrag.serve.http_security import BindRefused
    from rustrag.serve.mcp_server import run_http, run_stdio

    workspace = Workspace(path, index_dir)
    if http is None:
        run_stdio(workspace)
        return
    try:
        run_http(
            workspace,
            port=http,
            host=host,
            token=token or os.environ.get("RUSTRAG_MCP_TOKEN"),
            allow_remote=allow_remote,
        )
    except BindRefused as exc:
        raise fail(str(exc), 2) from exc
