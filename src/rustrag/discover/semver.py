"""Cargo's flavour of semver: versions, requirements, and whether one satisfies the other.

Follows the rules of the `semver` crate cargo uses: a bare requirement is a caret,
partial versions widen comparators (`=1.2` is `>=1.2.0, <1.3.0`), and a pre-release
version only matches a comparator naming the same major.minor.patch with a pre-release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Op = Literal["^", "~", "=", ">", ">=", "<", "<=", "*"]
_VERSION = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-.]+))?$"
)
_COMPARATOR = re.compile(
    r"^(\^|~|=|>=|<=|>|<)?\s*"
    r"(\d+|[*xX])(?:\.(\d+|[*xX]))?(?:\.(\d+|[*xX]))?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]+)?$"
)
_WILDCARDS = {"*", "x", "X"}

PreKey = tuple[tuple[int, int | str], ...]


def _pre_parts(pre: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in pre.split(".")) if pre else ()


def _pre_key(pre: tuple[int | str, ...]) -> tuple[int, PreKey]:
    """Ordering key: no pre-release sorts above any pre-release; numbers below words."""
    if not pre:
        return (1, ())
    return (0, tuple((0, p) if isinstance(p, int) else (1, p) for p in pre))


@dataclass(frozen=True, slots=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: tuple[int | str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Version:
        found = _VERSION.match(text.strip())
        if found is None:
            raise ValueError(f"not a semver version: {text!r}")
        major, minor, patch, pre, _build = found.groups()
        return cls(int(major), int(minor), int(patch), _pre_parts(pre or ""))

    def key(self) -> tuple[int, int, int, tuple[int, PreKey]]:
        return (self.major, self.minor, self.patch, _pre_key(self.pre))

    def __str__(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        return core + ("-" + ".".join(str(p) for p in self.pre) if self.pre else "")


@dataclass(frozen=True, slots=True)
class Comparator:
    op: Op
    major: int
    minor: int | None
    patch: int | None
    pre: tuple[int | str, ...] = ()

    def matches(self, v: Version) -> bool:
        if self.op == "=" or self.op == "*":
            return self._exact(v)
        if self.op == ">":
            return self._greater(v)
        if self.op == ">=":
            return self._exact(v) or self._greater(v)
        if self.op == "<":
            return self._less(v)
        if self.op == "<=":
            return self._exact(v) or self._less(v)
        if self.op == "~":
            return self._tilde(v)
        return self._caret(v)

    def _exact(self, v: Version) -> bool:
        if v.major != self.major or (self.minor is not None and v.minor != self.minor):
            return False
        if self.patch is None:
            return True
        return v.patch == self.patch and v.pre == self.pre

    def _greater(self, v: Version) -> bool:
        if v.major != self.major:
            return v.major > self.major
        if self.minor is None:
            return False
        if v.minor != self.minor:
            return v.minor > self.minor
        if self.patch is None:
            return False
        if v.patch != self.patch:
            return v.patch > self.patch
        return _pre_key(v.pre) > _pre_key(self.pre)

    def _less(self, v: Version) -> bool:
        if v.major != self.major:
            return v.major < self.major
        if self.minor is None:
            return False
        if v.minor != self.minor:
            return v.minor < self.minor
        if self.patch is None:
            return False
        if v.patch != self.patch:
            return v.patch < self.patch
        return _pre_key(v.pre) < _pre_key(self.pre)

    def _tilde(self, v: Version) -> bool:
        if v.major != self.major or (self.minor is not None and v.minor != self.minor):
            return False
        if self.patch is not None and v.patch != self.patch:
            return v.patch > self.patch
        return _pre_key(v.pre) >= _pre_key(self.pre)

    def _caret(self, v: Version) -> bool:
        if v.major != self.major:
            return False
        if self.minor is None:
            return True
        if self.patch is None:
            return v.minor >= self.minor if self.major > 0 else v.minor == self.minor
        if self.major > 0:
            if v.minor != self.minor:
                return v.minor > self.minor
            if v.patch != self.patch:
                return v.patch > self.patch
        elif self.minor > 0:
            if v.minor != self.minor:
                return False
            if v.patch != self.patch:
                return v.patch > self.patch
        elif v.minor != self.minor or v.patch != self.patch:
            return False
        return _pre_key(v.pre) >= _pre_key(self.pre)

    def allows_pre_of(self, v: Version) -> bool:
        """Whether this comparator opts in to pre-releases of `v`'s exact version."""
        return bool(self.pre) and (self.major, self.minor, self.patch) == (
            v.major,
            v.minor,
            v.patch,
        )


@dataclass(frozen=True, slots=True)
class VersionReq:
    comparators: tuple[Comparator, ...]  # all must match; empty means `*`

    @classmethod
    def parse(cls, text: str) -> VersionReq:
        text = text.strip()
        if text in _WILDCARDS:
            return cls(())
        parts = [p.strip() for p in text.split(",")]
        if not text or any(not p for p in parts):
            raise ValueError(f"not a version requirement: {text!r}")
        return cls(tuple(_comparator(p, text) for p in parts))

    def matches(self, version: Version) -> bool:
        if not all(c.matches(version) for c in self.comparators):
            return False
        return not version.pre or any(c.allows_pre_of(version) for c in self.comparators)


def _comparator(part: str, whole: str) -> Comparator:
    found = _COMPARATOR.match(part)
    if found is None:
        raise ValueError(f"not a version requirement: {whole!r}")
    op_text, major, minor, patch, pre = found.groups()
    if major in _WILDCARDS:
        if op_text not in (None, "="):
            raise ValueError(f"wildcard after an operator in {whole!r}")
        return _any()
    numbers: list[int | None] = [int(major)]
    wildcard = False
    for piece in (minor, patch):
        if piece is None or piece in _WILDCARDS:
            wildcard = wildcard or piece is not None
            numbers.append(None)
        elif numbers[-1] is None:
            raise ValueError(f"number after a wildcard in {whole!r}")
        else:
            numbers.append(int(piece))
    if pre and numbers[2] is None:
        raise ValueError(f"pre-release on a partial version in {whole!r}")
    op: Op = "*" if wildcard else (op_text or "^")  # type: ignore[assignment]
    first = numbers[0]
    assert first is not None
    return Comparator(op, first, numbers[1], numbers[2], _pre_parts(pre or ""))


def _any() -> Comparator:
    # `>=0.0.0` with pre-release opt-out: what a lone `*` inside a list means.
    return Comparator(">=", 0, 0, 0)


def version_order(version: str) -> tuple[int, tuple[int, int, int, tuple[int, PreKey]]]:
    """Sort key for version strings: semver order, anything unparsable first."""
    try:
        return (1, Version.parse(version).key())
    except ValueError:
        return (0, (0, 0, 0, (0, ())))


def satisfies(version: str, requirement: str | None) -> bool:
    """Whether `version` satisfies `requirement` (None means any); False on bad input."""
    try:
        req = "*" if requirement is None else requirement
        return VersionReq.parse(req).matches(Version.parse(version))
    except ValueError:
        return False
