"""`rustrag ask` end to end: real index, real HTTP, real SSE streaming (tests/llm_standin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from check_support import CARGO, DEBIAN_REGISTRY, indexed_workspace
from llm_standin import StandIn
from rustrag.api import Workspace
from rustrag.llm import ChatClient, LlmConfig, LlmError
from rustrag.llm.codeblocks import rust_blocks
from rustrag.llm.config import ConfigError

pytestmark = pytest.mark.skipif(
    CARGO is None or not DEBIAN_REGISTRY.is_dir(), reason="needs cargo and Debian's crates"
)
RUSTRAG = Path(sys.executable).parent / "rustrag"
# What a model trained on clap 3 writes: `App` and `with_name`/`takes_value` are gone in 4.
CLAP3_ANSWER = """Build the command like this:

```rust
use clap::{Arg, Command};

fn main() {
    let cmd = Command::new("greet")
        .arg(Arg::with_name("name").takes_value(true));
    let m = cmd.get_matches();
}
```

That is all.
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = indexed_workspace(tmp_path_factory.mktemp("ask") / "ws")
    yield ws
    ws.close()


def run_ask(
    ws: Workspace, base_url: str, *args: str, key: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUSTRAG_LLM", "OPENAI"))}
    env.update({"RUSTRAG_LLM_BASE_URL": base_url, "RUSTRAG_LLM_MODEL": "standin-coder"})
    if key:
        env["RUSTRAG_LLM_API_KEY"] = key
    command = [str(RUSTRAG), "ask", *args, "--path", str(ws.path), "--index-dir", str(ws.index_dir)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def test_ask_streams_then_flags_the_removed_api(workspace: Workspace) -> None:
    with StandIn(CLAP3_ANSWER) as server:
        done = run_ask(workspace, server.base_url, "How do I add an Arg to a clap Command?")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(CLAP3_ANSWER.rstrip("\n"))  # the answer, in full, first
    findings = done.stdout[len(CLAP3_ANSWER) :]
    assert "with_name" in findings and "clap::Arg" in findings
    assert "answer line 8" in findings  # `Arg::with_name` is on line 8 of the answer
    [request] = server.requests
    assert request["stream"] is True and request["model"] == "standin-coder"
    system = request["messages"][0]["content"]
    assert "clap 4.0.32" in system and "nom 7.1.1" in system and "only" in system
    assert "Command" in request["messages"][1]["content"]  # context from the index


def test_ask_json_has_answer_findings_and_context(workspace: Workspace) -> None:
    with StandIn(CLAP3_ANSWER) as server:
        done = run_ask(workspace, server.base_url, "clap Command Arg", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["answer"] == CLAP3_ANSWER and data["model"] == "standin-coder"
    assert any("Command" in path for path in data["context_items"])
    [block] = data["findings"]
    subjects = {f["subject"]: f for f in block["findings"]}
    assert subjects["clap::Arg::with_name"]["answer_line"] == 8
    assert subjects["clap::Arg::with_name"]["crate"] == "clap@4.0.32"


def test_wrong_key_and_missing_model_say_what_to_fix(workspace: Workspace) -> None:
    with StandIn(CLAP3_ANSWER, key="right") as server:
        refused = run_ask(workspace, server.base_url, "q", key="wrong")
        config = LlmConfig(server.base_url, "no-such-model", "right")
        with pytest.raises(LlmError, match="RUSTRAG_LLM_MODEL"):
            list(ChatClient(config).stream([{"role": "user", "content": "hi"}]))
    assert refused.returncode == 2 and "RUSTRAG_LLM_API_KEY" in refused.stderr


def test_unreachable_endpoint_exits_2(workspace: Workspace) -> None:
    with StandIn("") as server:
        url = server.base_url  # the port is free again once the server is gone
    done = run_ask(workspace, url, "q")
    assert done.returncode == 2 and "RUSTRAG_LLM_BASE_URL" in done.stderr


def test_config_file_and_environment(tmp_path: Path) -> None:
    (tmp_path / ".rustrag").mkdir()
    (tmp_path / ".rustrag" / "config.toml").write_text(
        '[llm]\nbase_url = "http://127.0.0.1:9/v1/"\nmodel = "m1"\napi_key_env = "MY_KEY"\n'
    )
    config = LlmConfig.load(tmp_path, env={"MY_KEY": "k"})
    assert (config.base_url, config.model, config.api_key) == ("http://127.0.0.1:9/v1", "m1", "k")
    config = LlmConfig.load(tmp_path, env={"RUSTRAG_LLM_MODEL": "m2", "OPENAI_API_KEY": "o"})
    assert (config.model, config.api_key) == ("m2", "o")
    with pytest.raises(ConfigError, match="RUSTRAG_LLM_BASE_URL"):
        LlmConfig.load(tmp_path / "elsewhere", env={})


def test_non_streaming_server_answer_is_accepted() -> None:
    with StandIn("plain answer", ignore_stream=True) as server:
        config = LlmConfig(server.base_url, "standin-coder")
        client = ChatClient(config)
        assert "".join(client.stream([{"role": "user", "content": "hi"}])) == "plain answer"


def test_rust_blocks_only() -> None:
    text = "a\n```rust\nfn a() {}\n```\n```python\nx = 1\n```\n~~~rs\nfn b() {}\n~~~\n"
    blocks = rust_blocks(text)
    assert [(b.first_line, b.code) for b in blocks] == [(3, "fn a() {}\n"), (9, "fn b() {}\n")]
