"""The MCP server over stdio, driven by the official MCP client against a real index."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import anyio
import pytest

from mcp_support import (
    GEOMETRY,
    SERVER_MODULE,
    build_geometry_index,
    call,
    server_args,
    stdio_session,
    structured,
    text_of,
)

CORE_TOOLS = {"show_item", "impls", "methods", "find_usages", "callers", "search", "deps_status"}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_geometry_index(tmp_path_factory.mktemp("geometry-index"))


def test_list_tools_describes_every_tool(index_dir: Path) -> None:
    async def scenario() -> None:
        async with stdio_session(index_dir) as session:
            tools = {t.name: t for t in (await session.list_tools()).tools}
            assert set(tools) >= CORE_TOOLS
            for tool in tools.values():
                assert tool.description and len(tool.description) > 60, tool.name
                assert tool.input_schema["type"] == "object"
                assert "crate" in tool.input_schema["properties"], tool.name
                assert tool.output_schema is not None, tool.name

    anyio.run(scenario)


def test_show_item_of_a_trait_lists_its_implementors(index_dir: Path) -> None:
    async def scenario() -> None:
        async with stdio_session(index_dir) as session:
            result = await call(session, "show_item", name="Shape")
            data = structured(result)
            assert data["item"]["kind"] == "trait"
            assert data["item"]["name"] == "Shape"
            assert data["item"]["file"].endswith("lib.rs")
            implementors = {i["type_item"]["name"] for i in data["impls"] if i["type_item"]}
            assert implementors == {"Circle", "Polygon"}
            text = text_of(result)
            assert "pub trait Shape" in text and "Circle" in text and "Polygon" in text

    anyio.run(scenario)


def test_methods_lists_inherent_and_trait_methods(index_dir: Path) -> None:
    async def scenario() -> None:
        async with stdio_session(index_dir) as session:
            data = structured(await call(session, "methods", type="Circle"))
            assert data["type"]["kind"] == "struct"
            by_name = {m["item"]["name"]: m["trait"] for m in data["methods"]}
            assert by_name["new"] is None and by_name["diameter"] is None
            assert by_name["area"] == "Shape" and by_name["perimeter"] == "Shape"

    anyio.run(scenario)


def test_impls_and_callers_follow_the_graph(index_dir: Path) -> None:
    async def scenario() -> None:
        async with stdio_session(index_dir) as session:
            impls = structured(await call(session, "impls", trait="Shape"))
            assert {i["type"] for i in impls["impls"]} >= {"Circle", "Polygon"}
            callers = structured(await call(session, "callers", name="Circle::new"))
            names = {r["item"]["name"] for r in callers["relations"] if r["item"]}
            assert "draw_unit_circle" in names

    anyio.run(scenario)


def test_deps_status_reports_the_versions_in_the_manifests(index_dir: Path) -> None:
    root = tomllib.loads((GEOMETRY / "Cargo.toml").read_text())
    inherited = root.get("workspace", {}).get("package", {}).get("version")
    expected = {}
    for manifest in GEOMETRY.glob("crates/*/Cargo.toml"):
        package = tomllib.loads(manifest.read_text())["package"]
        version = package["version"]
        expected[package["name"]] = inherited if isinstance(version, dict) else version

    async def scenario() -> None:
        async with stdio_session(index_dir) as session:
            data = structured(await call(session, "deps_status"))
            found = {c["name"]: c["version"] for c in data["crates"]}
            assert found == expected
            one = structured(await call(session, "deps_status", crate="shapes"))
            assert [c["name"] for c in one["crates"]] == ["shapes"]

    anyio.run(scenario)


def test_search_finds_items_by_name(index_dir: Path) -> None:
    async def scenario() -> None:
        async with stdio_session(index_dir) as session:
            data = structured(await call(session, "search", query="Polygon", kinds=["struct"]))
            paths = [r["item"]["path"] for r in data["results"] if "item" in r]
            assert any(p.endswith("::Polygon") for p in paths), data

    anyio.run(scenario)


def test_errors_come_back_as_tool_errors_and_the_server_keeps_serving(index_dir: Path) -> None:
    async def scenario() -> None:
        async with stdio_session(index_dir) as session:
            missing = await call(session, "show_item", name="NoSuchItemAnywhere")
            assert missing.is_error and "NoSuchItemAnywhere" in text_of(missing)
            wrong_crate = await call(session, "impls", trait="Shape", crate="no_such_crate")
            assert wrong_crate.is_error and "no_such_crate" in text_of(wrong_crate)
            not_a_trait_here = await call(session, "impls", trait="Shape", crate="render")
            assert not_a_trait_here.is_error
            bad_args = await call(session, "show_item", nmae="Shape")
            assert bad_args.is_error and "name" in text_of(bad_args)
            unknown = await session.call_tool("no_such_tool", {})
            assert unknown.is_error
            still_alive = structured(await call(session, "show_item", name="Shape"))
            assert still_alive["item"]["name"] == "Shape"

    anyio.run(scenario)


def test_server_exits_cleanly_when_stdin_closes(index_dir: Path) -> None:
    process = subprocess.Popen(
        [*SERVER_MODULE, *server_args(index_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "0"},
        },
    }
    process.stdin.write((json.dumps(initialize) + "\n").encode())
    process.stdin.flush()
    reply = json.loads(process.stdout.readline())
    assert reply["id"] == 1 and reply["result"]["serverInfo"]["name"] == "rustrag"
    process.stdin.close()
    try:
        returncode = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert returncode == 0, stderr
    assert "Traceback" not in stderr
