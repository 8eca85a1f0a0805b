"""One walk over a snippet's syntax tree, turning it into the events check looks up.

parse_bytes' Refs are deduplicated per item and carry no receiver, so the bodies are
walked here: every path (with its line and argument count), every macro (also those
nested in another macro's tokens, as nom 4 code nests them), every method call with the
expression it is called on, and the `let`s and parameters that give names a type.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from tree_sitter import Node

from rustrag.model import UseEntry

# -- receiver expressions: just enough structure to follow a builder chain ----------------


@dataclass(slots=True, frozen=True)
class Var:
    name: str


@dataclass(slots=True, frozen=True)
class PathCall:
    path: tuple[str, ...]


@dataclass(slots=True, frozen=True)
class MethodExpr:
    receiver: Expr | None
    name: str


Expr = Var | PathCall | MethodExpr

# -- events, in source order -------------------------------------------------------------


@dataclass(slots=True)
class PathUse:
    path: tuple[str, ...]
    line: int
    column: int
    arg_count: int | None = None  # set when the path is called
    is_type: bool = False


@dataclass(slots=True)
class MacroUse:
    path: tuple[str, ...]
    line: int
    column: int


@dataclass(slots=True)
class MethodCall:
    receiver: Expr | None
    name: str
    arg_count: int
    line: int
    column: int


@dataclass(slots=True)
class Binding:
    """`let name: Type = value` or a parameter `name: Type`."""

    name: str
    type_path: tuple[str, ...] | None
    value: Expr | None


@dataclass(slots=True)
class FnStart:
    pass


@dataclass(slots=True)
class UseLeaf:
    entry: UseEntry
    line: int
    column: int


Event = PathUse | MacroUse | MethodCall | Binding | FnStart | UseLeaf


@dataclass(slots=True)
class Collected:
    events: list[Event] = field(default_factory=list)
    macro_use_crates: list[str] = field(default_factory=list)  # #[macro_use] extern crate x


_NOT_ARGUMENTS = frozenset({"line_comment", "block_comment", "attribute_item"})


class Collector:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.out = Collected()

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def segments(self, node: Node) -> tuple[str, ...]:
        text = "".join(self.text(node).split())
        depth = 0
        kept = []
        for ch in text:  # drop generic arguments: `Vec::<u8>::new` -> Vec::new
            if ch == "<":
                depth += 1
            elif ch == ">":
                depth -= 1
            elif depth == 0:
                kept.append(ch)
        parts = "".join(kept).split("::")
        return tuple(p for i, p in enumerate(parts) if p or i == 0)

    @staticmethod
    def where(node: Node) -> tuple[int, int]:
        return node.start_point[0] + 1, node.start_point[1] + 1

    # -- the walk --------------------------------------------------------------------------

    def walk(self, node: Node, depth: int = 0) -> None:
        if depth > 400:  # pathological nesting: stop rather than blow the stack
            return
        handler = getattr(self, "_on_" + node.type, None)
        if handler is not None and handler(node, depth):
            return
        for child in node.named_children:
            self.walk(child, depth + 1)

    def _on_use_declaration(self, node: Node, depth: int) -> bool:
        argument = node.child_by_field_name("argument")
        if argument is not None:
            self._use_tree(argument, [])
        return True

    def _use_tree(self, node: Node, prefix: list[str]) -> None:
        kind = node.type
        line, column = self.where(node)
        if kind == "use_as_clause":
            path_node = node.child_by_field_name("path")
            alias = node.child_by_field_name("alias")
            path = [*prefix, *(self.segments(path_node) if path_node is not None else ())]
            entry = UseEntry(path, self.text(alias) if alias is not None else None)
            self.out.events.append(UseLeaf(entry, line, column))
        elif kind == "use_wildcard":
            inner = node.named_children[0] if node.named_child_count else None
            path = [*prefix, *(self.segments(inner) if inner is not None else ())]
            self.out.events.append(UseLeaf(UseEntry(path, glob=True), line, column))
        elif kind == "scoped_use_list":
            path_node = node.child_by_field_name("path")
            head = list(self.segments(path_node)) if path_node is not None else []
            use_list = node.child_by_field_name("list")
            if use_list is not None:
                self._use_tree(use_list, [*prefix, *head])
        elif kind == "use_list":
            for child in node.named_children:
                if child.type not in _NOT_ARGUMENTS:
                    self._use_tree(child, prefix)
        else:
            segs = list(self.segments(node))
            path = list(prefix) if segs == ["self"] else [*prefix, *segs]
            self.out.events.append(UseLeaf(UseEntry(path), line, column))

    def _on_extern_crate_declaration(self, node: Node, depth: int) -> bool:
        previous = node.prev_named_sibling
        name = node.child_by_field_name("name")
        is_macro_use = (
            previous is not None
            and previous.type == "attribute_item"
            and "macro_use" in self.text(previous)
        )
        if is_macro_use and name is not None:
            self.out.macro_use_crates.append(self.text(name))
        return True

    def _on_function_item(self, node: Node, depth: int) -> bool:
        self.out.events.append(FnStart())
        return False

    def _on_parameter(self, node: Node, depth: int) -> bool:
        pattern = node.child_by_field_name("pattern")
        type_node = node.child_by_field_name("type")
        if type_node is not None:
            self.walk(type_node, depth + 1)
        if pattern is not None and pattern.type == "identifier" and type_node is not None:
            self.out.events.append(Binding(self.text(pattern), self._type_path(type_node), None))
        return True

    def _on_let_declaration(self, node: Node, depth: int) -> bool:
        type_node = node.child_by_field_name("type")
        value = node.child_by_field_name("value")
        for part in (type_node, value, node.child_by_field_name("alternative")):
            if part is not None:
                self.walk(part, depth + 1)
        pattern = node.child_by_field_name("pattern")
        if pattern is not None and pattern.type == "mut_pattern":
            pattern = pattern.named_children[-1] if pattern.named_child_count else None
        if pattern is not None and pattern.type == "identifier":
            type_path = self._type_path(type_node) if type_node is not None else None
            expr = self.expr(value) if value is not None else None
            self.out.events.append(Binding(self.text(pattern), type_path, expr))
        return True

    def _type_path(self, node: Node) -> tuple[str, ...] | None:
        while node.type == "reference_type":
            inner = node.child_by_field_name("type")
            if inner is None:
                return None
            node = inner
        if node.type == "generic_type":
            base = node.child_by_field_name("type")
            if base is None:
                return None
            node = base
        if node.type in ("type_identifier", "scoped_type_identifier"):
            return self.segments(node)
        return None

    def _on_scoped_type_identifier(self, node: Node, depth: int) -> bool:
        prefix = node.child_by_field_name("path")
        if prefix is not None and prefix.type in ("bracketed_type", "generic_type"):
            return False  # `<T as Trait>::Out`
        line, column = self.where(node)
        self.out.events.append(PathUse(self.segments(node), line, column, is_type=True))
        return True

    def _on_scoped_identifier(self, node: Node, depth: int) -> bool:
        prefix = node.child_by_field_name("path")
        if prefix is not None and prefix.type in ("bracketed_type", "generic_type"):
            return False
        line, column = self.where(node)
        self.out.events.append(PathUse(self.segments(node), line, column))
        return True

    def _on_call_expression(self, node: Node, depth: int) -> bool:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if function is None or arguments is None:
            return False
        count = sum(1 for a in arguments.named_children if a.type not in _NOT_ARGUMENTS)
        if function.type == "generic_function":
            inner = function.child_by_field_name("function")
            function = inner if inner is not None else function
        if function.type == "field_expression":
            value = function.child_by_field_name("value")
            field_node = function.child_by_field_name("field")
            if value is not None:
                self.walk(value, depth + 1)
            if field_node is not None and field_node.type == "field_identifier":
                line, column = self.where(field_node)
                receiver = self.expr(value) if value is not None else None
                name = self.text(field_node)
                self.out.events.append(MethodCall(receiver, name, count, line, column))
        elif function.type in ("scoped_identifier", "identifier"):
            line, column = self.where(function)
            self.out.events.append(PathUse(self.segments(function), line, column, count))
        else:
            self.walk(function, depth + 1)
        self.walk(arguments, depth + 1)
        return True

    def _on_macro_invocation(self, node: Node, depth: int) -> bool:
        macro = node.child_by_field_name("macro")
        if macro is not None:
            line, column = self.where(macro)
            self.out.events.append(MacroUse(self.segments(macro), line, column))
        for child in node.named_children:
            if child.type == "token_tree":
                self._nested_macros(child)
        return True

    def _nested_macros(self, tree: Node) -> None:
        """`tag!("x")` inside another macro's tokens: an identifier followed by `!`."""
        children = tree.children
        for i, child in enumerate(children):
            if child.type == "token_tree":
                self._nested_macros(child)
            elif child.type == "identifier" and i + 2 < len(children):
                bang, group = children[i + 1], children[i + 2]
                if bang.type == "!" and group.type == "token_tree":
                    line, column = self.where(child)
                    self.out.events.append(MacroUse((self.text(child),), line, column))

    # -- receiver expressions ----------------------------------------------------------------

    def expr(self, node: Node) -> Expr | None:
        kind = node.type
        if kind == "identifier":
            return Var(self.text(node))
        if kind in ("parenthesized_expression", "reference_expression"):
            inner = node.named_children[-1] if node.named_child_count else None
            return self.expr(inner) if inner is not None else None
        if kind != "call_expression":
            return None
        function = node.child_by_field_name("function")
        if function is not None and function.type == "generic_function":
            function = function.child_by_field_name("function")
        if function is None:
            return None
        if function.type in ("scoped_identifier", "identifier"):
            return PathCall(self.segments(function))
        if function.type == "field_expression":
            value = function.child_by_field_name("value")
            field_node = function.child_by_field_name("field")
            if field_node is None:
                return None
            inner_expr = self.expr(value) if value is not None else None
            return MethodExpr(inner_expr, self.text(field_node))
        return None


def collect(data: bytes, root: Node) -> Collected:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 3000))
    try:
        collector = Collector(data)
        collector.walk(root)
        return collector.out
    finally:
        sys.setrecursionlimit(limit)
