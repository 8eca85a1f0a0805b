"""`rustrag ask "question"`: context, a streamed answer, then a check of its Rust code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from rustrag.cli.check import finding_line
from rustrag.cli.shared import (
    IndexDirOpt,
    JsonOpt,
    PathArg,
    app,
    fail,
    open_workspace,
    out,
    print_json,
)


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="What to ask about the project")],
    at: Annotated[str | None, typer.Option("--at", help="FILE:LINE the question is about")] = None,
    budget: Annotated[int, typer.Option("--budget", help="Context budget in tokens")] = 4000,
    model: Annotated[
        str | None, typer.Option("--model", help="Model (else RUSTRAG_LLM_MODEL)")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="OpenAI-compatible base URL (else RUSTRAG_LLM_BASE_URL)"),
    ] = None,
    path: PathArg = Path("."),
    index_dir: IndexDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ask an OpenAI-compatible model (OpenAI, Ollama, llama.cpp server) about the project
    with context from the index, then check every Rust block of the answer."""
    from rustrag.llm import LlmConfig, LlmError  # 0.3 s: only `ask` pays it
    from rustrag.llm.config import ConfigError

    with open_workspace(path, index_dir) as workspace:
        try:
            config = LlmConfig.load(workspace.root, base_url=base_url, model=model)
            result = workspace.ask(
                question, at=at, budget=budget, config=config, on_text=None if as_json else _write
            )
        except (LlmError, ConfigError) as exc:
            raise fail(str(exc), 2) from exc
    if as_json:
        print_json(result.to_json())
        return
    if not result.answer.endswith("\n"):
        _write("\n")
    out.print(
        f"\n[dim]checked {len(result.blocks)} Rust block(s) against the indexed versions[/dim]"
    )
    for block in result.blocks:
        for finding in block.findings:
            answer_line = block.first_line + finding.line - 1
            shown = f"answer block {block.block + 1} (answer line {answer_line})"
            out.print(finding_line(shown, finding), highlight=False)
    if not result.findings:
        out.print("[green]no problems found in the answer's code[/green]")
