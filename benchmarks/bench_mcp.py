"""Round-trip latency of the MCP server over stdio, measured with the official client.

Usage: python benchmarks/bench_mcp.py [--path WS] [--index-dir DIR] [-n ROUNDS]
Defaults to examples/geometry, indexed into a temporary folder first when no index is
given. Starts `python -m rustrag.serve` as a subprocess, warms it up, then times N
`search` and N `show_item` calls (names taken from the index itself, cycled), and prints
p50/p95/max per tool in milliseconds, the index size and the machine. Each round trip
includes JSON-RPC over pipes, argument validation, the store query and rendering.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

from rustrag.api import Workspace

REPO = Path(__file__).resolve().parents[1]
QUERY_KINDS = ("struct", "enum", "trait", "fn", "method")
WARMUP_CALLS = 10


def machine() -> str:
    cpu = platform.processor() or "unknown cpu"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def query_names(workspace: Workspace, limit: int = 200) -> list[str]:
    """Names of real items in the index, so every timed call finds something."""
    names: list[str] = []
    for row in workspace.export():
        name, kind = row.get("name"), row.get("kind")
        if isinstance(name, str) and name and kind in QUERY_KINDS and name not in names:
            names.append(name)
            if len(names) >= limit:
                break
    if not names:
        raise SystemExit("the index holds no named items to query")
    return names


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def time_calls(
    path: Path, index_dir: Path, names: list[str], rounds: int
) -> dict[str, list[float]]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "rustrag.serve", "--path", str(path), "--index-dir", str(index_dir)],
    )
    timings: dict[str, list[float]] = {"search": [], "show_item": []}
    async with (
        stdio_client(params) as (read_stream, write_stream),
        ClientSession(read_stream, write_stream) as session,
    ):
        await session.initialize()
        await session.list_tools()  # the client caches output schemas from this
        for i in range(WARMUP_CALLS):
            await session.call_tool("show_item", {"name": names[i % len(names)]})
        for i in range(rounds):
            name = names[i % len(names)]
            for tool, arguments in (("search", {"query": name}), ("show_item", {"name": name})):
                start = time.perf_counter()
                result = await session.call_tool(tool, arguments)
                timings[tool].append((time.perf_counter() - start) * 1000)
                if not isinstance(result, types.CallToolResult) or result.is_error:
                    raise SystemExit(f"{tool}({name!r}) failed: {result}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=REPO / "examples" / "geometry")
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("-n", "--rounds", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as scratch:
        index_dir = args.index_dir or Path(scratch) / "index"
        workspace = Workspace(args.path, index_dir)
        if args.index_dir is None:
            report = workspace.index()
            print(f"indexed {report.crates} crates, {report.items} items in {report.seconds:.2f} s")
        stats = workspace.store.stats()
        names = query_names(workspace)
        workspace.close()

        timings = anyio.run(time_calls, args.path, index_dir, names, args.rounds)

        print(f"machine: {machine()}")
        print(f"workspace: {Workspace(args.path, index_dir).root}")
        print(
            f"index: {folder_bytes(index_dir) / 1e6:.1f} MB on disk, {stats.crates} crates, "
            f"{stats.items} items, {stats.edges} edges; {len(names)} distinct query names"
        )
        for tool, samples in timings.items():
            print(
                f"{tool:<10} n={len(samples):<5} p50={statistics.median(samples):6.2f} ms  "
                f"p95={percentile(samples, 0.95):6.2f} ms  max={max(samples):6.2f} ms"
            )


if __name__ == "__main__":
    main()
