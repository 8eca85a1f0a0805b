"""Items of Rust text that is not a file: the output of a macro expansion.

Resolve expands the crate's own `macro_rules!` and hands the resulting text back here,
so expanded items are read by exactly the code that reads written ones. Offsets and
lines in the result are those of the text; the caller maps them to the call site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rustrag.model import MacroCall, RawItem
from rustrag.parse.builder import Container, Scope
from rustrag.parse.grammar import file_parser
from rustrag.parse.items import Extractor


@dataclass(slots=True)
class Fragment:
    items: list[RawItem] = field(default_factory=list)
    calls: list[MacroCall] = field(default_factory=list)  # item-level calls in the text
    rules: dict[int, str] = field(default_factory=dict)  # macro_rules item -> its rules
    has_error: bool = False  # the text did not parse cleanly


def parse_fragment(
    data: bytes, container: Container, macro: str, expanded_elsewhere: Callable[[str], bool]
) -> Fragment:
    """Read `data` as the contents of `container` (an impl's fns become methods), every
    item marked as made by `macro`; calls of macros `expanded_elsewhere` names are recorded
    but not looked into. Never raises: a failure is an empty, erroneous result."""
    extractor = Extractor(data, expanded_elsewhere)
    try:
        tree = file_parser().parse(data)
        extractor.read_tree(tree.root_node, Scope(None, container, macro, frozenset(), 1), None)
    except Exception:  # a parser bug must cost this expansion, not the crate
        return Fragment(has_error=True)
    return Fragment(
        items=extractor.builder.items,
        calls=extractor.macro_calls,
        rules=extractor.macro_rules,
        has_error=tree.root_node.has_error or bool(extractor.too_deep),
    )
