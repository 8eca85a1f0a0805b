"""The requirement matcher against cargo's documented semantics and a brute-force model."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rustrag.discover.semver import Version, VersionReq, satisfies

# (requirement, versions that match, versions that do not), from the cargo book's
# "Specifying dependencies" tables.
CASES = [
    ("1.2.3", ["1.2.3", "1.9.0"], ["1.2.2", "2.0.0", "0.9.9"]),
    ("^1.2", ["1.2.0", "1.99.99"], ["1.1.9", "2.0.0"]),
    ("^1", ["1.0.0", "1.5.2"], ["0.9.0", "2.0.0"]),
    ("^0.2.3", ["0.2.3", "0.2.9"], ["0.3.0", "0.2.2"]),
    ("^0.2", ["0.2.0", "0.2.7"], ["0.3.0", "0.1.9"]),
    ("^0.0.3", ["0.0.3"], ["0.0.4", "0.0.2"]),
    ("^0.0", ["0.0.0", "0.0.9"], ["0.1.0"]),
    ("^0", ["0.0.0", "0.9.9"], ["1.0.0"]),
    ("~1.2.3", ["1.2.3", "1.2.9"], ["1.3.0", "1.2.2"]),
    ("~1.2", ["1.2.0", "1.2.9"], ["1.3.0"]),
    ("~1", ["1.0.0", "1.9.0"], ["2.0.0"]),
    ("*", ["0.0.1", "7.3.0"], ["1.0.0-alpha"]),
    ("1.*", ["1.0.0", "1.9.9"], ["2.0.0", "0.9.0"]),
    ("1.2.*", ["1.2.0", "1.2.8"], ["1.3.0"]),
    ("1.x", ["1.4.0"], ["2.0.0"]),
    ("=1.2.3", ["1.2.3"], ["1.2.4"]),
    ("=1.2", ["1.2.0", "1.2.5"], ["1.3.0"]),
    (">= 1.2.0", ["1.2.0", "5.0.0"], ["1.1.9"]),
    (">1.2", ["1.3.0"], ["1.2.9"]),
    ("<1.2", ["1.1.9"], ["1.2.0"]),
    ("<=1.2", ["1.2.9"], ["1.3.0"]),
    (">= 1.2, < 1.5", ["1.2.0", "1.4.9"], ["1.5.0", "1.1.0"]),
    ("1.0.0-alpha.2", ["1.0.0-alpha.2", "1.0.0-beta", "1.0.0", "1.3.0"], ["1.0.0-alpha.1"]),
    ("^1.0", [], ["1.1.0-rc.1"]),  # pre-releases only when asked for by number
    (">=1.0.0-rc.1, <2", ["1.0.0-rc.2", "1.5.0"], ["1.1.0-rc.1", "1.0.0-alpha"]),
]


@pytest.mark.parametrize(("requirement", "good", "bad"), CASES)
def test_cargo_book_requirements(requirement: str, good: list[str], bad: list[str]) -> None:
    req = VersionReq.parse(requirement)
    for version in good:
        assert req.matches(Version.parse(version)), (requirement, version)
    for version in bad:
        assert not req.matches(Version.parse(version)), (requirement, version)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3.4", ">=", "1.*.3", "1.2,", "~1.2-beta"])
def test_bad_requirements_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        VersionReq.parse(text)
    assert not satisfies("1.2.3", text)


def test_version_order_puts_prereleases_first() -> None:
    texts = ["1.0.0", "1.0.0-rc.1", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "0.9.9"]
    ordered = sorted(texts, key=lambda t: Version.parse(t).key())
    expected = ["0.9.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-rc.1"]
    assert ordered == [*expected, "1.0.0"]


versions = st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))


@given(base=versions, candidate=versions)
def test_caret_is_the_documented_range(
    base: tuple[int, int, int], candidate: tuple[int, int, int]
) -> None:
    """^M.m.p allows up to, not including, the next bump of the leftmost non-zero part."""
    major, minor, patch = base
    if major > 0:
        upper = (major + 1, 0, 0)
    elif minor > 0:
        upper = (0, minor + 1, 0)
    else:
        upper = (0, 0, patch + 1)
    expected = base <= candidate < upper
    assert satisfies(".".join(map(str, candidate)), "^" + ".".join(map(str, base))) == expected


@given(base=versions, candidate=versions)
def test_tilde_is_the_documented_range(
    base: tuple[int, int, int], candidate: tuple[int, int, int]
) -> None:
    major, minor, _patch = base
    expected = base <= candidate < (major, minor + 1, 0)
    assert satisfies(".".join(map(str, candidate)), "~" + ".".join(map(str, base))) == expected
