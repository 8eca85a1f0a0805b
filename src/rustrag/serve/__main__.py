"""`python -m rustrag.serve`: run the MCP server without the CLI (tests, benchmarks,
and clients that launch a module). Same options as `rustrag serve`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rustrag.api import Workspace
from rustrag.serve.http_security import BindRefused
from rustrag.serve.mcp_server import run_http, run_stdio

TOKEN_ENV = "RUSTRAG_MCP_TOKEN"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m rustrag.serve", description=__doc__)
    parser.add_argument("--path", type=Path, default=Path("."), help="folder in the workspace")
    parser.add_argument("--index-dir", type=Path, default=None, help="index folder")
    parser.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address")
    parser.add_argument(
        "--token", default=None, help=f"bearer token required on every HTTP request (${TOKEN_ENV})"
    )
    parser.add_argument(
        "--allow-remote", action="store_true", help="allow a non-loopback --host (needs --token)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # stdout carries the protocol over stdio: every log line goes to stderr
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    workspace = Workspace(args.path, args.index_dir)
    if args.http is None:
        run_stdio(workspace)
        return 0
    token = args.token or os.environ.get(TOKEN_ENV) or None
    try:
        run_http(
            workspace, port=args.http, host=args.host, token=token, allow_remote=args.allow_remote
        )
    except BindRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
