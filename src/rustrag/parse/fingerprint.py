"""Item fingerprints: a hash of the Rust tokens, blind to layout and ordinary comments.

A regex lexer is used instead of the tree-sitter leaves because walking every leaf in
Python costs about as much as parsing the file, while one `findall` runs in C. The lexer
only has to agree with itself: the same source, however it is laid out, must yield the
same token list, and a change a user can see (code, doc text) must change it.
"""

from __future__ import annotations

import re

import blake3

# Non-doc comments are matched so that they are skipped; they produce an empty group.
_LINE_COMMENT = rb"////[^\n]*|//(?![/!])[^\n]*"
_BLOCK_COMMENT = rb"/\*(?![*!])(?:[^*]|\*(?!/))*\*/|/\*\*/|/\*\*\*(?:[^*]|\*(?!/))*\*/"

_RAW_STRING = (
    rb"[bc]?r(?:\"[^\"]*\""
    rb"|\#\"(?s:.*?)\"\#"
    rb"|\#\#\"(?s:.*?)\"\#\#"
    rb"|\#\#\#\"(?s:.*?)\"\#\#\#"
    rb"|\#\#\#\#\"(?s:.*?)\"\#\#\#\#)"
)
_STRING = rb"[bc]?\"(?:[^\"\\]|\\(?s:.))*\""
# A char literal must be tried before a lifetime: `'a'` is a char, `'a` a lifetime.
_CHAR = (
    rb"b?'(?:[^'\\\n\x80-\xff]|[\xc0-\xff][\x80-\xbf]+"
    rb"|\\(?:u\{[0-9a-fA-F_]*\}|x[0-9a-fA-F]{2}|.))'"
)
_LIFETIME = rb"'(?:r\#)?[A-Za-z_][A-Za-z0-9_]*"
# Doc comments are content: trailing blanks are layout, so they stay out of the token.
_DOC_LINE = rb"//[/!][^\n]*?(?=[ \t\r]*(?:\n|\Z))"
_DOC_BLOCK = rb"/\*[*!](?:[^*]|\*(?!/))*\*/"
_IDENT = rb"[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*"
_NUMBER = rb"[0-9][0-9A-Za-z_]*(?:\.[0-9][0-9A-Za-z_]*)?"

_TOKEN_ALTERNATIVES = b"|".join(
    (_RAW_STRING, _STRING, _CHAR, _LIFETIME, _DOC_LINE, _DOC_BLOCK, _IDENT, _NUMBER, rb"\S")
)
# Whitespace is never matched, so findall skips it for free.
_TOKENS = re.compile(
    b"(?:" + _LINE_COMMENT + b"|" + _BLOCK_COMMENT + b")|(" + _TOKEN_ALTERNATIVES + b")"
)
# A `/*` inside a block comment means nesting, which the regex above cannot follow.
_MAYBE_NESTED = re.compile(rb"/\*(?:[^*/]|\*(?!/)|/(?!\*))*/\*")
_SPACES = re.compile(rb"\s+")
_SEPARATOR = b"\x00"

_COMMENT_OR_LITERAL = re.compile(
    b"(" + _RAW_STRING + b"|" + _STRING + b"|" + _CHAR + b")"
    b"|" + _LINE_COMMENT + b"|" + _BLOCK_COMMENT + b"|" + _DOC_LINE + b"|" + _DOC_BLOCK
)


def tokens(src: bytes) -> list[bytes]:
    """The normalised tokens of `src`: no whitespace, no ordinary comments."""
    if b"/*" in src and _MAYBE_NESTED.search(src):
        return _tokens_nested(src)
    found: list[bytes] = [t for t in _TOKENS.findall(src) if t]
    if b"/**" in src or b"/*!" in src:
        # Block doc text is re-indented by formatters; only its words are content.
        found = [_SPACES.sub(b" ", t) if t[:2] == b"/*" else t for t in found]
    return found


def fingerprint_tokens(src: bytes) -> str:
    """blake3 hex digest of the normalised token stream of `src`."""
    return blake3.blake3(_SEPARATOR.join(tokens(src))).hexdigest()


def strip_comments(src: bytes) -> bytes:
    """`src` with every comment (doc or not) replaced by a space; literals untouched."""
    return _COMMENT_OR_LITERAL.sub(_keep_literal, src)


def _keep_literal(match: re.Match[bytes]) -> bytes:
    literal = match.group(1)
    return literal if literal is not None else b" "


def _tokens_nested(src: bytes) -> list[bytes]:
    """Slow path for sources with nested block comments: lex one token at a time."""
    found: list[bytes] = []
    pos = 0
    end = len(src)
    while pos < end:
        if src[pos : pos + 1].isspace():
            pos += 1
            continue
        if src.startswith(b"/*", pos):
            close = _nested_comment_end(src, pos)
            text = src[pos:close]
            if _is_doc_block(text):
                found.append(_SPACES.sub(b" ", text))
            pos = close
            continue
        match = _TOKENS.match(src, pos)
        if match is None:  # unreachable: `\S` matches any non-space byte
            pos += 1
            continue
        if match.group(1):
            found.append(match.group(1))
        pos = match.end()
    return found


def _nested_comment_end(src: bytes, start: int) -> int:
    depth = 0
    pos = start
    end = len(src)
    while pos < end:
        if src.startswith(b"/*", pos):
            depth += 1
            pos += 2
        elif src.startswith(b"*/", pos):
            depth -= 1
            pos += 2
            if depth == 0:
                return pos
        else:
            pos += 1
    return end


def _is_doc_block(text: bytes) -> bool:
    if text.startswith(b"/*!"):
        return True
    return text.startswith(b"/**") and not text.startswith((b"/***", b"/**/"))
