"""Network exposure of `rustrag serve --http`, checked on the real command: loopback by
default, a non-loopback bind only with --allow-remote and a token, and then every
request must carry the token."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GEOMETRY = REPO / "examples" / "geometry"
RUSTRAG = str(Path(sys.executable).with_name("rustrag"))
TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("net") / "index"
    subprocess.run(
        [RUSTRAG, "index", str(GEOMETRY), "--index-dir", str(target)],
        check=True,
        capture_output=True,
    )
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_args(index_dir: Path, port: int, *extra: str) -> list[str]:
    args = [RUSTRAG, "serve", "--path", str(GEOMETRY), "--index-dir", str(index_dir)]
    return [*args, "--http", str(port), *extra]


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as the kernel lists them) with a socket listening on `port`."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].rpartition(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


@contextmanager
def server(args: list[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not listening_addresses(port):
            assert process.poll() is None, process.communicate()[1].decode()
            assert time.monotonic() < deadline, "server did not start listening"
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post_status(port: int, token: str | None) -> int:
    body = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}'
    request = urllib.request.Request(f"http://127.0.0.1:{port}/mcp", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json, text/event-stream")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_default_bind_is_loopback_only(index_dir: Path) -> None:
    port = free_port()
    with server(serve_args(index_dir, port), port):
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--host", "0.0.0.0"], "refusing to listen on 0.0.0.0"),
        (["--host", "::"], "refusing to listen on ::"),
        (["--host", "0.0.0.0", "--allow-remote"], "without a token"),
        (["--host", "0.0.0.0", "--allow-remote", "--token", "  "], "without a token"),
        (["--host", "0.0.0.0", "--token", TOKEN], "--allow-remote"),
    ],
)
def test_non_loopback_binds_are_refused_without_flag_and_token(
    index_dir: Path, extra: list[str], message: str
) -> None:
    port = free_port()
    done = subprocess.run(
        serve_args(index_dir, port, *extra), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert message in " ".join(done.stderr.split())
    assert not listening_addresses(port)


def test_remote_bind_with_flag_and_token_requires_the_token(index_dir: Path) -> None:
    port = free_port()
    args = serve_args(index_dir, port, "--host", "0.0.0.0", "--allow-remote", "--token", TOKEN)
    with server(args, port):
        assert listening_addresses(port) == {"00000000"}
        assert post_status(port, None) == 401
        assert post_status(port, "wrong") == 401
        assert post_status(port, TOKEN) != 401
