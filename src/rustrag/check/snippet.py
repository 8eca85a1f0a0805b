"""Turning the text to check into a syntax tree, wrapping statement lists in a fn.

LLM answers often hold fragments (`let app = Command::new(..);`) that are not valid at
file level; those parse cleanly once wrapped in a fn, and line numbers are shifted back.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node, Tree

from rustrag.model import ParsedFile
from rustrag.parse import parse_bytes
from rustrag.parse.grammar import file_parser

_WRAP_HEAD = b"fn __rustrag_snippet__() {\n"
_WRAP_TAIL = b"\n}\n"
SNIPPET_NAME = "<snippet>"


@dataclass(slots=True)
class Snippet:
    data: bytes
    tree: Tree
    parsed: ParsedFile
    wrapped: bool
    line_offset: int  # subtract from tree lines to get lines of the original text

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def local_names(self) -> frozenset[str]:
        """Names the snippet defines itself (types, fns, modules, macros, generics)."""
        names = {item.name for item in self.parsed.items if item.name}
        for item in self.parsed.items:
            generics = item.generics.strip("<>")
            for param in generics.split(","):
                head = param.strip().split(":")[0].split("=")[0].strip()
                if head and not head.startswith("'"):
                    names.add(head.removeprefix("const ").strip())
        return frozenset(names)


def _errors(parsed: ParsedFile) -> int:
    return len(parsed.problems)


def prepare(source: str) -> Snippet:
    data = source.encode("utf-8")
    parsed = parse_bytes(data, SNIPPET_NAME, SNIPPET_NAME)
    if _errors(parsed):
        wrapped_data = _WRAP_HEAD + data + _WRAP_TAIL
        wrapped = parse_bytes(wrapped_data, SNIPPET_NAME, SNIPPET_NAME)
        if _errors(wrapped) < _errors(parsed):
            tree = file_parser().parse(wrapped_data)
            return Snippet(wrapped_data, tree, wrapped, True, 1)
    return Snippet(data, file_parser().parse(data), parsed, False, 0)
