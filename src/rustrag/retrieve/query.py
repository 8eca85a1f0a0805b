"""What a query is: a question, an identifier, a path, or pasted code.

Code is read for its identifiers and paths (`Command::new("x").arg(Arg::new("v"))`
asks about `Command`, `Command::new`, `Arg`, `Arg::new`, `arg`); English goes to BM25 as
it is. Identifiers and paths also get an exact lookup by name, which ranks first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

QueryKind = Literal["identifier", "path", "code", "question"]

_PATH = re.compile(r"(?:::)?[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_METHOD_CALL = re.compile(r"\.\s*([a-z_][a-z0-9_]*)\s*(?:::<[^>]*>)?\s*\(")
_CODE_MARKS = re.compile(r"[;{}=]|=>|->|\blet\b|\bfn\b|\bimpl\b|\buse\b|\.\w+\(|::<|&mut\b")
_ONE_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*!?$")

# Words of Rust itself and of std's prelude: they say nothing about which API is meant.
_NOISE = frozenset(
    """as async await break const continue crate dyn else enum extern false fn for if impl
    in let loop match mod move mut pub ref return self Self static struct super trait true
    type unsafe use where while Some None Ok Err Box Vec String Option Result str usize u8
    u16 u32 u64 i32 i64 f32 f64 bool char main new unwrap expect clone to_string into
    println format vec assert assert_eq""".split()  # noqa: SIM905 (a word list reads better)
)


@dataclass(slots=True)
class QueryAnalysis:
    text: str  # as given
    kind: QueryKind
    lexical_text: str  # what BM25 reads
    exact: list[str] = field(default_factory=list)  # names and paths to look up exactly


def analyse(query: str) -> QueryAnalysis:
    text = query.strip()
    if _ONE_TOKEN.match(text):
        return QueryAnalysis(text, "identifier", text, [text.removesuffix("!")])
    if " " not in text and _PATH.fullmatch(text):
        return QueryAnalysis(text, "path", text.replace("::", " "), [text.removeprefix("::")])
    if "\n" in text or _CODE_MARKS.search(text):
        return _code(text)
    return QueryAnalysis(text, "question", text, [])


def _code(text: str) -> QueryAnalysis:
    text = _strip_strings_and_comments(text)
    paths = [p.removeprefix("::") for p in _PATH.findall(text)]
    names = [n for n in _IDENT.findall(text) if n not in _NOISE]
    methods = [m for m in _METHOD_CALL.findall(text) if m not in _NOISE]
    # Type-like names (CamelCase) and written paths identify the API; lower-case names
    # (locals, fields) only join the lexical text.
    exact = list(dict.fromkeys([*paths, *(n for n in names if n[0].isupper()), *methods]))
    lexical = " ".join(dict.fromkeys([*paths, *names]))
    return QueryAnalysis(text, "code", lexical, [e for e in exact if e not in _NOISE])


_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
_LINE_COMMENT = re.compile(r"//[^\n]*")


def _strip_strings_and_comments(text: str) -> str:
    return _LINE_COMMENT.sub(" ", _STRING.sub('""', text))
