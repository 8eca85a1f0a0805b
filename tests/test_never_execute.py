"""No code from an indexed workspace ever runs: not its build scripts, not its proc
macros, not a rustc or wrapper its .cargo/config.toml names, not a toolchain its
rust-toolchain.toml points at. The fixture (tests/fixtures/hostile/never_execute) makes
each of those write a marker file; after index, show, serve and the other commands, the
marker folder must still be empty."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

FIXTURE = Path(__file__).parent / "fixtures" / "hostile" / "never_execute"
RUSTRAG = str(Path(sys.executable).with_name("rustrag"))
SCRIPTS = (
    "evil/wrapper.sh",
    "evil/rustc.sh",
    "evil/toolchain/bin/cargo",
    "evil/toolchain/bin/rustc",
)


def arm(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the fixture whose markers land in a fresh folder; returns (ws, markers)."""
    markers = tmp_path / "markers"
    markers.mkdir()
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE, workspace)
    for path in workspace.rglob("*"):
        if path.is_file():
            text = path.read_text()
            text = text.replace("__MARKER_DIR__", str(markers))
            path.write_text(text.replace("__FIXTURE__", str(workspace)))
    for script in SCRIPTS:
        target = workspace / script
        target.chmod(target.stat().st_mode | stat.S_IXUSR)
    return workspace, markers


def rustrag(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RUSTRAG, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def command_names() -> set[str]:
    """Commands other engineers are adding (check, ask, ...) that exist by now."""
    listed = {m.group(1) for m in re.finditer(r"^│ (\w+) ", rustrag("--help").stdout, re.M)}
    return listed & {"check", "ask", "watch", "context"}


@pytest.fixture()
def armed(tmp_path: Path) -> tuple[Path, Path, Path]:
    workspace, markers = arm(tmp_path)
    return workspace, markers, tmp_path / "index"


@pytest.mark.skipif(shutil.which("cargo") is None, reason="needs cargo to prove the trap")
def test_the_fixture_is_armed_cargo_runs_the_configured_rustc(tmp_path: Path) -> None:
    """Without rustrag's pinning, plain `cargo metadata` in the fixture runs its scripts:
    so an empty marker folder later means rustrag prevented it, not that nothing tried."""
    workspace, markers = arm(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("RUSTC", "RUSTC_WRAPPER")}
    subprocess.run(
        ["cargo", "metadata", "--offline", "--format-version", "1"],
        cwd=workspace,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert sorted(p.name for p in markers.iterdir()), "the fixture's traps did not fire"


def test_index_show_and_cli_commands_run_nothing(armed: tuple[Path, Path, Path]) -> None:
    workspace, markers, index_dir = armed
    indexed = rustrag("index", str(workspace), "--index-dir", str(index_dir), "--json")
    assert indexed.returncode == 0, indexed.stderr
    shown = rustrag("show", "Target", "--path", str(workspace), "--index-dir", str(index_dir))
    assert shown.returncode == 0, shown.stderr
    assert "pub struct Target" in shown.stdout
    macro_item = rustrag(
        "show", "made_by_macro", "--path", str(workspace), "--index-dir", str(index_dir)
    )
    assert macro_item.returncode == 0 and "made_by_macro" in macro_item.stdout
    for name in command_names():  # check/ask/watch/context when they exist
        args = [name, "--path", str(workspace), "--index-dir", str(index_dir)]
        if name == "watch":
            continue  # long-running; covered by the concurrency tests
        extra = ["pub fn f() -> Target { Target { field: 1 } }"] if name == "check" else ["Target"]
        rustrag(*args[:1], *extra, *args[1:], timeout=120)
    assert list(markers.iterdir()) == []


def test_mcp_server_runs_nothing(armed: tuple[Path, Path, Path]) -> None:
    workspace, markers, index_dir = armed
    assert rustrag("index", str(workspace), "--index-dir", str(index_dir)).returncode == 0

    async def session() -> list[str]:
        params = StdioServerParameters(
            command=RUSTRAG,
            args=["serve", "--path", str(workspace), "--index-dir", str(index_dir)],
        )
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write) as client,
        ):
            await client.initialize()
            tools = [tool.name for tool in (await client.list_tools()).tools]
            shown = await client.call_tool("show_item", {"name": "Target"})
            assert isinstance(shown, types.CallToolResult) and not shown.is_error
            texts = [c.text for c in shown.content if isinstance(c, types.TextContent)]
            assert any("Target" in text for text in texts)
            assert not (await client.call_tool("deps_status", {})).is_error
            return tools

    tools = asyncio.run(session())
    assert "show_item" in tools
    assert list(markers.iterdir()) == []
