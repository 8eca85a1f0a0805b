"""The Rust grammar and the per-process parsers built on it."""

from __future__ import annotations

import tree_sitter_rust
from tree_sitter import Language, Parser, Range

RUST = Language(tree_sitter_rust.language())

_file_parser: Parser | None = None
_range_parser: Parser | None = None


def file_parser() -> Parser:
    """The parser for whole files; one per process, parsers are not shareable."""
    global _file_parser
    if _file_parser is None:
        _file_parser = Parser(RUST)
    return _file_parser


def range_parser(ranges: list[Range]) -> Parser:
    """A parser limited to `ranges`, so nodes keep the offsets and lines of the file."""
    global _range_parser
    if _range_parser is None:
        _range_parser = Parser(RUST)
    _range_parser.included_ranges = ranges
    return _range_parser
