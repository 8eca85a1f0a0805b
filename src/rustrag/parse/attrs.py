"""Reading `#[..]` attributes (and the doc comments mixed in with them) into `Attrs`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from rustrag.model import Attrs
from rustrag.parse.docs import COMMENT_TYPES, comment_doc_lines, unindent
from rustrag.parse.text import node_text, squash, squash_node, string_literal_value, unescape

_KEY_STRING = re.compile(r'\b(note|since)\s*=\s*"((?:[^"\\]|\\.)*)"', re.S)


@dataclass(slots=True)
class Leading:
    """What is written before an item: its docs and attributes, read together."""

    docs: str = ""
    attrs: Attrs = field(default_factory=Attrs)


def read_leading(data: bytes, nodes: list[Node]) -> Leading:
    """Docs and attributes from the doc comments and `#[..]` nodes before an item."""
    doc_lines: list[str] = []
    attrs = Attrs()
    cfgs: list[str] = []
    for node in nodes:
        if node.type in COMMENT_TYPES:
            doc_lines.extend(comment_doc_lines(data, node))
            continue
        attribute = node.named_children[0] if node.named_child_count else None
        if attribute is not None and attribute.type == "attribute":
            apply_attribute(data, attribute, attrs, doc_lines, cfgs)
    if cfgs:
        attrs.cfg = " && ".join(cfgs)
    return Leading(unindent(doc_lines) if doc_lines else "", attrs)


def apply_attribute(
    data: bytes, attribute: Node, attrs: Attrs, doc_lines: list[str], cfgs: list[str]
) -> None:
    """Fold one `attribute` node (the inside of `#[..]`) into `attrs` or the doc lines."""
    path_node = attribute.named_children[0] if attribute.named_child_count else None
    name = "".join(node_text(data, path_node).split()) if path_node is not None else ""
    arguments = attribute.child_by_field_name("arguments")
    value = attribute.child_by_field_name("value")
    value_text = string_literal_value(data, value) if value is not None else None
    inside = _inside_delimiters(data, arguments)

    if name == "doc":
        if value_text is not None:
            doc_lines.extend(value_text.split("\n"))
            return
        if inside is not None and re.search(r"\bhidden\b", inside):
            attrs.doc_hidden = True
            if inside.strip() == "hidden":
                return
        if value is None and inside is None:
            return
    elif name == "derive" and inside is not None:
        attrs.derives.extend(p for p in ("".join(x.split()) for x in inside.split(",")) if p)
        return
    elif name == "cfg" and inside is not None:
        cfgs.append(inside)
        return
    elif name == "deprecated":
        attrs.deprecated = True
        if value_text is not None:
            attrs.deprecated_note = value_text
        for key, text in _KEY_STRING.findall(inside or ""):
            if key == "note":
                attrs.deprecated_note = unescape(text)
            else:
                attrs.deprecated_since = unescape(text)
        return
    elif name == "path" and value_text is not None:
        attrs.path_attr = value_text
        return
    elif name == "macro_export":
        attrs.macro_export = True
        return
    attrs.other.append(squash_node(data, attribute))


def _inside_delimiters(data: bytes, token_tree: Node | None) -> str | None:
    if token_tree is None or token_tree.end_byte - token_tree.start_byte < 2:
        return None
    return squash(data[token_tree.start_byte + 1 : token_tree.end_byte - 1])
