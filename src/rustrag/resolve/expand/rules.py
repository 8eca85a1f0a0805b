"""A `macro_rules!` definition read into arms: a matcher pattern and a transcriber each.

Patterns are small trees: literal tokens, delimited groups, `$name:kind` fragments and
`$( .. ) sep op` repetitions. The same shapes (with `$name` variables instead of
fragments) describe transcribers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from rustrag.resolve.expand.tokens import Group, LexError, Token, Tree, lex

_REPEAT_OPS = frozenset({b"*", b"+", b"?"})


@dataclass(frozen=True, slots=True)
class Fragment:
    name: bytes
    kind: bytes  # b"ident", b"expr", b"tt", ...


@dataclass(frozen=True, slots=True)
class Var:
    name: bytes


@dataclass(frozen=True, slots=True)
class Repeat:
    body: list[Element]
    separator: Token | None
    op: bytes  # b"*", b"+" or b"?"
    names: tuple[bytes, ...] = ()  # fragments (matcher) or variables (transcriber) inside
    # `$($x:tt)*`, the commonest repetition, matched without a round per token
    any_tt: bytes | None = None


@dataclass(frozen=True, slots=True)
class Delimited:
    delim: bytes
    body: list[Element]


Element: TypeAlias = Token | Fragment | Var | Repeat | Delimited


@dataclass(frozen=True, slots=True)
class Arm:
    matcher: list[Element]
    transcriber: list[Element]


def read_rules(text: str) -> list[Arm]:
    """The arms of a definition's rules (the text inside its braces); [] when unreadable."""
    try:
        trees = lex(text.encode("utf-8"), origins=False)
    except LexError:
        return []
    arms: list[Arm] = []
    at = 0
    while at + 2 < len(trees):
        matcher, arrow, transcriber = trees[at], trees[at + 1], trees[at + 2]
        if not (
            isinstance(matcher, Group)
            and isinstance(arrow, Token)
            and arrow.text == b"=>"
            and isinstance(transcriber, Group)
        ):
            return arms  # not rule syntax: keep the arms read so far
        arms.append(Arm(_pattern(matcher.trees, True), _pattern(transcriber.trees, False)))
        at += 3
        if at < len(trees) and _is(trees[at], b";"):
            at += 1
    return arms


def _pattern(trees: list[Tree], matcher: bool) -> list[Element]:
    out: list[Element] = []
    at = 0
    while at < len(trees):
        tree = trees[at]
        if isinstance(tree, Group):
            out.append(Delimited(tree.delim, _pattern(tree.trees, matcher)))
            at += 1
            continue
        if tree.text != b"$" or at + 1 >= len(trees):
            out.append(tree)
            at += 1
            continue
        following = trees[at + 1]
        if isinstance(following, Group):
            if following.delim == b"(":
                at = _repeat(trees, at + 2, following, matcher, out)
            else:
                out.append(tree)
                at += 1
            continue
        if following.kind != "ident":
            out.append(tree)
            at += 1
            continue
        if following.text == b"crate":  # a local macro: `$crate` is this crate
            out.append(Token(b"crate", "ident", following.origin))
            at += 2
            continue
        colon = trees[at + 2] if at + 2 < len(trees) else None
        kind = trees[at + 3] if at + 3 < len(trees) else None
        if (
            matcher
            and colon is not None
            and _is(colon, b":")
            and isinstance(kind, Token)
            and kind.kind == "ident"
        ):
            out.append(Fragment(following.text, kind.text))
            at += 4
        else:
            out.append(Var(following.text))
            at += 2
    return out


def _repeat(trees: list[Tree], at: int, body: Group, matcher: bool, out: list[Element]) -> int:
    """Read the `sep op` after `$( .. )`; returns the index after them."""
    separator: Token | None = None
    nxt = trees[at] if at < len(trees) else None
    if isinstance(nxt, Token) and nxt.text not in _REPEAT_OPS:
        separator = nxt
        at += 1
        nxt = trees[at] if at < len(trees) else None
    if isinstance(nxt, Token) and nxt.text in _REPEAT_OPS:
        inner = _pattern(body.trees, matcher)
        only = inner[0] if len(inner) == 1 else None
        any_tt = (
            only.name
            if isinstance(only, Fragment) and only.kind == b"tt" and separator is None
            else None
        )
        names = tuple(dict.fromkeys(_names(inner)))
        out.append(Repeat(inner, separator, nxt.text, names, any_tt if nxt.text == b"*" else None))
        return at + 1
    # `$( .. )` without an operator is no repetition: keep the tokens as they are
    out.append(Token(b"$", "punct"))
    out.append(Delimited(body.delim, _pattern(body.trees, matcher)))
    if separator is not None:
        out.append(separator)
    return at


def _is(tree: Tree, text: bytes) -> bool:
    return isinstance(tree, Token) and tree.text == text


def _names(pattern: list[Element]) -> list[bytes]:
    """Every fragment or variable name in a pattern, nested repetitions included."""
    found: list[bytes] = []
    for element in pattern:
        if isinstance(element, Fragment | Var):
            found.append(element.name)
        elif isinstance(element, Repeat | Delimited):
            found.extend(_names(element.body))
    return found
