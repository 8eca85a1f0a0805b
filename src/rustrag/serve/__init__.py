"""Serve the code graph to agents over the Model Context Protocol (stdio or HTTP).

A shell over `rustrag.api.Workspace`: tools validate arguments, call the API and render
its results; they hold no query logic of their own.
"""

from rustrag.serve.http_security import BindRefused, check_bind
from rustrag.serve.mcp_server import build_server, run_http, run_stdio
from rustrag.serve.paths import PathRejected, safe_path

__all__ = [
    "BindRefused",
    "PathRejected",
    "build_server",
    "check_bind",
    "run_http",
    "run_stdio",
    "safe_path",
]
