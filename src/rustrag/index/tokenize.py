"""A code-aware tokenizer for BM25 over Rust items and for the queries that hit them.

`HTTPServer::bind_addr` yields `httpserver`, `http`, `server`, `bind_addr`, `bind`,
`addr`: the whole identifier (lower-cased) is kept beside its parts, so a query that
names the identifier exactly matches a rarer token and outranks items that merely share
a word. It runs over every field of 100k+ items, so identifiers are split once and
remembered (they repeat heavily across a codebase).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Identifiers (ASCII plus any Unicode letter, as Rust allows) and bare numbers; `::`,
# punctuation and whitespace separate them, so paths split into their segments.
_WORD = re.compile(r"[^\W\d][\w]*|\d+")
# Parts of one `_`-free chunk: acronym before a capitalised word (HTTP|Server), capitalised
# or lower words, trailing acronyms, digit runs.
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")

# Light English stop list plus Rust keywords that occur in nearly every signature: they
# rank nothing and their postings are the longest, so dropping them keeps queries fast.
STOP_WORDS: frozenset[str] = frozenset(
    """a an and are as at be been but by can do does for from has have if in into is it
    its of on or so such than that the their then there these this those to was were
    will with which when where while whether you your may must should would also not no
    any all some each other only same more most very just use used using
    pub fn self mut crate let ref dyn""".split()  # noqa: SIM905 (a word list reads better)
)

# One-letter parts of a longer identifier (`u` of `u32`, `x` of `_x`) match too much to help.
MIN_PART_LEN = 2
_IDENTIFIER_CACHE_SIZE = 1 << 18


@lru_cache(maxsize=_IDENTIFIER_CACHE_SIZE)
def identifier_tokens(word: str) -> tuple[str, ...]:
    """The tokens one identifier contributes: its lower-cased whole form, then its parts.

    >>> identifier_tokens("HTTPServer")
    ('httpserver', 'http', 'server')
    """
    whole = word.lower()
    parts: list[str] = []
    for chunk in word.split("_"):
        if not chunk:
            continue
        for part in _PART.findall(chunk):
            lowered = part.lower()
            if len(lowered) >= MIN_PART_LEN and lowered not in STOP_WORDS:
                parts.append(lowered)
    tokens: list[str] = []
    # The whole form is kept even when it is one letter (a path segment `a::b::C` is
    # still a name someone may search for), but a bare stop word (`the`, `self`) is not.
    if whole not in STOP_WORDS:
        tokens.append(whole)
    if len(parts) > 1 or (parts and parts[0] != whole):
        tokens.extend(parts)
    return tuple(tokens)


def identifiers(text: str) -> list[str]:
    """The identifiers and numbers in a text, as written (`a::B` gives `a`, `B`)."""
    return _WORD.findall(text)


def tokenize(text: str) -> list[str]:
    """All tokens of a text (code or English), in order, duplicates kept (BM25 counts
    term frequency)."""
    tokens: list[str] = []
    for word in _WORD.findall(text):
        tokens.extend(identifier_tokens(word))
    return tokens
