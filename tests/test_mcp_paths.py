"""Path and bind safety of the MCP server: `safe_path`, `check_bind`, and file-path
arguments of tools checked before they reach the Workspace."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, types

from rustrag.api import Workspace
from rustrag.serve import BindRefused, PathRejected, build_server, check_bind, safe_path
from rustrag.serve.paths import split_location
from rustrag.serve.tools import OPTIONAL_TOOLS, available_tools


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """base/ws (the workspace) depends on base/dep by path; base/secret.txt is neither.
    Indexed with the real pipeline so dep's root is an indexed crate root."""
    base = tmp_path_factory.mktemp("layout")
    write(
        base / "ws" / "Cargo.toml",
        '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dependencies]\ndep = { path = "../dep" }\n',
    )
    write(base / "ws" / "src" / "lib.rs", "pub fn run() { dep::helper(); }\n")
    write(base / "dep" / "Cargo.toml", '[package]\nname = "dep"\nversion = "0.2.0"\n')
    write(base / "dep" / "src" / "lib.rs", "pub fn helper() {}\n")
    write(base / "secret.txt", "not indexed code\n")
    os.symlink(base / "secret.txt", base / "ws" / "src" / "leak.rs")
    os.symlink(base / "ws" / "src" / "lib.rs", base / "ws" / "src" / "alias.rs")
    workspace = Workspace(base / "ws", base / "index")
    try:
        report = workspace.index()
        assert report.crates == 2, report
    finally:
        workspace.close()
    return base


@pytest.fixture
def workspace(layout: Path) -> Iterator[Workspace]:
    ws = Workspace(layout / "ws", layout / "index")
    yield ws
    ws.close()


def test_paths_inside_the_workspace_or_an_indexed_crate_are_allowed(
    workspace: Workspace, layout: Path
) -> None:
    assert safe_path(workspace, "src/lib.rs") == (layout / "ws/src/lib.rs").resolve()
    assert safe_path(workspace, "../dep/src/lib.rs") == (layout / "dep/src/lib.rs").resolve()
    absolute = str(layout / "dep" / "src" / "lib.rs")
    assert safe_path(workspace, absolute) == Path(absolute).resolve()
    assert safe_path(workspace, "src/alias.rs") == (layout / "ws/src/lib.rs").resolve()


@pytest.mark.parametrize(
    "user_path",
    ["../secret.txt", "../../../../../../etc/passwd", "/etc/passwd", "src/../../secret.txt"],
)
def test_traversal_and_outside_absolute_paths_are_rejected(
    workspace: Workspace, user_path: str
) -> None:
    with pytest.raises(PathRejected, match="outside the workspace root"):
        safe_path(workspace, user_path)


def test_a_symlink_leading_out_of_the_roots_is_rejected(workspace: Workspace) -> None:
    with pytest.raises(PathRejected, match="outside"):
        safe_path(workspace, "src/leak.rs")


@pytest.mark.parametrize("user_path", ["", "   ", "src/lib.rs\x00.txt", "src/missing.rs"])
def test_empty_nul_and_missing_paths_are_rejected(workspace: Workspace, user_path: str) -> None:
    with pytest.raises(PathRejected):
        safe_path(workspace, user_path)


def test_before_any_index_only_the_workspace_root_is_readable(layout: Path, tmp_path: Path) -> None:
    unindexed = Workspace(layout / "ws", tmp_path / "no-index-yet")
    assert safe_path(unindexed, "src/lib.rs").name == "lib.rs"
    with pytest.raises(PathRejected):
        safe_path(unindexed, "../dep/src/lib.rs")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_binds_need_neither_flag_nor_token(host: str) -> None:
    check_bind(host, None, allow_remote=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.org"])
def test_remote_binds_need_the_flag_and_a_token(host: str) -> None:
    with pytest.raises(BindRefused, match="--allow-remote"):
        check_bind(host, "secret", allow_remote=False)
    for missing in (None, "", "  "):
        with pytest.raises(BindRefused, match="token"):
            check_bind(host, missing, allow_remote=True)
    check_bind(host, "secret", allow_remote=True)


class WorkspaceWithCheckCode(Workspace):
    """Stand-in for the `check_code` API that is still being built: it reports the file
    it was given, so the test sees exactly what reached the Workspace."""

    def check_code(self, code: str | None = None, file: str | None = None) -> dict[str, Any]:
        if file is None:
            return {"file": None, "first_line": ""}
        path, _ = split_location(file)
        return {"file": file, "first_line": Path(path).read_text().splitlines()[0]}


def test_optional_tools_register_only_when_the_workspace_has_them(layout: Path) -> None:
    plain = Workspace(layout / "ws", layout / "index")
    names = {t.name for t in available_tools(plain)}
    for tool in OPTIONAL_TOOLS:
        assert (tool.name in names) == callable(getattr(plain, tool.name, None))
    extended = WorkspaceWithCheckCode(layout / "ws", layout / "index")
    assert "check_code" in {t.name for t in available_tools(extended)}


def test_file_arguments_are_checked_before_reaching_the_workspace(layout: Path) -> None:
    workspace = WorkspaceWithCheckCode(layout / "ws", layout / "index")

    async def scenario() -> None:
        async with Client(build_server(workspace)) as client:
            inside = await client.call_tool("check_code", {"file": "src/lib.rs:1"})
            assert isinstance(inside, types.CallToolResult) and not inside.is_error
            assert inside.structured_content is not None
            assert inside.structured_content["first_line"].startswith("pub fn run")
            assert inside.structured_content["file"] == f"{(layout / 'ws/src/lib.rs').resolve()}:1"
            for bad in ("../secret.txt", "../../../../etc/passwd:1", "/etc/passwd", "src/leak.rs"):
                refused = await client.call_tool("check_code", {"file": bad})
                assert isinstance(refused, types.CallToolResult) and refused.is_error, bad
                text = "".join(c.text for c in refused.content if isinstance(c, types.TextContent))
                assert "outside the workspace root" in text, text

    try:
        anyio.run(scenario)
    finally:
        workspace.close()
