"""The MCP server over streamable HTTP on 127.0.0.1: the official client with a bearer
token, 401 without it, and the refusal to listen on other addresses unsafely."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from mcp_support import (
    SERVER_MODULE,
    build_geometry_index,
    call,
    free_port,
    http_server,
    http_session,
    server_args,
    structured,
)

TOKEN = "test-token-4f1c"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_geometry_index(tmp_path_factory.mktemp("geometry-index"))


@pytest.fixture(scope="module")
def url(index_dir: Path) -> Iterator[str]:
    with http_server(index_dir, free_port(), "--token", TOKEN) as endpoint:
        yield endpoint


def post_initialize(url: str, authorization: str | None) -> int:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"},
        },
    }
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if authorization is not None:
        headers["Authorization"] = authorization
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_client_with_the_token_lists_and_calls_tools(url: str) -> None:
    async def scenario() -> None:
        async with http_session(url, TOKEN) as session:
            names = {t.name for t in (await session.list_tools()).tools}
            assert {"show_item", "methods", "search"} <= names
            data = structured(await call(session, "show_item", name="Shape"))
            implementors = {i["type"] for i in data["impls"]}
            assert {"Circle", "Polygon"} <= implementors
            missing = await call(session, "methods", type="NoSuchType")
            assert missing.is_error

    anyio.run(scenario)


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", TOKEN, f"Basic {TOKEN}"])
def test_requests_without_the_right_token_get_401(url: str, authorization: str | None) -> None:
    assert post_initialize(url, authorization) == 401


def test_a_request_with_the_token_is_served(url: str) -> None:
    assert post_initialize(url, f"Bearer {TOKEN}") == 200


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (["--host", "0.0.0.0"], "--allow-remote"),
        (["--host", "0.0.0.0", "--token", TOKEN], "--allow-remote"),
        (["--host", "0.0.0.0", "--allow-remote"], "token"),
    ],
)
def test_refuses_to_listen_on_all_interfaces_without_flag_and_token(
    index_dir: Path, extra: list[str], reason: str
) -> None:
    port = free_port()
    completed = subprocess.run(
        [*SERVER_MODULE, *server_args(index_dir, "--http", str(port), *extra)],
        capture_output=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin"},  # no $RUSTRAG_MCP_TOKEN inherited from the caller
    )
    assert completed.returncode == 2
    stderr = completed.stderr.decode()
    assert "refusing to listen on 0.0.0.0" in stderr and reason in stderr
