"""Expanding one macro call with the crate's own `macro_rules!`, recursively and bounded.

The expansion is rendered to text and read by parse's own item extraction, so expanded
items are read exactly like written ones. Their spans then point back at the file: at
the invocation's tokens they were made from (tokio's `cfg_rt! { pub fn spawn .. }` keeps
`spawn`'s own lines), or at the whole call when a template made them (syn's keywords).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from rustrag.limits import (
    MAX_CRATE_EXPANSION_BYTES,
    MAX_EXPANSION_BYTES,
    MAX_EXPANSION_TREES,
    MAX_EXPANSIONS_PER_CALL,
    MAX_MACRO_EXPANSION_DEPTH,
    MAX_MACRO_MATCH_STEPS,
)
from rustrag.model import MacroCall, RawItem
from rustrag.parse.builder import Container
from rustrag.parse.fragment import parse_fragment
from rustrag.resolve.expand.matcher import Matcher, OutOfSteps
from rustrag.resolve.expand.render import Rendered, TooLarge, remap_origins, render
from rustrag.resolve.expand.rules import Arm, read_rules
from rustrag.resolve.expand.splice import splice
from rustrag.resolve.expand.tokens import Group, LexError, Token, Tree, lex
from rustrag.resolve.expand.transcribe import TranscribeError, Transcriber

_CONTAINERS: dict[str, Container] = {
    "file": "file",
    "mod": "mod",
    "impl": "impl",
    "trait": "trait",
    "extern": "extern",
}


@dataclass(slots=True)
class MacroDef:
    rules: str
    _arms: list[Arm] | None = None

    @property
    def arms(self) -> list[Arm]:
        if self._arms is None:  # most macros of a crate are never called at item level
            self._arms = read_rules(self.rules)
        return self._arms


@dataclass(frozen=True, slots=True)
class Site:
    """Where items an expansion made from no written token are said to be."""

    line_start: int
    line_end: int
    byte_start: int
    byte_end: int


@dataclass(slots=True)
class Expander:
    """Expands calls of the macros in `macros` (name -> definitions, in file order)."""

    macros: dict[str, list[MacroDef]]
    bytes_left: int = MAX_CRATE_EXPANSION_BYTES
    too_deep: list[MacroCall | None] = field(default_factory=list)  # written calls cut
    over_budget: bool = False  # the crate's expansion bytes ran out
    _written: MacroCall | None = None  # the call in the file being expanded now
    _expansions: int = 0  # expansions made for it so far
    # Expansions of written calls by what they depend on (see `_memo_key`): re-expanding
    # an edited file (a warm indexer) then costs a copy for each call the edit left alone.
    _memo: dict[tuple[object, ...], _Memo] = field(default_factory=dict)

    def knows(self, call: MacroCall) -> bool:
        return macro_name(call.name) in self.macros

    def knows_name(self, path: str) -> bool:
        return macro_name(path) in self.macros

    def expand_call(self, call: MacroCall) -> list[RawItem] | None:
        """Items of a call written in a file; None when it is not expanded."""
        if not self.knows(call):
            return None
        key = _memo_key(call)
        memo = self._memo.get(key)
        if memo is not None and self.bytes_left - memo.charged >= MAX_EXPANSION_BYTES:
            self.bytes_left -= memo.charged
            return memo.copy_to(call)
        left, cut, over = self.bytes_left, len(self.too_deep), self.over_budget
        found = self._expand_written(call)
        charged = left - self.bytes_left
        # Only an expansion that no crate-wide bound touched is the same anywhere.
        untouched = len(self.too_deep) == cut and not over and not self.over_budget
        if untouched and self.bytes_left >= MAX_EXPANSION_BYTES:
            parents = None if found is None else [item.parent for item in found]
            self._memo[key] = _Memo(call, charged, found, parents)
        return found

    def _expand_written(self, call: MacroCall) -> list[RawItem] | None:
        data = call.tokens.encode("utf-8")
        try:
            trees = lex(data, base=call.tokens_byte)
        except LexError:
            return None
        newlines = [at + call.tokens_byte for at, byte in enumerate(data) if byte == 10]

        def line_of(offset: int) -> int:
            return call.tokens_line + bisect_left(newlines, offset)

        site = Site(call.line_start, call.line_end, call.byte_start, call.byte_end)
        self._written = call
        self._expansions = 0
        try:
            return self._expand(call, trees, line_of, site, 0)
        except RecursionError:  # deep nesting the bounds did not foresee: keep parse's items
            return None

    def _expand(
        self,
        call: MacroCall,
        trees: list[Tree],
        line_of: Callable[[int], int],
        site: Site,
        depth: int,
    ) -> list[RawItem] | None:
        name = macro_name(call.name)
        definitions = self.macros.get(name)
        if not definitions:
            return None
        self._expansions += 1
        if depth >= MAX_MACRO_EXPANSION_DEPTH or self._expansions > MAX_EXPANSIONS_PER_CALL:
            self.too_deep.append(self._written)
            return None
        output = self._transcribe(definitions, trees)
        if output is None or self.bytes_left <= 0:
            self.over_budget = self.over_budget or self.bytes_left <= 0
            return None
        rest, direct = self._split(output)
        items: list[RawItem] = []
        if rest:
            found = self._read_back(call, rest, line_of, site, depth)
            if found is None:
                return None
            items = found
        container = call.container
        for name, group in direct:  # `m!(..)` in the output: expanded without a re-parse
            inner = MacroCall(
                name,
                "",
                None,
                container,
                None,
                site.line_start,
                site.line_end,
                site.byte_start,
                site.byte_end,
                site.byte_start,
                site.line_start,
            )
            found = self._expand(inner, group.trees, line_of, site, depth + 1)
            if found is None:
                continue  # a nested call that does not expand makes nothing, as in parse
            base = len(items)
            for item in found:
                item.parent = None if item.parent is None else item.parent + base
            items.extend(found)
        if call.cfg:
            for item in items:
                if item.parent is None:
                    item.attrs.cfg = (
                        f"{item.attrs.cfg} && {call.cfg}" if item.attrs.cfg else call.cfg
                    )
        return items

    def _split(self, output: list[Tree]) -> tuple[list[Tree], list[tuple[str, Group]]]:
        """The output's item-level calls of known macros, and everything else."""
        rest: list[Tree] = []
        direct: list[tuple[str, Group]] = []
        scanner = Matcher(4 * len(output) + 64)
        at = 0
        try:
            while at < len(output):
                call = _call_at(output, at)
                if call is not None and call[0] in self.macros:
                    direct.append((call[0], call[1]))
                    at = call[2]
                    continue
                size = scanner.item_extent(output, at)
                if not size:
                    break
                rest.extend(output[at : at + size])
                at += size
        except OutOfSteps:
            pass
        rest.extend(output[at:])
        return rest, direct

    def _read_back(
        self,
        call: MacroCall,
        output: list[Tree],
        line_of: Callable[[int], int],
        site: Site,
        depth: int,
    ) -> list[RawItem] | None:
        """Items of transcribed trees: rendered, parsed, nested calls expanded, placed."""
        name = macro_name(call.name)
        try:
            rendered = render(output, line_of, min(MAX_EXPANSION_BYTES, self.bytes_left))
        except TooLarge:
            self.bytes_left -= MAX_EXPANSION_BYTES  # what a near miss cost is charged too
            return None
        self.bytes_left -= len(rendered.data)
        container = _CONTAINERS.get(call.container, "mod")
        fragment = parse_fragment(rendered.data, container, name, self.knows_name)
        if fragment.has_error:
            return None  # text we could not read back: parse's direct reading is better

        def nested(inner: MacroCall) -> list[RawItem] | None:
            if not self.knows(inner):
                return None
            try:
                sub = lex(inner.tokens.encode("utf-8"), base=inner.tokens_byte)
            except LexError:
                return None
            sub = remap_origins(sub, rendered.origin_at)
            inner_site = _site_of(rendered, inner.byte_start, inner.byte_end, line_of, site)
            return self._expand(inner, sub, line_of, inner_site, depth + 1)

        spliced = splice(fragment.items, fragment.calls, nested)
        own = spliced.items[: spliced.kept]
        for item in own:  # parents come before their members
            parent = own[item.parent] if item.parent is not None else None
            _place(item, rendered, line_of, _site_of_item(parent) if parent else site)
        return spliced.items

    def _transcribe(self, definitions: list[MacroDef], trees: list[Tree]) -> list[Tree] | None:
        """The first arm (of the first definition) that matches, transcribed."""
        matcher = Matcher(MAX_MACRO_MATCH_STEPS)
        try:
            for definition in definitions:
                for arm in definition.arms:
                    binds = matcher.match(arm.matcher, trees)
                    if binds is not None:
                        return Transcriber(binds, MAX_EXPANSION_TREES).run(arm.transcriber)
        except (OutOfSteps, TranscribeError):
            return None
        return None


def macro_name(path: str) -> str:
    """The name a call's macro path ends in: `crate::cfg_rt` and `$crate :: m` -> the last."""
    return path.rsplit("::", 1)[-1].strip()


def _call_at(trees: list[Tree], at: int) -> tuple[str, Group, int] | None:
    """`path::name!(..)` (and its `;`) starting at `at`: (name, body, index after it)."""
    name: bytes | None = None
    while at < len(trees):
        tree = trees[at]
        if not isinstance(tree, Token):
            return None
        if tree.kind == "ident" and name is None:
            name = tree.text
        elif tree.text == b"::" and name is not None:
            name = None
        elif tree.text == b"!" and name is not None:
            body = trees[at + 1] if at + 1 < len(trees) else None
            if not isinstance(body, Group):
                return None
            end = at + 2
            semicolon = trees[end] if end < len(trees) else None
            if isinstance(semicolon, Token) and semicolon.text == b";":
                end += 1
            return name.decode("utf-8", errors="replace"), body, end
        else:
            return None
        at += 1
    return None


def _site_of(
    rendered: Rendered, start: int, end: int, line_of: Callable[[int], int], outer: Site
) -> Site:
    span = rendered.source_span(start, end)
    if span is None:
        return outer
    return Site(line_of(span[0]), line_of(max(span[0], span[1] - 1)), span[0], span[1])


def _site_of_item(item: RawItem) -> Site:
    return Site(item.line_start, item.line_end, item.byte_start, item.byte_end)


def _place(item: RawItem, rendered: Rendered, line_of: Callable[[int], int], site: Site) -> None:
    """Move an item's span and its references' lines from the expansion to the file."""
    where = _site_of(rendered, item.byte_start, item.byte_end, line_of, site)
    for ref in item.refs:
        ref.line = rendered.file_line(ref.line) or where.line_start
    item.line_start, item.line_end = where.line_start, max(where.line_start, where.line_end)
    item.byte_start, item.byte_end = where.byte_start, where.byte_end


def _memo_key(call: MacroCall) -> tuple[object, ...]:
    """What an expansion depends on, positions aside: the same call moved in its file
    expands to the same items moved by as many bytes and lines."""
    return (
        call.name,
        call.tokens,
        call.container,
        call.cfg,
        call.tokens_byte - call.byte_start,
        call.byte_end - call.byte_start,
        call.tokens_line - call.line_start,
        call.line_end - call.line_start,
    )


@dataclass(slots=True)
class _Memo:
    """An expansion as it was returned. Its items went on into a file (splice then
    renumbered their parents in place, nothing else changes them), so the parents they
    were returned with are kept apart, and a hit returns fresh copies."""

    call: MacroCall  # where the items below were made
    charged: int  # expansion bytes it took from the crate's budget
    items: list[RawItem] | None
    parents: list[int | None] | None

    def copy_to(self, call: MacroCall) -> list[RawItem] | None:
        if self.items is None or self.parents is None:
            return None
        bytes_by = call.byte_start - self.call.byte_start
        lines_by = call.line_start - self.call.line_start
        return [
            dataclasses.replace(
                item,
                parent=parent,
                line_start=item.line_start + lines_by,
                line_end=item.line_end + lines_by,
                byte_start=item.byte_start + bytes_by,
                byte_end=item.byte_end + bytes_by,
                refs=[dataclasses.replace(ref, line=ref.line + lines_by) for ref in item.refs],
            )
            for item, parent in zip(self.items, self.parents, strict=True)
        ]
