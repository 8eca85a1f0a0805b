"""Reading the items of a container (file, inline mod, impl, trait, extern block).

Only item-level nodes are visited: the children of containers, and of the nodes that
declare an item. Bodies of fns are left to the call query (see calls.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

from rustrag.limits import MAX_ITEM_NESTING
from rustrag.model import ItemKind, MacroCall, UseEntry
from rustrag.parse.attrs import apply_attribute, read_leading
from rustrag.parse.builder import ItemBuilder, Scope, Shape
from rustrag.parse.calls import Body, attach_calls, body_nodes
from rustrag.parse.docs import COMMENT_TYPES, comment_doc_lines, doc_side, unindent
from rustrag.parse.fields import read_fields, read_variants
from rustrag.parse.flagstructs import FlagStruct, find_flag_structs
from rustrag.parse.macros import record_call, reparse_token_tree, rules_text
from rustrag.parse.text import node_text, squash_node, squash_span, visibility_text
from rustrag.parse.typerefs import RefCollector, generic_names, supertrait_texts
from rustrag.parse.uses import flatten_use, path_segments

_FN_FLAGS = frozenset({"unsafe", "async", "const"})
_HOLDER_TYPES = frozenset({"function_item", "const_item", "static_item"})


@dataclass(slots=True)
class Inner:
    """Inner docs (`//!`, `#![doc]`) and inner attributes (`#![..]`) of a container."""

    doc_lines: list[str] = field(default_factory=list)
    attributes: list[Node] = field(default_factory=list)


class Extractor:
    """Turns the item-level nodes of one file into `RawItem`s."""

    def __init__(
        self, data: bytes, expanded_elsewhere: Callable[[str], bool] | None = None
    ) -> None:
        self.data = data
        # Macros whose calls the caller expands itself: their token trees are not read.
        self.expanded_elsewhere = expanded_elsewhere
        self.builder = ItemBuilder(data)
        self.macro_uses: list[str] = []
        # Kept for resolve, which expands the crate's own macro_rules (parse sees one file).
        self.macro_calls: list[MacroCall] = []
        self.macro_rules: dict[int, str] = {}
        # 1-based lines of containers whose contents were skipped for nesting too deep.
        self.too_deep: list[int] = []
        self._nesting = 0
        self._bodies: list[Body] = []
        # fn/const/static nodes by byte range: where impls found in bodies belong
        self._holders: dict[tuple[int, int], tuple[int, Scope]] = {}
        self._readers: dict[str, Callable[[Node, list[Node], Scope], None]] = {
            "function_item": self._function,
            "function_signature_item": self._function,
            "struct_item": self._struct,
            "union_item": self._struct,
            "enum_item": self._enum,
            "trait_item": self._trait,
            "impl_item": self._impl,
            "mod_item": self._mod,
            "const_item": self._const_or_static,
            "static_item": self._const_or_static,
            "type_item": self._type_alias,
            "associated_type": self._associated_type,
            "macro_definition": self._macro_rules,
            "use_declaration": self._use,
            "extern_crate_declaration": self._extern_crate,
            "foreign_mod_item": self._extern_block,
            "macro_invocation": self._macro_invocation,
            "expression_statement": self._statement,
        }

    def read_tree(self, root: Node, scope: Scope, inner: Inner | None) -> None:
        """Read a whole tree (a file, or a macro's token tree parsed as a file)."""
        outer_bodies, self._bodies = self._bodies, []
        outer_holders, self._holders = self._holders, {}
        self.read_container(root.children, scope, inner)
        if self._holders:
            found = body_nodes(root)
            self._impls_in_bodies(found.impls)
            attach_calls(self.data, found.calls, self._bodies)
        self._bodies, self._holders = outer_bodies, outer_holders

    def _impls_in_bodies(self, impls: list[Node]) -> None:
        """Impl blocks written inside fn or const bodies. They are global (rustdoc lists
        them with the crate's impls), unlike every other fn-local item, which is left out.
        Outer impls come first, so an impl in a method of a fn-local impl finds its fn."""
        enclosing: list[int] = []  # end bytes of the body impls around the current one
        for node in impls:
            while enclosing and enclosing[-1] <= node.start_byte:
                enclosing.pop()
            if len(enclosing) >= MAX_ITEM_NESTING:
                # Hostile nesting (impl in fn in impl ...): each level would re-hash every
                # enclosing extent, quadratic in depth. Skip it, as read_container does.
                self.too_deep.append(node.start_point[0] + 1)
                continue
            enclosing.append(node.end_byte)
            holder = self._holder_of(node)
            if holder is None:
                continue
            index, scope = holder
            leading: list[Node] = []
            sibling = node.prev_sibling
            while sibling is not None and (
                sibling.type == "attribute_item"
                or (sibling.type in COMMENT_TYPES and doc_side(self.data, sibling) == "outer")
            ):
                leading.insert(0, sibling)
                sibling = sibling.prev_sibling
            self._impl(node, leading, Scope(index, "mod", scope.macro, scope.generics, scope.depth))

    def _holder_of(self, node: Node) -> tuple[int, Scope] | None:
        """The fn or const item whose body holds `node`, as (item index, its scope)."""
        parent = node.parent
        while parent is not None:
            if parent.type in _HOLDER_TYPES:  # a fn-local fn is no item: look further out
                found = self._holders.get((parent.start_byte, parent.end_byte))
                if found is not None:
                    return found
            parent = parent.parent
        return None

    def read_container(self, children: list[Node], scope: Scope, inner: Inner | None) -> None:
        if self._nesting >= MAX_ITEM_NESTING:
            # Recursing further would hit Python's recursion limit on hostile input (and
            # re-hash every enclosing item's extent): skip the rest, parse reports it.
            if children:
                self.too_deep.append(children[0].start_point[0] + 1)
            return
        self._nesting += 1
        try:
            self._read_children(children, scope, inner)
        finally:
            self._nesting -= 1

    def _read_children(self, children: list[Node], scope: Scope, inner: Inner | None) -> None:
        data = self.data
        leading: list[Node] = []
        for child in children:
            kind = child.type
            if kind == "attribute_item":
                leading.append(child)
                continue
            if kind in COMMENT_TYPES:
                side = doc_side(data, child)
                if side == "outer":
                    leading.append(child)
                elif side == "inner" and inner is not None:
                    inner.doc_lines.extend(comment_doc_lines(data, child))
                continue
            if kind == "inner_attribute_item":
                if inner is not None:
                    inner.attributes.append(child)
                continue
            reader = self._readers.get(kind)
            if reader is not None:
                reader(child, leading, scope)
            elif kind == "ERROR":  # error recovery can wrap good items: keep them
                self.read_container(child.children, scope, None)
            leading = []

    # -- fns ---------------------------------------------------------------------------

    def _function(self, node: Node, leading: list[Node], scope: Scope) -> None:
        name = _name(node)
        if name is None:
            return
        data = self.data
        kind: ItemKind = "method" if scope.container in ("impl", "trait") else "fn"
        type_parameters = node.child_by_field_name("type_parameters")
        refs = RefCollector(data, scope.generics | generic_names(data, type_parameters))
        where = _where(node)
        refs.generics(type_parameters)
        refs.where_clause(where)
        parameters = node.child_by_field_name("parameters")
        if parameters is not None:
            for parameter in parameters.named_children:
                if parameter.type == "parameter":
                    refs.types(parameter.child_by_field_name("type"))
        refs.types(node.child_by_field_name("return_type"))
        body = node.child_by_field_name("body")
        shape = self._shape(kind, name, node, body)
        shape.generics = squash_node(data, type_parameters)
        shape.where_clause = _where_text(data, where)
        for modifiers in node.children:
            if modifiers.type == "function_modifiers":
                flags = {child.type for child in modifiers.children} & _FN_FLAGS
                shape.is_unsafe = "unsafe" in flags
                shape.is_async = "async" in flags
                shape.is_const = "const" in flags
        index = self.builder.add(shape, node, node, leading, scope, refs)
        if body is not None:
            self._bodies.append(Body(body.start_byte, body.end_byte, refs))
            self._holders[(node.start_byte, node.end_byte)] = (index, scope)

    # -- types ---------------------------------------------------------------------------

    def _struct(self, node: Node, leading: list[Node], scope: Scope) -> None:
        name = _name(node)
        if name is None:
            return
        data = self.data
        kind: ItemKind = "union" if node.type == "union_item" else "struct"
        type_parameters = node.child_by_field_name("type_parameters")
        generics = scope.generics | generic_names(data, type_parameters)
        refs = RefCollector(data, generics)
        where = _where(node)
        refs.generics(type_parameters)
        refs.where_clause(where)
        body = node.child_by_field_name("body")
        braces = body if body is not None and body.type == "field_declaration_list" else None
        shape = self._shape(kind, name, node, braces)
        if braces is None and body is not None and "#" in shape.signature:
            cuts = [child for child in body.children if child.type == "attribute_item"]
            cuts += [child for child in node.children if child.type == "ERROR"]
            cuts.sort(key=lambda cut: cut.start_byte)
            shape.signature = squash_span(self.data, node.start_byte, node.end_byte, cuts)
        shape.generics = squash_node(data, type_parameters)
        shape.where_clause = _where_text(data, where)
        index = self.builder.add(shape, node, node, leading, scope, refs)
        read_fields(self.builder, body, Scope(index, scope.container, scope.macro, generics))

    def _enum(self, node: Node, leading: list[Node], scope: Scope) -> None:
        name = _name(node)
        if name is None:
            return
        data = self.data
        type_parameters = node.child_by_field_name("type_parameters")
        generics = scope.generics | generic_names(data, type_parameters)
        refs = RefCollector(data, generics)
        where = _where(node)
        refs.generics(type_parameters)
        refs.where_clause(where)
        body = node.child_by_field_name("body")
        shape = self._shape("enum", name, node, body)
        shape.generics = squash_node(data, type_parameters)
        shape.where_clause = _where_text(data, where)
        index = self.builder.add(shape, node, node, leading, scope, refs)
        read_variants(self.builder, body, Scope(index, scope.container, scope.macro, generics))

    def _trait(self, node: Node, leading: list[Node], scope: Scope) -> None:
        name = _name(node)
        if name is None:
            return
        data = self.data
        type_parameters = node.child_by_field_name("type_parameters")
        generics = scope.generics | generic_names(data, type_parameters)
        refs = RefCollector(data, generics)
        where = _where(node)
        bounds = node.child_by_field_name("bounds")
        refs.bounds(bounds)
        refs.generics(type_parameters)
        refs.where_clause(where)
        body = node.child_by_field_name("body")
        shape = self._shape("trait", name, node, body)
        shape.generics = squash_node(data, type_parameters)
        shape.where_clause = _where_text(data, where)
        shape.supertraits = supertrait_texts(data, bounds)
        shape.is_unsafe = any(child.type == "unsafe" for child in node.children)
        index = self.builder.add(shape, node, node, leading, scope, refs)
        if body is not None:
            self.read_container(body.children, scope.inside(index, "trait", generics), None)

    def _impl(self, node: Node, leading: list[Node], scope: Scope) -> None:
        data = self.data
        type_parameters = node.child_by_field_name("type_parameters")
        generics = scope.generics | generic_names(data, type_parameters)
        refs = RefCollector(data, generics)
        where = _where(node)
        refs.generics(type_parameters)
        refs.where_clause(where)
        body = node.child_by_field_name("body")
        shape = self._shape("impl", "", node, body)
        shape.generics = squash_node(data, type_parameters)
        shape.where_clause = _where_text(data, where)
        trait = node.child_by_field_name("trait")
        if trait is not None:
            negative = any(child.type == "!" for child in node.children)
            shape.impl_trait = ("!" if negative else "") + squash_node(data, trait)
        self_type = node.child_by_field_name("type")
        shape.impl_self = squash_node(data, self_type) if self_type is not None else None
        shape.is_unsafe = any(child.type == "unsafe" for child in node.children)
        index = self.builder.add(shape, node, node, leading, scope, refs)
        if body is not None:
            self.read_container(body.children, scope.inside(index, "impl", generics), None)

    # -- modules ---------------------------------------------------------------------------

    def _mod(self, node: Node, leading: list[Node], scope: Scope) -> None:
        name = _name(node)
        if name is None:
            return
        body = node.child_by_field_name("body")
        shape = self._shape("mod", name, node, body)
        shape.mod_inline = body is not None
        index = self.builder.add(shape, node, node, leading, scope, RefCollector(self.data))
        if body is None:
            return
        inner = Inner()
        self.read_container(body.children, scope.inside(index, "mod", frozenset()), inner)
        self.apply_inner(index, inner)

    def apply_inner(self, index: int, inner: Inner) -> None:
        """Fold an inline module's `//!` docs and `#![..]` attributes into its item."""
        item = self.builder.items[index]
        cfgs = [item.attrs.cfg] if item.attrs.cfg else []
        lines = list(inner.doc_lines)
        for attribute_item in inner.attributes:
            for attribute in attribute_item.named_children:
                if attribute.type == "attribute":
                    apply_attribute(self.data, attribute, item.attrs, lines, cfgs)
        item.attrs.cfg = " && ".join(cfgs) if cfgs else None
        if lines:
            inner_docs = unindent(lines)
            item.docs = f"{item.docs}\n{inner_docs}" if item.docs else inner_docs

    # -- values and aliases -------------------------------------------------------------------

    def _const_or_static(self, node: Node, leading: list[Node], scope: Scope) -> None:
        name = _name(node)
        if name is None:
            return
        data = self.data
        kind: ItemKind = "static"
        if node.type == "const_item":
            kind = "assoc_const" if scope.container in ("impl", "trait") else "const"
        refs = RefCollector(data, scope.generics)
        refs.types(node.child_by_field_name("type"))
        value = node.child_by_field_name("value")
        shape = self._shape(kind, name, node, value)
        shape.signature = shape.signature.rstrip("= ")
        index = self.builder.add(shape, node, node, leading, scope, refs)
        if value is not None and b"impl" in data[value.start_byte : value.end_byte]:
            # `const _: () = { impl .. };`: impls in the block belong to the crate
            self._holders[(node.start_byte, node.end_byte)] = (index, scope)

    def _type_alias(self, node: Node, leading: list[Node], scope: Scope) -> None:
        name = _name(node)
        if name is None:
            return
        data = self.data
        kind: ItemKind = "assoc_type" if scope.container in ("impl", "trait") else "type_alias"
        type_parameters = node.child_by_field_name("type_parameters")
        refs = RefCollector(data, scope.generics | generic_names(data, type_parameters))
        where = _where(node)
        refs.generics(type_parameters)
        refs.where_clause(where)
        refs.types(node.child_by_field_name("type"))
        shape = self._shape(kind, name, node, None)
        shape.generics = squash_node(data, type_parameters)
        shape.where_clause = _where_text(data, where)
        self.builder.add(shape, node, node, leading, scope, refs)

    def _associated_type(self, node: Node, leading: list[Node], scope: Scope) -> None:
        name = _name(node)
        if name is None:
            return
        data = self.data
        type_parameters = node.child_by_field_name("type_parameters")
        refs = RefCollector(data, scope.generics | generic_names(data, type_parameters))
        where = _where(node)
        refs.bounds(node.child_by_field_name("bounds"))
        refs.generics(type_parameters)
        refs.where_clause(where)
        refs.types(node.child_by_field_name("default_type"))
        shape = self._shape("assoc_type", name, node, None)
        shape.generics = squash_node(data, type_parameters)
        shape.where_clause = _where_text(data, where)
        self.builder.add(shape, node, node, leading, scope, refs)

    # -- macros ---------------------------------------------------------------------------

    def _macro_rules(self, node: Node, leading: list[Node], scope: Scope) -> None:
        # The rules are templates full of $metavariables: nothing in them is an item.
        name = _name(node)
        if name is None:
            return
        shape = Shape("macro_rules", name, f"macro_rules! {name}")
        index = self.builder.add(shape, node, node, leading, scope, RefCollector(self.data))
        rules = rules_text(self.data, node)
        if rules is not None:
            self.macro_rules[index] = rules

    def _statement(self, node: Node, leading: list[Node], scope: Scope) -> None:
        """`foo!(..);` at item level parses as an expression statement."""
        inner = node.named_children[0] if node.named_child_count else None
        if inner is not None and inner.type == "macro_invocation":
            self._macro_invocation(inner, leading, scope)
        elif inner is not None and inner.type == "if_expression" and scope.macro is not None:
            self._cfg_branches(inner, scope)

    def _cfg_branches(self, node: Node, scope: Scope) -> None:
        """`cfg_if! { if #[cfg(a)] { items } else { items } }`: the items of every branch,
        each with the cfg under which its branch is the one compiled."""
        earlier: list[str] = []  # conditions of the branches before: all of them failed
        branch: Node | None = node
        while branch is not None:
            condition = _cfg_condition(self.data, branch.child_by_field_name("condition"))
            block = branch.child_by_field_name("consequence")
            if branch.type == "block":
                condition, block = None, branch
            cfgs = [f"not({c})" for c in earlier] + ([condition] if condition else [])
            if block is not None:
                before = len(self.builder.items)
                self.read_container(block.children, scope, None)
                for item in self.builder.items[before:]:
                    if item.parent == scope.parent and cfgs:
                        item.attrs.cfg = " && ".join(
                            ([item.attrs.cfg] if item.attrs.cfg else []) + cfgs
                        )
            if condition is None and branch.type != "block":
                break  # an `if` that is not `#[cfg(..)]`: later branches cannot be read
            if condition:
                earlier.append(condition)
            branch = _else_branch(branch)

    def _macro_invocation(self, node: Node, leading: list[Node], scope: Scope) -> None:
        macro = node.child_by_field_name("macro")
        if macro is None:
            return
        name = squash_node(self.data, macro)
        if name not in self.macro_uses:
            self.macro_uses.append(name)
        cfg = read_leading(self.data, leading).attrs.cfg if leading else None
        call = record_call(self.data, node, name, scope.parent, scope.container, cfg)
        if call is not None:
            self.macro_calls.append(call)
            if self.expanded_elsewhere is not None and self.expanded_elsewhere(name):
                return
        inside = Scope(scope.parent, scope.container, name, scope.generics, scope.depth + 1)
        token_tree = _last_token_tree(node)
        flag_structs = find_flag_structs(self.data, token_tree) if token_tree else []
        if flag_structs:
            for flags in flag_structs:
                self._flag_struct(flags, inside)
            return
        tree = reparse_token_tree(self.data, node, scope.depth)
        if tree is not None:
            self.read_tree(tree.root_node, inside, None)

    def _flag_struct(self, flags: FlagStruct, scope: Scope) -> None:
        """A bitflags struct: the struct read from its header, then one pub assoc const
        per entry (what the macro generates), as children of the struct."""
        before = len(self.builder.items)
        self.read_tree(flags.header_tree(self.data).root_node, scope, None)
        owner = next(
            (
                i
                for i in range(before, len(self.builder.items))
                if self.builder.items[i].kind == "struct"
                and self.builder.items[i].name == flags.name
            ),
            None,
        )
        if owner is None:
            return
        struct = self.builder.items[owner]
        struct.line_end = max(struct.line_end, flags.block.end_point[0] + 1)
        struct.byte_end = max(struct.byte_end, flags.block.end_byte)
        member = Scope(owner, scope.container, scope.macro, scope.generics, scope.depth)
        for entry in flags.consts:
            shape = Shape("assoc_const", entry.name, f"pub const {entry.name}: {flags.name}")
            shape.visibility = "pub"
            refs = RefCollector(self.data)
            self.builder.add(shape, entry.first, entry.last, entry.docs, member, refs)

    # -- imports ---------------------------------------------------------------------------

    def _use(self, node: Node, leading: list[Node], scope: Scope) -> None:
        shape = self._shape("use", "", node, None)
        argument = node.child_by_field_name("argument")
        shape.uses = flatten_use(self.data, argument, self.builder.too_deep)
        self.builder.add(shape, node, node, leading, scope, RefCollector(self.data))

    def _extern_crate(self, node: Node, leading: list[Node], scope: Scope) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        data = self.data
        name = node_text(data, name_node)
        alias = node.child_by_field_name("alias")
        shape = self._shape("extern_crate", name, node, None)
        shape.uses = [UseEntry(path_segments(data, name_node), _text_or_none(data, alias))]
        self.builder.add(shape, node, node, leading, scope, RefCollector(data))

    def _extern_block(self, node: Node, leading: list[Node], scope: Scope) -> None:
        """`extern "C" { fn f(); }`: the block is not an item, its contents are."""
        body = node.child_by_field_name("body")
        if body is not None:
            extern = Scope(scope.parent, "extern", scope.macro, scope.generics, scope.depth)
            self.read_container(body.children, extern, None)

    # -- shared ---------------------------------------------------------------------------

    def _shape(self, kind: ItemKind, name: str, node: Node, body: Node | None) -> Shape:
        """Name, visibility and the declaration text up to `body` (or the whole node)."""
        end = body.start_byte if body is not None else node.end_byte
        cuts = [child for child in node.children if child.type == "ERROR"] if node.has_error else []
        visibility = None
        for child in node.children:
            if child.type == "visibility_modifier":
                visibility = child
                break
        shape = Shape(kind, name, squash_span(self.data, node.start_byte, end, cuts))
        shape.visibility = visibility_text(self.data, visibility)
        return shape


def _name(node: Node) -> str | None:
    """The item's name; None when missing or a `$metavariable` of a macro template."""
    name = node.child_by_field_name("name")
    if name is None or name.type == "metavariable":
        return None
    text = name.text
    return text.decode("utf-8", errors="replace") if text else None


def _cfg_condition(data: bytes, condition: Node | None) -> str | None:
    """`#[cfg(unix)]` as the condition of an `if` (parsed as `#` and `[cfg(unix)]`)."""
    if condition is None:
        return None
    text = squash_node(data, condition)
    if text.startswith("[cfg(") and text.endswith(")]"):
        return text[5:-2]
    return None


def _else_branch(if_node: Node) -> Node | None:
    """The `if` or block after `else`, None when there is no else."""
    for child in if_node.children:
        if child.type == "else_clause":
            return next(
                (c for c in child.named_children if c.type in ("if_expression", "block")), None
            )
    return None


def _last_token_tree(invocation: Node) -> Node | None:
    found = None
    for child in invocation.children:
        if child.type == "token_tree":
            found = child
    return found


def _where(node: Node) -> Node | None:
    for child in node.children:
        if child.type == "where_clause":
            return child
    return None


def _where_text(data: bytes, where: Node | None) -> str:
    return squash_node(data, where).rstrip(",").rstrip() if where is not None else ""


def _text_or_none(data: bytes, node: Node | None) -> str | None:
    return node_text(data, node) if node is not None else None
