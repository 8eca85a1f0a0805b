"""The Rust code blocks of a Markdown answer, with the line each starts on."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+|~~~+)\s*(?P<info>[\w+-]*)")
_RUST_TAGS = frozenset({"rust", "rs"})


@dataclass(slots=True)
class CodeBlock:
    index: int  # 0-based among the Rust blocks of the answer
    first_line: int  # 1-based line in the answer of the block's first code line
    code: str


def rust_blocks(markdown: str) -> list[CodeBlock]:
    blocks: list[CodeBlock] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence = opening["fence"]
        info = opening["info"].lower()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j])
            j += 1
        if info in _RUST_TAGS:
            blocks.append(CodeBlock(len(blocks), i + 2, "\n".join(body) + "\n"))
        i = j + 1
    return blocks
