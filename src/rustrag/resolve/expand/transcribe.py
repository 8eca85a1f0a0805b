"""Transcribing an arm: the matched fragments substituted into its transcriber."""

from __future__ import annotations

from rustrag.resolve.expand.matcher import Binding, Bindings, Reps
from rustrag.resolve.expand.rules import Delimited, Element, Fragment, Repeat, Var
from rustrag.resolve.expand.tokens import Group, Token, Tree


class TranscribeError(Exception):
    """A variable used at the wrong repetition depth, or the output grew past its bound."""


class Transcriber:
    def __init__(self, binds: Bindings, max_trees: int) -> None:
        self.binds = binds
        self.left = max_trees

    def run(self, pattern: list[Element]) -> list[Tree]:
        out: list[Tree] = []
        self._emit(pattern, [], out)
        return out

    def _spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise TranscribeError("expansion too large")

    def _emit(self, pattern: list[Element], rounds: list[int], out: list[Tree]) -> None:
        for element in pattern:
            if isinstance(element, Token):
                self._spend(1)
                out.append(element)
            elif isinstance(element, Delimited):
                self._spend(1)
                inner: list[Tree] = []
                self._emit(element.body, rounds, inner)
                out.append(Group(element.delim, inner))
            elif isinstance(element, Var):
                self._variable(element.name, rounds, out)
            elif isinstance(element, Repeat):
                self._repeat(element, rounds, out)
            elif isinstance(element, Fragment):  # `$x:kind` in a transcriber: kept as text
                self._spend(4)
                out.extend(
                    [*_dollar(element.name), Token(b":", "punct"), Token(element.kind, "ident")]
                )

    def _variable(self, name: bytes, rounds: list[int], out: list[Tree]) -> None:
        found = self._lookup(name, rounds)
        if found is None:  # not ours: a nested macro_rules' own `$x`, kept as written
            self._spend(2)
            out.extend(_dollar(name))
            return
        if isinstance(found, Reps):
            raise TranscribeError(f"${name.decode(errors='replace')} is still repeating")
        self._spend(len(found))
        out.extend(found)

    def _lookup(self, name: bytes, rounds: list[int]) -> Binding | None:
        found = self.binds.get(name)
        for index in rounds:
            if not isinstance(found, Reps):
                break
            if index >= len(found.rounds):
                raise TranscribeError("repetitions of different lengths")
            found = found.rounds[index]
        return found

    def _repeat(self, rep: Repeat, rounds: list[int], out: list[Tree]) -> None:
        count: int | None = None
        for name in rep.names:
            found = self._lookup(name, rounds)
            if isinstance(found, Reps):
                count = len(found.rounds) if count is None else min(count, len(found.rounds))
        if count is None:  # repeats nothing of ours: a nested definition's, kept as written
            self._spend(2)
            out.append(Token(b"$", "punct"))
            inner: list[Tree] = []
            self._emit(rep.body, rounds, inner)
            out.append(Group(b"(", inner))
            if rep.separator is not None:
                out.append(rep.separator)
            out.append(Token(rep.op, "punct"))
            return
        for index in range(count):
            if index and rep.separator is not None:
                self._spend(1)
                out.append(rep.separator)
            self._emit(rep.body, [*rounds, index], out)


def _dollar(name: bytes) -> list[Tree]:
    return [Token(b"$", "punct"), Token(name, "ident")]
