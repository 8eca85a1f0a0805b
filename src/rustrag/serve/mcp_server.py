"""The MCP server: the tools of `rustrag.serve.tools` over stdio or streamable HTTP.

Built on the SDK's low-level `Server` because the tool list is data (it depends on which
Workspace methods exist) and each tool declares its own input and output schemas.
"""

from __future__ import annotations

import logging
import sys
from functools import partial
from typing import Any

import anyio
import anyio.to_thread
import uvicorn
from mcp import types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp

from rustrag import __version__
from rustrag.api import Workspace
from rustrag.serve.http_security import BearerTokenMiddleware, check_bind, is_loopback
from rustrag.serve.tools import EXPECTED_ERRORS, ToolOutput, ToolSpec, available_tools

log = logging.getLogger("rustrag.serve")

MCP_PATH = "/mcp"

INSTRUCTIONS = (
    "rustrag answers questions about the Rust code of this workspace and the exact "
    "versions of its locked dependencies, from a local index. Prefer it to memory: "
    "show_item for an item's signature, docs and impls; methods for what a type can do; "
    "impls for the implementors of a trait; search when unsure of a name; find_usages and "
    "callers before changing an item; deps_status for the indexed crate versions. Every "
    "tool takes an optional `crate` (name or name@version) to disambiguate."
)

READ_ONLY = types.ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


def tool_definition(spec: ToolSpec) -> types.Tool:
    return types.Tool(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        input_schema=spec.input_schema,
        output_schema=spec.output_schema,
        annotations=READ_ONLY,
    )


def run_tool(workspace: Workspace, spec: ToolSpec, arguments: dict[str, Any] | None) -> ToolOutput:
    """Validate the arguments and run one tool (blocking: called in a worker thread)."""
    return spec.run(workspace, spec.validate(arguments))


def error_result(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)


def build_server(workspace: Workspace) -> Server[Any]:
    """An MCP server exposing the rustrag tools over `workspace`. Transport-agnostic."""
    specs = {spec.name: spec for spec in available_tools(workspace)}
    # Workspace holds one store handle and lazy caches: serve one call at a time, in a
    # worker thread so the event loop keeps answering pings and cancellations meanwhile.
    limiter = anyio.CapacityLimiter(1)

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[tool_definition(s) for s in specs.values()])

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        spec = specs.get(params.name)
        if spec is None:
            known = ", ".join(specs)
            return error_result(f"unknown tool `{params.name}`; available: {known}")
        try:
            output = await anyio.to_thread.run_sync(
                partial(run_tool, workspace, spec, params.arguments), limiter=limiter
            )
        except EXPECTED_ERRORS as exc:
            return error_result(str(exc))
        except Exception as exc:  # a bug must cost one call, not the agent's session
            log.exception("tool %s failed", spec.name)
            return error_result(f"internal error in `{spec.name}`: {type(exc).__name__}: {exc}")
        return types.CallToolResult(
            content=[types.TextContent(text=output.text)],
            structured_content=output.structured,
        )

    return Server(
        "rustrag",
        version=__version__,
        title="rustrag: Rust code graph",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


async def serve_stdio(workspace: Workspace) -> None:
    server = build_server(workspace)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def run_stdio(workspace: Workspace) -> None:
    """Serve MCP over stdin/stdout until stdin closes. Logs go to stderr only: stdout is
    the protocol channel."""
    try:
        anyio.run(serve_stdio, workspace)
    finally:
        workspace.close()


def http_app(workspace: Workspace, *, host: str = "127.0.0.1", token: str | None = None) -> ASGIApp:
    """The streamable-HTTP ASGI app at /mcp, behind the bearer-token gate when a token
    is given."""
    server = build_server(workspace)
    security = None
    if not is_loopback(host):
        # Host-header checks guard loopback servers against DNS rebinding; a remote bind
        # is reached under names we cannot list, and the required token guards it instead.
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    app: ASGIApp = server.streamable_http_app(
        streamable_http_path=MCP_PATH, host=host, transport_security=security
    )
    return BearerTokenMiddleware(app, token) if token else app


def run_http(
    workspace: Workspace,
    *,
    port: int,
    host: str = "127.0.0.1",
    token: str | None = None,
    allow_remote: bool = False,
) -> None:
    """Serve MCP over streamable HTTP at http://HOST:PORT/mcp until interrupted.

    Raises BindRefused (before opening any socket) for a non-loopback host without both
    `allow_remote` and a token."""
    check_bind(host, token, allow_remote)
    app = http_app(workspace, host=host, token=token)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    shown_host = f"[{host}]" if ":" in host else host
    print(f"rustrag MCP server on http://{shown_host}:{port}{MCP_PATH}", file=sys.stderr)
    try:
        uvicorn.Server(config).run()
    finally:
        workspace.close()
