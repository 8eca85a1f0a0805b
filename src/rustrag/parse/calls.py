"""`calls` and `method_call` refs from fn bodies, found by a tree-sitter query.

One query run per tree does the walk in C; Python only sees the call nodes (and the impl
blocks written inside bodies, which items.py reads). Each call is then given to the fn
whose body holds it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from tree_sitter import Node, Query, QueryCursor

from rustrag.parse.grammar import RUST
from rustrag.parse.text import node_text, strip_generics
from rustrag.parse.typerefs import RefCollector

_BODY_NODES = Query(
    RUST,
    "(call_expression function: (_) arguments: (arguments)) @call (block (impl_item) @impl)",
)
_NOT_ARGUMENTS = frozenset({"line_comment", "block_comment", "attribute_item"})


@dataclass(slots=True)
class Body:
    """A fn body and the collector of the fn that owns it."""

    start: int
    end: int
    refs: RefCollector


@dataclass(slots=True)
class BodyNodes:
    """What one query run found inside the bodies of a tree, in source order."""

    calls: list[Node]
    impls: list[Node]  # impl blocks written directly in a `{ .. }` block (fn or const body)


def body_nodes(root: Node) -> BodyNodes:
    captured = QueryCursor(_BODY_NODES).captures(root)
    # Nested nodes can start at the same byte (`a.b().c()`), and the query returns them in
    # an order that varies between runs in one process: the end byte breaks the tie so
    # the same file always yields the same refs in the same order.
    calls = sorted(captured.get("call", []), key=lambda node: (node.start_byte, node.end_byte))
    impls = sorted(captured.get("impl", []), key=lambda node: (node.start_byte, node.end_byte))
    return BodyNodes(calls, impls)


def attach_calls(data: bytes, calls: list[Node], bodies: list[Body]) -> None:
    """Add a call ref to the owning fn for every call expression inside `bodies`."""
    if not bodies:
        return
    bodies.sort(key=lambda body: body.start)
    starts = [body.start for body in bodies]
    for call in calls:
        at = bisect_right(starts, call.start_byte) - 1
        # The nearest body starting before the call may be a nested one that ended
        # already (a method of an impl inside this fn): step out to the one holding it.
        while at >= 0 and call.end_byte > bodies[at].end:
            at -= 1
        if at < 0:
            continue
        _add_call(data, call, bodies[at].refs)


def _add_call(data: bytes, call: Node, refs: RefCollector) -> None:
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    if function is None or arguments is None:
        return
    count = sum(1 for arg in arguments.named_children if arg.type not in _NOT_ARGUMENTS)
    if function.type == "generic_function":  # `f::<T>(..)`, `x.collect::<T>()`
        inner = function.child_by_field_name("function")
        if inner is None:
            return
        function = inner
    kind = function.type
    if kind in ("identifier", "scoped_identifier", "self"):
        refs.add("calls", strip_generics(node_text(data, function)), function, count)
    elif kind == "field_expression":
        field = function.child_by_field_name("field")
        if field is not None and field.type == "field_identifier":
            refs.add("method_call", node_text(data, field), field, count)
