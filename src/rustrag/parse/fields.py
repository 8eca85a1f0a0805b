"""Fields of structs, unions and enum variants, and the variants themselves."""

from __future__ import annotations

from tree_sitter import Node

from rustrag.parse.builder import ItemBuilder, Scope, Shape
from rustrag.parse.docs import COMMENT_TYPES, doc_side
from rustrag.parse.text import node_text, squash, squash_node, visibility_text
from rustrag.parse.typerefs import RefCollector


def read_fields(builder: ItemBuilder, body: Node | None, scope: Scope) -> list[int]:
    """Items for the fields in a `{ .. }` or `( .. )` field list; returns their indexes."""
    if body is None:
        return []
    if body.type == "field_declaration_list":
        return _named_fields(builder, body, scope)
    if body.type == "ordered_field_declaration_list":
        return _tuple_fields(builder, body, scope)
    return []


def read_variants(builder: ItemBuilder, body: Node | None, scope: Scope) -> None:
    """Items for the variants of an enum body, and for each variant's fields."""
    if body is None:
        return
    data = builder.data
    leading: list[Node] = []
    for child in body.children:
        kind = child.type
        if kind == "attribute_item" or (kind in COMMENT_TYPES and doc_side(data, child)):
            leading.append(child)
            continue
        if kind != "enum_variant":
            if kind not in COMMENT_TYPES:
                leading = []
            continue
        name = child.child_by_field_name("name")
        if name is None or name.type != "identifier":
            leading = []
            continue
        shape = Shape("variant", node_text(data, name), "")
        shape.visibility = visibility_text(data, _first_of(child, "visibility_modifier"))
        refs = RefCollector(data, scope.generics)
        index = builder.add(shape, child, child, leading, scope, refs)
        leading = []
        fields_body = child.child_by_field_name("body")
        field_scope = Scope(index, scope.container, scope.macro, scope.generics, scope.depth)
        fields = read_fields(builder, fields_body, field_scope)
        builder.items[index].signature = _variant_signature(builder, child, fields_body, fields)


def _variant_signature(
    builder: ItemBuilder, variant: Node, body: Node | None, fields: list[int]
) -> str:
    data = builder.data
    name = node_text(data, variant.child_by_field_name("name") or variant)
    parts = [builder.items[i].signature for i in fields]
    text = name
    if body is not None and body.type == "field_declaration_list":
        text += " { " + ", ".join(parts) + " }" if parts else " {}"
    elif body is not None:
        text += "(" + ", ".join(parts) + ")"
    value = variant.child_by_field_name("value")
    if value is not None:
        text += " = " + squash_node(data, value)
    return text


def _named_fields(builder: ItemBuilder, body: Node, scope: Scope) -> list[int]:
    data = builder.data
    created: list[int] = []
    leading: list[Node] = []
    for child in body.children:
        kind = child.type
        if kind == "attribute_item" or (kind in COMMENT_TYPES and doc_side(data, child)):
            leading.append(child)
            continue
        if kind != "field_declaration":
            if kind not in COMMENT_TYPES:
                leading = []
            continue
        name = child.child_by_field_name("name")
        if name is None or name.type != "field_identifier":
            leading = []
            continue
        field_type = child.child_by_field_name("type")
        shape = Shape("field", node_text(data, name), squash_node(data, child))
        shape.visibility = visibility_text(data, _first_of(child, "visibility_modifier"))
        refs = RefCollector(data, scope.generics)
        refs.types(field_type)
        created.append(builder.add(shape, child, child, leading, scope, refs))
        leading = []
    return created


def _tuple_fields(builder: ItemBuilder, body: Node, scope: Scope) -> list[int]:
    """`( #[a] pub u8, Vec<T> )`: the grammar gives no node per field, only its parts."""
    data = builder.data
    created: list[int] = []
    leading: list[Node] = []
    visibility: Node | None = None
    for position, child in enumerate(body.children):
        kind = child.type
        if kind == "attribute_item" or (kind in COMMENT_TYPES and doc_side(data, child)):
            leading.append(child)
        elif kind == "visibility_modifier":
            visibility = child
        elif body.field_name_for_child(position) == "type":
            first = visibility or child
            shape = Shape("field", str(len(created)), "")
            shape.visibility = visibility_text(data, visibility)
            shape.signature = squash(data[first.start_byte : child.end_byte])
            refs = RefCollector(data, scope.generics)
            refs.types(child)
            created.append(builder.add(shape, first, child, leading, scope, refs))
            leading, visibility = [], None
    return created


def _first_of(node: Node, kind: str) -> Node | None:
    for child in node.children:
        if child.type == kind:
            return child
    return None
