"""Turning source bytes into the display strings stored on items."""

from __future__ import annotations

import re

from tree_sitter import Node

from rustrag.parse.fingerprint import strip_comments

# rustfmt ends multi-line lists with a comma; on one line it reads as noise, but a comma
# written inline is kept because `(u8,)` is a one-tuple.
_MULTILINE_TRAILING_COMMA = re.compile(rb",[ \t\r]*\n\s*(?=[)\]}>])")
_OPEN_SPACE = re.compile(r"([(\[]) ")
_CLOSE_SPACE = re.compile(r" ([)\]])")
_VIS_PAREN = re.compile(r"\s*\(\s*")
_VIS_CLOSE = re.compile(r"\s*\)")
_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F_]+)\}|x([0-9a-fA-F]{2})|\n\s*|(.))", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"'}


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def node_text(data: bytes, node: Node) -> str:
    return decode(data[node.start_byte : node.end_byte])


def squash(raw: bytes) -> str:
    """Source bytes as one line: comments gone, whitespace runs made single spaces."""
    if b"//" in raw or b"/*" in raw:
        raw = strip_comments(raw)
    if b"\n" in raw:
        raw = _MULTILINE_TRAILING_COMMA.sub(b"", raw)
    text = " ".join(decode(raw).split())
    if "( " in text or "[ " in text:
        text = _OPEN_SPACE.sub(r"\1", text)
    if " )" in text or " ]" in text:
        text = _CLOSE_SPACE.sub(r"\1", text)
    return text


def squash_node(data: bytes, node: Node | None) -> str:
    if node is None:
        return ""
    return squash(data[node.start_byte : node.end_byte])


def squash_span(data: bytes, start: int, end: int, cuts: list[Node]) -> str:
    """Text of [start, end) without the byte ranges of `cuts` (error nodes, comments)."""
    if not cuts:
        return _declaration_end(squash(data[start:end]))
    pieces: list[bytes] = []
    pos = start
    for cut in cuts:
        if cut.start_byte >= end or cut.end_byte <= pos:
            continue
        pieces.append(data[pos : cut.start_byte])
        pieces.append(b" ")
        pos = cut.end_byte
    pieces.append(data[pos:end])
    return _declaration_end(squash(b"".join(pieces)))


def _declaration_end(text: str) -> str:
    """Drop the `;` ending an item and the `,` a multi-line where clause ends with."""
    return text.rstrip(";").rstrip().rstrip(",")


def visibility_text(data: bytes, node: Node | None) -> str:
    """`pub ( crate )` -> `pub(crate)`; `pub(in a::b)` keeps the space after `in`."""
    if node is None:
        return ""
    text = " ".join(node_text(data, node).split())
    if "(" in text:
        text = _VIS_CLOSE.sub(")", _VIS_PAREN.sub("(", text))
    return text


def strip_generics(path: str) -> str:
    """`io::Result<T>` -> `io::Result`, `Vec::<u8>::new` -> `Vec::new`; spaces dropped."""
    if "<" not in path:
        return "".join(path.split())
    out: list[str] = []
    depth = 0
    previous = ""
    for char in path:
        if char == "<":
            depth += 1
        elif char == ">" and previous != "-" and depth:
            depth -= 1
        elif depth == 0 and not char.isspace():
            out.append(char)
        previous = char
    return "".join(out).replace("::::", "::").removesuffix("::")


def string_literal_value(data: bytes, node: Node) -> str | None:
    """The value of a string or raw string literal node, escapes decoded; None otherwise."""
    kind = node.type
    raw = node_text(data, node)
    if kind == "raw_string_literal":
        body = raw.lstrip("bcr")
        hashes = len(body) - len(body.lstrip("#"))
        return body[hashes + 1 : len(body) - hashes - 1]
    if kind == "string_literal":
        body = raw.lstrip("bc")[1:-1]
        return unescape(body)
    return None


def unescape(body: str) -> str:
    """Decode the escapes of a Rust string literal's body."""
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def _unescape(match: re.Match[str]) -> str:
    unicode_hex, byte_hex, simple = match.groups()
    if unicode_hex is not None:
        code = int(unicode_hex.replace("_", ""), 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"
    if byte_hex is not None:
        return chr(int(byte_hex, 16))
    if simple is not None:
        return _SIMPLE_ESCAPES.get(simple, simple)
    return ""  # a backslash-newline continuation swallows the line break and indentation


def end_line(node: Node) -> int:
    """1-based last line of `node`; a node ending just after a newline ends on that line."""
    row, column = node.end_point
    return row if column == 0 and row > node.start_point[0] else row + 1
