"""`uses_type` and `bound` refs read from the type and bound nodes of a declaration.

Only the declaration's own type subtrees are visited (a few nodes each), never bodies.
Names bound by the item's generic parameters (`T` in `fn f<T>(x: T)`) are not refs:
resolve could never find them.
"""

from __future__ import annotations

from tree_sitter import Node

from rustrag.limits import MAX_BOUND_DEPTH
from rustrag.model import Ref, RefKind
from rustrag.parse.text import node_text, squash_node, strip_generics

_NO_REF = frozenset({"primitive_type", "lifetime", "metavariable", "never_type", "unit_type"})
_COMMENTS = frozenset({"line_comment", "block_comment"})
_ALWAYS_IN_SCOPE = frozenset({"Self"})


class RefCollector:
    """Collects refs for one item, once per (kind, path), first line wins."""

    def __init__(self, data: bytes, scope: frozenset[str] = frozenset()) -> None:
        self.data = data
        # `Self` always means the enclosing type, which resolve knows without a ref.
        self.scope = scope | _ALWAYS_IN_SCOPE
        self.refs: list[Ref] = []
        self._seen: set[tuple[str, str]] = set()
        self._bound_depth = 0  # bounds inside types inside bounds: recursion to cap
        self.cut_line: int | None = None  # first line where that cap dropped refs

    def add(self, kind: RefKind, path: str, node: Node, arg_count: int | None = None) -> None:
        key = (kind, path if arg_count is None else f"{path}/{arg_count}")
        if not path or key in self._seen:
            return
        self._seen.add(key)
        self.refs.append(Ref(kind, path, node.start_point[0] + 1, arg_count))

    def types(self, node: Node | None) -> None:
        """uses_type refs for every named type inside a type node."""
        if node is None:
            return
        stack = [node]
        while stack:
            current = stack.pop()
            kind = current.type
            if kind == "type_identifier":
                name = node_text(self.data, current)
                if name not in self.scope:
                    self.add("uses_type", name, current)
            elif kind == "scoped_type_identifier":
                self._scoped_type(current, stack)
            elif kind == "generic_type":
                # Pushed last so popped first: refs come out in source order.
                arguments = current.child_by_field_name("type_arguments")
                if arguments is not None:
                    stack.extend(reversed(arguments.named_children))
                base = current.child_by_field_name("type")
                if base is not None:
                    stack.append(base)
            elif kind in ("dynamic_type", "abstract_type"):
                trait = current.child_by_field_name("trait")
                if trait is not None:
                    self._one_bound(trait)
            elif kind == "type_binding":
                stack.extend(n for n in (current.child_by_field_name("type"),) if n is not None)
            elif kind in _NO_REF or kind in _COMMENTS:
                continue
            elif kind == "function_type" and current.child_by_field_name("trait") is not None:
                self._one_bound(current)
            else:
                stack.extend(reversed(current.named_children))

    def bounds(self, node: Node | None) -> None:
        """bound refs for a `trait_bounds` node (`: Clone + Iterator<Item = T>`)."""
        if node is None:
            return
        for child in node.named_children:
            self._one_bound(child)

    def generics(self, type_parameters: Node | None) -> None:
        """Bounds and defaults written in `<T: Bound = Default, const N: usize>`."""
        if type_parameters is None:
            return
        for param in type_parameters.named_children:
            self.bounds(param.child_by_field_name("bounds"))
            self.types(param.child_by_field_name("default_type"))

    def where_clause(self, where: Node | None) -> None:
        if where is None:
            return
        for predicate in where.named_children:
            if predicate.type != "where_predicate":
                continue
            left = predicate.child_by_field_name("left")
            if left is not None and left.type == "higher_ranked_trait_bound":
                left = left.child_by_field_name("type")
            self.types(left)
            self.bounds(predicate.child_by_field_name("bounds"))

    def _one_bound(self, bound: Node) -> None:
        if self._bound_depth >= MAX_BOUND_DEPTH:
            # `Fn(Fn(Fn(..)))` thousands deep is hostile: deeper refs are dropped, and the
            # line is kept so parse can report it.
            if self.cut_line is None:
                self.cut_line = bound.start_point[0] + 1
            return
        self._bound_depth += 1
        try:
            self._one_bound_at(bound)
        finally:
            self._bound_depth -= 1

    def _one_bound_at(self, bound: Node) -> None:
        kind = bound.type
        if kind == "higher_ranked_trait_bound":
            inner = bound.child_by_field_name("type")
            if inner is not None:
                self._one_bound(inner)
        elif kind in ("type_identifier", "scoped_type_identifier"):
            self.add("bound", strip_generics(node_text(self.data, bound)), bound)
        elif kind == "generic_type":
            base = bound.child_by_field_name("type")
            if base is not None:
                self.add("bound", strip_generics(node_text(self.data, base)), base)
            self.types(bound.child_by_field_name("type_arguments"))
        elif kind == "function_type":  # Fn(A) -> B
            trait = bound.child_by_field_name("trait")
            if trait is not None:
                self.add("bound", strip_generics(node_text(self.data, trait)), trait)
            self.types(bound.child_by_field_name("parameters"))
            self.types(bound.child_by_field_name("return_type"))
        elif kind == "tuple_type" or kind == "parenthesized_type":
            for child in bound.named_children:
                self._one_bound(child)

    def _scoped_type(self, node: Node, stack: list[Node]) -> None:
        prefix = node.child_by_field_name("path")
        if prefix is not None and prefix.type in ("bracketed_type", "generic_type"):
            stack.append(prefix)  # `<T as Trait>::Out`: the parts are the refs
            return
        path = strip_generics(node_text(self.data, node))
        if path.split("::", 1)[0] not in self.scope:  # `T::Item` is the generic's business
            self.add("uses_type", path, node)


def supertrait_texts(data: bytes, bounds: Node | None) -> list[str]:
    """The trait bounds after `trait X:` as written, lifetimes and `?Sized` left out."""
    if bounds is None:
        return []
    return [
        squash_node(data, child)
        for child in bounds.named_children
        if child.type not in ("lifetime", "removed_trait_bound") and child.type not in _COMMENTS
    ]


def generic_names(data: bytes, type_parameters: Node | None) -> frozenset[str]:
    """Type and const parameter names declared by `<..>` (lifetimes are not types)."""
    if type_parameters is None:
        return frozenset()
    names = set()
    for param in type_parameters.named_children:
        if param.type in ("type_parameter", "const_parameter", "constrained_type_parameter"):
            name = param.child_by_field_name("name") or param.child_by_field_name("left")
            if name is not None:
                names.add(node_text(data, name))
    return frozenset(names)
