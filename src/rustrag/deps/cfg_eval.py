"""Evaluating `#[cfg(..)]` predicates over a crate's enabled features.

Three answers: a predicate that only depends on features is decided; anything about the
target, `test`, `debug_assertions` or an unknown key is "undecidable" for a static index
(Kleene logic: `all(feature = "x", unix)` with "x" disabled is still "disabled").
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

CfgStatus = Literal["enabled", "disabled", "undecidable"]

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)|(?P<p>[(),=]))'
)


class CfgSyntaxError(ValueError):
    pass


def evaluate_cfg(predicate: str, features: Collection[str]) -> CfgStatus:
    """The status of a cfg predicate text (several joined with " && " are all required).
    Text that does not parse is "undecidable", never an exception."""
    parts = [p for p in predicate.split(" && ") if p.strip()]
    try:
        return _all([_Parser(p, features).parse() for p in parts])
    except CfgSyntaxError:
        return "undecidable"


def _all(values: list[CfgStatus]) -> CfgStatus:
    if "disabled" in values:
        return "disabled"
    return "undecidable" if "undecidable" in values else "enabled"


def _any(values: list[CfgStatus]) -> CfgStatus:
    if "enabled" in values:
        return "enabled"
    return "undecidable" if "undecidable" in values else "disabled"


def _not(value: CfgStatus) -> CfgStatus:
    return {"enabled": "disabled", "disabled": "enabled"}.get(value, "undecidable")  # type: ignore[return-value]


class _Parser:
    def __init__(self, text: str, features: Collection[str]) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0
        self.features = features

    def parse(self) -> CfgStatus:
        value = self._predicate()
        if self.pos != len(self.tokens):
            raise CfgSyntaxError("trailing tokens")
        return value

    def _next(self) -> str:
        if self.pos >= len(self.tokens):
            raise CfgSyntaxError("unexpected end")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _predicate(self) -> CfgStatus:
        name = self._next()
        if not (name[0].isalpha() or name[0] == "_"):
            raise CfgSyntaxError(f"expected a name, got {name}")
        if self._peek() == "(":
            self._next()
            args = self._list()
            if name == "all":
                return _all(args)
            if name == "any":
                return _any(args)
            if name == "not" and len(args) == 1:
                return _not(args[0])
            return "undecidable"  # an unknown predicate function
        if self._peek() == "=":
            self._next()
            value = self._next()
            if not value.startswith('"'):
                raise CfgSyntaxError("expected a string")
            if name == "feature":
                return "enabled" if value[1:-1] in self.features else "disabled"
        return "undecidable"  # unix, test, target_os = "..", ...

    def _list(self) -> list[CfgStatus]:
        values: list[CfgStatus] = []
        while self._peek() != ")":
            values.append(self._predicate())
            if self._peek() == ",":
                self._next()
            elif self._peek() != ")":
                raise CfgSyntaxError("expected , or )")
        self._next()
        return values


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None or found.end() == pos:
            if text[pos:].strip() == "":
                break
            raise CfgSyntaxError(f"bad character at {pos}")
        tokens.append(found.group().strip())
        pos = found.end()
    return tokens
