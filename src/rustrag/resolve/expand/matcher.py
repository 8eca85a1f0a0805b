"""Matching an invocation's token trees against an arm's matcher.

Deterministic and greedy, never backtracking: a fragment's extent is decided by what may
follow it (Rust's follow-set rules: an `expr` ends before `,` `;` `=>`, a `ty` before
`,` `=` `{` `>` ...), and a repetition takes as many rounds as match. rustc's matcher
explores alternatives in parallel, but the follow-set rules exist precisely so that a
fragment's end is visible without parsing ahead, which makes the greedy reading agree
with it on the macros real crates write. Every step is counted against a budget, so a
hostile invocation costs bounded time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from rustrag.resolve.expand.rules import Delimited, Element, Fragment, Repeat, Var
from rustrag.resolve.expand.tokens import Group, Token, Tree


@dataclass(slots=True)
class Reps:
    """A variable bound inside a repetition: one binding per round."""

    rounds: list[Binding] = field(default_factory=list)


Binding: TypeAlias = "list[Tree] | Reps"
Bindings = dict[bytes, Binding]

_EXPR_STOPS = frozenset({b",", b";", b"=>"})
_TYPE_STOPS = frozenset({b",", b";", b"=>", b"=", b"|", b":", b"as", b"where"})
_PAT_STOPS = frozenset({b",", b"=>", b"=", b"if", b"in"})
_VALUE_MARKS = frozenset({b"=", b"use"})


class OutOfSteps(Exception):
    """The step budget ran out: the invocation is too big or too hostile to expand."""


class Matcher:
    def __init__(self, steps: int) -> None:
        self.steps = steps

    def match(self, pattern: list[Element], trees: list[Tree]) -> Bindings | None:
        """The bindings when `pattern` matches all of `trees`, else None."""
        binds: Bindings = {}
        end = self._seq(pattern, trees, 0, binds)
        return binds if end == len(trees) else None

    def _tick(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise OutOfSteps

    def _seq(
        self, pattern: list[Element], trees: list[Tree], at: int, binds: Bindings
    ) -> int | None:
        for element in pattern:
            self.steps -= 1
            if self.steps < 0:
                raise OutOfSteps
            if isinstance(element, Token):
                tree = trees[at] if at < len(trees) else None
                if not isinstance(tree, Token) or tree.text != element.text:
                    return None
                at += 1
            elif isinstance(element, Delimited):
                tree = trees[at] if at < len(trees) else None
                if not isinstance(tree, Group) or tree.delim != element.delim:
                    return None
                if self._seq(element.body, tree.trees, 0, binds) != len(tree.trees):
                    return None
                at += 1
            elif isinstance(element, Fragment):
                size = self._fragment(element.kind, trees, at)
                if size is None:
                    return None
                binds[element.name] = trees[at : at + size]
                at += size
            elif isinstance(element, Repeat):
                found = self._repeat(element, trees, at, binds)
                if found is None:
                    return None
                at = found
            elif isinstance(element, Var):  # `$x` without a kind in a matcher: no match
                return None
        return at

    def _repeat(self, rep: Repeat, trees: list[Tree], at: int, binds: Bindings) -> int | None:
        if rep.any_tt is not None:
            self.steps -= len(trees) - at
            binds[rep.any_tt] = Reps([[tree] for tree in trees[at:]])
            return len(trees)
        rounds: list[Bindings] = []
        while at <= len(trees):
            start = at
            if rounds and rep.separator is not None:
                tree = trees[at] if at < len(trees) else None
                if not isinstance(tree, Token) or tree.text != rep.separator.text:
                    break
                start += 1
            inner: Bindings = {}
            end = self._seq(rep.body, trees, start, inner)
            if end is None or end == at:
                break
            rounds.append(inner)
            at = end
            if rep.op == b"?":
                break
        if rep.op == b"+" and not rounds:
            return None
        for name in rep.names:
            binds[name] = Reps([r[name] for r in rounds if name in r])
        return at

    def _fragment(self, kind: bytes, trees: list[Tree], at: int) -> int | None:
        """How many trees from `at` the fragment takes; None when it cannot start there."""
        tree = trees[at] if at < len(trees) else None
        if kind == b"vis":
            if isinstance(tree, Token) and tree.text == b"pub":
                nxt = trees[at + 1] if at + 1 < len(trees) else None
                return 2 if isinstance(nxt, Group) and nxt.delim == b"(" else 1
            return 0
        if tree is None:
            return None
        if kind == b"tt":
            return 1
        if kind == b"ident":
            ok = isinstance(tree, Token) and tree.kind == "ident" and tree.text != b"_"
            return 1 if ok else None
        if kind == b"lifetime":
            return 1 if isinstance(tree, Token) and tree.kind == "lifetime" else None
        if kind == b"literal":
            return _literal(trees, at)
        if kind == b"block":
            return 1 if isinstance(tree, Group) and tree.delim == b"{" else None
        if kind == b"item":
            return self.item_extent(trees, at)
        if kind in (b"ty", b"path"):
            return self._until(trees, at, _TYPE_STOPS, angles=True)
        if kind in (b"pat", b"pat_param"):
            return self._until(trees, at, _PAT_STOPS | ({b"|"} if kind == b"pat_param" else set()))
        return self._until(trees, at, _EXPR_STOPS)  # expr, stmt, meta, and unknown kinds

    def _until(
        self, trees: list[Tree], at: int, stops: frozenset[bytes] | set[bytes], angles: bool = False
    ) -> int | None:
        depth = 0
        end = at
        while end < len(trees):
            self._tick()
            tree = trees[end]
            if isinstance(tree, Token):
                text = tree.text
                if angles and text in (b">", b">>", b">=", b">>="):
                    closes = 2 if text.startswith(b">>") else 1
                    if depth < closes:
                        break
                    depth -= closes
                elif angles and text in (b"<", b"<<"):
                    depth += len(text)
                elif depth == 0 and text in stops:
                    break
            elif angles and depth == 0 and end > at and tree.delim in (b"{", b"["):
                break  # `$t:ty {` / `$t:ty [`: the type ended before the group
            end += 1
        return end - at if end > at else None

    def item_extent(self, trees: list[Tree], at: int) -> int | None:
        """An item: attributes, then up to its `;` or its closing `{ .. }` (after `=` in
        a const, static, type or use, up to the `;`)."""
        end = at
        while end + 1 < len(trees) and _is(trees[end], b"#"):
            self._tick()
            step = 2 if _is(trees[end + 1], b"!") else 1
            if end + step < len(trees) and isinstance(trees[end + step], Group):
                end += step + 1
            else:
                break
        head = end
        value = False
        depth = 0
        while end < len(trees):
            self._tick()
            tree = trees[end]
            end += 1
            if isinstance(tree, Group):
                if tree.delim == b"{" and not value and depth == 0:
                    return end - at
                continue
            text = tree.text
            if text == b";" and depth == 0:
                return end - at
            if text == b"<":
                depth += 1
            elif text in (b">", b">>"):
                depth = max(0, depth - len(text))
            elif depth == 0 and text in _VALUE_MARKS:
                value = True  # `= {..}` and `use a::{..}` go on to the `;`
        return end - at if end > head else None


def _is(tree: Tree, text: bytes) -> bool:
    return isinstance(tree, Token) and tree.text == text


def _literal(trees: list[Tree], at: int) -> int | None:
    tree = trees[at]
    if isinstance(tree, Token) and tree.text == b"-" and at + 1 < len(trees):
        nxt = trees[at + 1]
        return 2 if isinstance(nxt, Token) and nxt.kind == "literal" else None
    if isinstance(tree, Token) and (tree.kind == "literal" or tree.text in (b"true", b"false")):
        return 1
    return None
