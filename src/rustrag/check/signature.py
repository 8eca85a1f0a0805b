"""Reading parameter counts and return types out of a fn signature's text.

The index keeps signatures as written (`pub fn arg(mut self, a: impl Into<Arg>) -> Self`);
the two facts check needs are recovered here with bracket counting, not a Rust parser.
"""

from __future__ import annotations

import re

_OPEN = {"(": ")", "<": ">", "[": "]", "{": "}"}
_CLOSE = frozenset(_OPEN.values())
_SELF_PARAM = re.compile(r"^(&\s*('\w+\s+)?)?(mut\s+)?self\b")
_FN_NAME = re.compile(r"\bfn\s+\w+\s*")


def _skip_group(text: str, start: int) -> int:
    """Index just past the bracket group opening at `start`."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == ">" and i > 0 and text[i - 1] == "-":  # `->` inside `Fn(A) -> B`
            i += 1
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _params_span(signature: str) -> tuple[int, int] | None:
    match = _FN_NAME.search(signature)
    if match is None:
        return None
    i = match.end()
    if i < len(signature) and signature[i] == "<":
        i = _skip_group(signature, i)
    while i < len(signature) and signature[i].isspace():
        i += 1
    if i >= len(signature) or signature[i] != "(":
        return None
    return i, _skip_group(signature, i)


def split_top_level(text: str) -> list[str]:
    """Split on commas outside any bracket pair."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for i, ch in enumerate(text):
        if ch == ">" and i > 0 and text[i - 1] == "-":
            current.append(ch)
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    tail = "".join(current).strip()
    if tail:
        parts.append(tail)
    return [p for p in parts if p]


def param_counts(signature: str) -> tuple[int, bool] | None:
    """(arguments a caller passes, takes self) or None when the text is not a fn."""
    span = _params_span(signature)
    if span is None:
        return None
    params = split_top_level(signature[span[0] + 1 : span[1] - 1])
    params = [p for p in params if not p.startswith("#")]  # attributes on params
    takes_self = bool(params) and _SELF_PARAM.match(params[0]) is not None
    return len(params) - (1 if takes_self else 0), takes_self


def return_type(signature: str) -> str | None:
    """The text after `->`, without a where clause; None for `()`."""
    span = _params_span(signature)
    if span is None:
        return None
    rest = signature[span[1] :].strip()
    if not rest.startswith("->"):
        return None
    rest = rest[2:].strip()
    where = re.search(r"\swhere\s", " " + rest)
    if where is not None:
        rest = (" " + rest)[: where.start()].strip()
    return rest or None


def bare_type_name(type_text: str) -> str | None:
    """`&mut Self` -> Self, `Command<'a>` -> Command, `ArgMatches` -> ArgMatches.

    Anything else (generic containers, tuples, `impl Trait`, paths) gives None: check
    only follows receivers it can name with certainty.
    """
    text = type_text.strip()
    text = re.sub(r"^&\s*('\w+\s+)?(mut\s+)?", "", text)
    text = re.sub(r"<\s*'\w+(\s*,\s*'\w+)*\s*>$", "", text)  # lifetime-only generics
    return text if re.fullmatch(r"[A-Z]\w*", text) else None
