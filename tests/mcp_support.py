"""Shared helpers of the MCP server tests: a real index of examples/geometry, the server
as a subprocess, and the official MCP client connected to it over stdio or HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, cast

import httpx2
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from rustrag.api import Workspace

REPO = Path(__file__).resolve().parents[1]
GEOMETRY = REPO / "examples" / "geometry"
SERVER_MODULE = [sys.executable, "-m", "rustrag.serve"]
STARTUP_SECONDS = 30.0


def build_geometry_index(index_dir: Path) -> Path:
    """Index examples/geometry into `index_dir` with the real pipeline."""
    workspace = Workspace(GEOMETRY, index_dir)
    try:
        report = workspace.index()
    finally:
        workspace.close()
    assert report.crates >= 2, report
    return index_dir


def server_args(index_dir: Path, *extra: str) -> list[str]:
    return ["--path", str(GEOMETRY), "--index-dir", str(index_dir), *extra]


@asynccontextmanager
async def stdio_session(index_dir: Path) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(
        command=SERVER_MODULE[0], args=[*SERVER_MODULE[1:], *server_args(index_dir)]
    )
    async with (
        stdio_client(params) as (read_stream, write_stream),
        ClientSession(read_stream, write_stream) as session,
    ):
        await session.initialize()
        yield session


@asynccontextmanager
async def http_session(url: str, token: str | None) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30.0) as http,
        streamable_http_client(url, http_client=http) as (read_stream, write_stream),
        ClientSession(read_stream, write_stream) as session,
    ):
        await session.initialize()
        yield session


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _, err = process.communicate()
            raise AssertionError(f"server exited with {process.returncode}: {err.decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"server did not listen on {port} within {STARTUP_SECONDS} s")


@contextmanager
def http_server(index_dir: Path, port: int, *extra: str) -> Iterator[str]:
    """Run the HTTP server as a subprocess; yields its MCP endpoint URL."""
    process = subprocess.Popen(
        [*SERVER_MODULE, *server_args(index_dir, "--http", str(port), *extra)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))


def structured(result: types.CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert isinstance(result.structured_content, dict), result
    return cast(dict[str, Any], result.structured_content)


async def call(session: ClientSession, tool: str, **arguments: Any) -> types.CallToolResult:
    result = await session.call_tool(tool, arguments)
    assert isinstance(result, types.CallToolResult), result
    return result
