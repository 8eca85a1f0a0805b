"""Evaluating `#[cfg(..)]` predicates as the truth build saw them.

rustrag indexes source text regardless of `cfg`, rustdoc documents only what the build
it ran compiled. To compare fairly, items switched off in the truth build (`cfg(test)`,
`cfg(docsrs)`, a feature the build lacked, `cfg(windows)`) are left out of the precision
counts. Evaluation is three-valued: a predicate this module cannot decide (a custom
`--cfg` a build script may set, an unknown key) is `None`, and such items are kept.

A custom flag (`tokio_unstable`, `loom`) is on only when the truth build passed it
(`--cfg` in its rustdoc flags) or the crate's build script emits it. A name the build
script never mentions cannot come from it, so such a flag is decided: off. Only names
the script does mention stay undecided (it may set them depending on the compiler).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# What rustdoc saw on the Linux x86_64 machine the truth is built on. `doc` is set by
# rustdoc itself; `docsrs` only on docs.rs; `test` only for test builds; cargo doc uses
# the dev profile, so debug assertions are on.
_FLAGS: dict[str, bool] = {
    "unix": True,
    "windows": False,
    "test": False,
    "doc": True,
    "docsrs": False,
    "debug_assertions": True,
    "miri": False,
}
_VALUES: dict[str, frozenset[str]] = {
    "target_os": frozenset({"linux"}),
    "target_family": frozenset({"unix"}),
    "target_arch": frozenset({"x86_64"}),
    "target_pointer_width": frozenset({"64"}),
    "target_endian": frozenset({"little"}),
    "target_env": frozenset({"gnu"}),
    "target_vendor": frozenset({"unknown"}),
    "target_has_atomic": frozenset({"8", "16", "32", "64", "ptr"}),
    "panic": frozenset({"unwind"}),
}
_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<sym>[(),=]))'
)

Tri = bool | None


@dataclass(frozen=True, slots=True)
class CfgEnv:
    """The enabled features of one build; everything else comes from the tables above."""

    features: frozenset[str]
    passed: frozenset[str] = frozenset()  # custom flags the build set (`--cfg name`)
    # Words of the build script, any of which it may emit as a flag; None when unknown
    # (then every custom flag is undecided), empty when the crate has no build script.
    build_script_words: frozenset[str] | None = None

    def evaluate(self, predicate: str) -> Tri:
        """True/False when decided, None when the predicate holds something unknown."""
        try:
            tokens = _tokens(predicate)
            value, rest = self._expr(tokens)
        except ValueError:
            return None
        return value if not rest else None

    def all_of(self, predicates: Iterable[str]) -> Tri:
        """The conjunction of several predicates (an item's own cfg and its ancestors')."""
        return _all(self.evaluate(p) for p in predicates)

    def _expr(self, tokens: list[str]) -> tuple[Tri, list[str]]:
        if not tokens:
            raise ValueError("empty predicate")
        head, rest = tokens[0], tokens[1:]
        if head in ("all", "any", "not") and rest[:1] == ["("]:
            values, rest = self._list(rest[1:])
            if head == "not":
                if len(values) != 1:
                    raise ValueError("not() takes one predicate")
                return (None if values[0] is None else not values[0]), rest
            return (_all(values) if head == "all" else _any(values)), rest
        if not head[0].isalpha() and head[0] != "_":
            raise ValueError(f"unexpected {head!r}")
        if rest[:1] == ["="]:
            if len(rest) < 2 or not rest[1].startswith('"'):
                raise ValueError('key = "value" expected')
            return self._key_value(head, rest[1][1:-1]), rest[2:]
        return self._flag(head), rest

    def _flag(self, name: str) -> Tri:
        known = _FLAGS.get(name)
        if known is not None:
            return known
        if name in self.passed:
            return True
        if self.build_script_words is None or name in self.build_script_words:
            return None
        return False

    def _list(self, tokens: list[str]) -> tuple[list[Tri], list[str]]:
        values: list[Tri] = []
        while tokens and tokens[0] != ")":
            value, tokens = self._expr(tokens)
            values.append(value)
            if tokens[:1] == [","]:
                tokens = tokens[1:]
        if not tokens:
            raise ValueError("unclosed list")
        return values, tokens[1:]

    def _key_value(self, key: str, value: str) -> Tri:
        if key == "feature":
            return value in self.features
        known = _VALUES.get(key)
        return None if known is None else value in known


def _all(values: Iterable[Tri]) -> Tri:
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def _any(values: Iterable[Tri]) -> Tri:
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot read cfg at {text[pos:]!r}")
        tokens.append(match.group().strip())
        pos = match.end()
    return [t for t in tokens if t]


def enabled_features(manifest: Path, requested: Iterable[str], default: bool) -> frozenset[str]:
    """The features cargo enables: the requested ones (and `default`), closed over the
    [features] table; optional dependencies named there count as features too."""
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    table: dict[str, list[str]] = {
        str(k): [str(v) for v in vs] for k, vs in data.get("features", {}).items()
    }
    pending = list(requested) + (["default"] if default and "default" in table else [])
    enabled: set[str] = set()
    while pending:
        feature = pending.pop()
        if feature in enabled:
            continue
        enabled.add(feature)
        for needed in table.get(feature, []):
            if needed.startswith("dep:"):
                continue
            name = needed.split("/", 1)[0].removesuffix("?")
            # `dep/feat` turns on the optional dependency `dep` (its implicit feature),
            # `dep?/feat` only forwards a feature if `dep` is already on.
            if "?/" not in needed:
                pending.append(name)
    return frozenset(enabled)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def passed_flags(flags: Iterable[str]) -> frozenset[str]:
    """Bare `--cfg name` flags in a build's rustc/rustdoc arguments (`--cfg x="y"` pairs
    are not flags and are left out)."""
    words = " ".join(flags).split()
    found: set[str] = set()
    for at, word in enumerate(words):
        value = word[len("--cfg=") :] if word.startswith("--cfg=") else None
        if word == "--cfg" and at + 1 < len(words):
            value = words[at + 1]
        if value is not None and _WORD.fullmatch(value):
            found.add(value)
    return frozenset(found)


def build_script_words(manifest: Path) -> frozenset[str] | None:
    """Every identifier in the package's build script (what it could print as
    `cargo:rustc-cfg=`); empty without one, None when it cannot be read."""
    try:
        package = tomllib.loads(manifest.read_text(encoding="utf-8")).get("package", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    declared = package.get("build")
    if declared is False:
        return frozenset()
    script = manifest.parent / (declared if isinstance(declared, str) else "build.rs")
    if not script.is_file():
        return frozenset() if declared is None else None
    try:
        return frozenset(_WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return None
