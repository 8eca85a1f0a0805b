"""Syntax errors as `Problem`s: one per ERROR or MISSING node, up to a limit per file."""

from __future__ import annotations

from tree_sitter import Node

from rustrag.model import Problem
from rustrag.parse.text import squash

MAX_SYNTAX_PROBLEMS = 20
_SNIPPET = 40


def syntax_problems(path: str, data: bytes, root: Node) -> list[Problem]:
    """Problems for the error regions of a tree, in file order.

    Only subtrees that contain an error are entered, so a clean file costs one check.
    """
    if not root.has_error:
        return []
    problems: list[Problem] = []
    found = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing or node.is_error:
            found += 1
            if found <= MAX_SYNTAX_PROBLEMS:
                problems.append(Problem(path, node.start_point[0] + 1, _reason(data, node)))
            continue
        stack.extend(reversed([child for child in node.children if child.has_error]))
    if found > MAX_SYNTAX_PROBLEMS:
        hidden = found - MAX_SYNTAX_PROBLEMS
        problems.append(Problem(path, 0, f"{hidden} more syntax errors not shown"))
    return problems


def _reason(data: bytes, node: Node) -> str:
    if node.is_missing:
        return f"syntax error: missing `{node.type}`"
    snippet = squash(data[node.start_byte : min(node.end_byte, node.start_byte + 200)])
    if len(snippet) > _SNIPPET:
        snippet = snippet[:_SNIPPET] + "..."
    return f"syntax error: unexpected `{snippet}`" if snippet else "syntax error"
