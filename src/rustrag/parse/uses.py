"""Flattening `use` trees into one `UseEntry` per name they bind."""

from __future__ import annotations

from tree_sitter import Node

from rustrag.limits import MAX_PATH_SEGMENTS, MAX_USE_TREE_DEPTH
from rustrag.model import UseEntry
from rustrag.parse.text import node_text


def flatten_use(
    data: bytes, argument: Node | None, cut_lines: list[int] | None = None
) -> list[UseEntry]:
    """`use a::{self, b as c, d::*}` -> [a], [a, b] as c, [a, d] glob.

    Lists nested deeper than MAX_USE_TREE_DEPTH are dropped; their lines go to `cut_lines`.
    """
    entries: list[UseEntry] = []
    if argument is not None:
        _walk(data, argument, [], entries, 0, [] if cut_lines is None else cut_lines)
    return entries


def path_segments(data: bytes, node: Node | None) -> list[str]:
    """Segments of a path node as written; a leading `::` becomes an empty segment."""
    # A loop down the left spine rather than recursion: `a::a::...` thousands of segments
    # deep must not reach Python's recursion limit.
    tail: list[str] = []
    while node is not None:
        if node.type != "scoped_identifier":
            tail.append("".join(node_text(data, node).split()))
            break
        name = node.child_by_field_name("name")
        if name is not None:
            tail.append("".join(node_text(data, name).split()))
        prefix = node.child_by_field_name("path")
        if prefix is None and node.child_count and node.children[0].type == "::":
            tail.append("")
        node = prefix
        if len(tail) > MAX_PATH_SEGMENTS:
            break
    tail.reverse()
    return tail


def _walk(
    data: bytes, node: Node, prefix: list[str], out: list[UseEntry], depth: int, cut: list[int]
) -> None:
    if depth > MAX_USE_TREE_DEPTH:
        cut.append(node.start_point[0] + 1)  # hostile nesting: dropped and reported
        return
    kind = node.type
    if kind == "use_as_clause":
        path = _joined(prefix, path_segments(data, node.child_by_field_name("path")))
        alias = node.child_by_field_name("alias")
        out.append(UseEntry(path, node_text(data, alias) if alias is not None else None))
    elif kind == "use_wildcard":
        inner = node.named_children[0] if node.named_child_count else None
        head = [""] if inner is None and node.children[0].type == "::" else []
        out.append(UseEntry(_joined(prefix, head + path_segments(data, inner)), glob=True))
    elif kind == "scoped_use_list":
        path_node = node.child_by_field_name("path")
        head = path_segments(data, path_node)
        if path_node is None and node.children[0].type == "::":
            head = [""]
        use_list = node.child_by_field_name("list")
        if use_list is not None:
            _walk(data, use_list, [*prefix, *head], out, depth + 1, cut)
    elif kind == "use_list":
        for child in node.named_children:
            if child.type not in ("line_comment", "block_comment"):
                _walk(data, child, prefix, out, depth + 1, cut)
    else:
        out.append(UseEntry(_joined(prefix, path_segments(data, node))))


def _joined(prefix: list[str], path: list[str]) -> list[str]:
    """`a::{self}` binds `a`, so a trailing `self` inside a list folds into its prefix."""
    if prefix and path == ["self"]:
        return list(prefix)
    return [*prefix, *path]
