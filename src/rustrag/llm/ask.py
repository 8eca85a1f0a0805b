"""The ask flow: scope -> context -> streamed answer -> check of every Rust block."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rustrag.api import Workspace
from rustrag.check import CheckSession, Finding
from rustrag.llm.client import ChatClient
from rustrag.llm.codeblocks import rust_blocks
from rustrag.llm.config import LlmConfig
from rustrag.llm.context import build_context
from rustrag.llm.prompt import messages


@dataclass(slots=True)
class BlockFindings:
    block: int  # index of the Rust block in the answer
    first_line: int  # its first code line, in the answer
    findings: list[Finding]

    def to_json(self) -> dict[str, Any]:
        return {
            "block": self.block,
            "first_line": self.first_line,
            "findings": [
                {**f.to_json(), "answer_line": self.first_line + f.line - 1} for f in self.findings
            ],
        }


@dataclass(slots=True)
class AskResult:
    answer: str
    model: str
    context_items: list[str]
    context_engine: str
    crates: dict[str, str]
    blocks: list[BlockFindings] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for block in self.blocks for f in block.findings]

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "model": self.model,
            "crates": self.crates,
            "context_items": self.context_items,
            "context_engine": self.context_engine,
            "findings": [b.to_json() for b in self.blocks if b.findings],
            "blocks_checked": len(self.blocks),
        }


def ask_question(
    workspace: Workspace,
    question: str,
    config: LlmConfig,
    *,
    at: str | None = None,
    budget: int = 4000,
    on_text: Callable[[str], None] | None = None,
) -> AskResult:
    """Ask the model about the project; `on_text` sees the answer as it streams."""
    session = CheckSession(workspace)
    crates = session.scope(at.rpartition(":")[0] or at if at else None)
    context = build_context(workspace, question, crates, at=at, budget=budget)
    pieces: list[str] = []
    for piece in ChatClient(config).stream(messages(crates, context.text, question)):
        pieces.append(piece)
        if on_text is not None:
            on_text(piece)
    answer = "".join(pieces)
    blocks = [
        BlockFindings(b.index, b.first_line, session.check(b.code).findings)
        for b in rust_blocks(answer)
    ]
    return AskResult(answer, config.model, context.items, context.engine, crates, blocks)
