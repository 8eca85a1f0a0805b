"""`parse_bytes`: one file's bytes to a `ParsedFile`, never raising on bad input."""

from __future__ import annotations

import blake3

from rustrag.limits import MAX_ITEM_NESTING, MAX_USE_TREE_DEPTH
from rustrag.model import Attrs, ParsedFile, Problem
from rustrag.parse.attrs import apply_attribute
from rustrag.parse.builder import Scope
from rustrag.parse.docs import unindent
from rustrag.parse.grammar import file_parser
from rustrag.parse.items import Extractor, Inner
from rustrag.parse.syntax import syntax_problems
from rustrag.parse.text import squash_node

_BOM = b"\xef\xbb\xbf"


def parse_bytes(data: bytes, abs_path: str, rel_path: str, *, mtime_ns: int = 0) -> ParsedFile:
    """Parse the bytes of one Rust file into items, problems and file-level docs."""
    parsed = ParsedFile(
        path=abs_path,
        rel_path=rel_path,
        size=len(data),
        mtime_ns=mtime_ns,
        blake3=blake3.blake3(data).hexdigest(),
        lines=count_lines(data),
    )
    decoding = _decoding_problem(data, abs_path)
    if decoding is not None:
        parsed.problems.append(decoding)
    # Blanking the byte-order mark keeps every offset the same as on disk.
    source = b"   " + data[3:] if data.startswith(_BOM) else data
    extractor = Extractor(source)
    inner = Inner()
    try:
        tree = file_parser().parse(source)
        extractor.read_tree(tree.root_node, Scope(None, "file"), inner)
        parsed.problems.extend(syntax_problems(abs_path, source, tree.root_node))
    except Exception as error:  # a parser bug must cost one file, not the whole index
        reason = f"internal error while parsing, items may be missing: {error!r}"
        parsed.problems.append(Problem(abs_path, 0, reason, "error"))
    if extractor.too_deep:
        reason = (
            f"items nested more than {MAX_ITEM_NESTING} levels deep; "
            f"the deeper items ({len(extractor.too_deep)} containers) were skipped"
        )
        parsed.problems.append(Problem(abs_path, extractor.too_deep[0], reason))
    if extractor.builder.too_deep:
        reason = (
            f"`use` tree or trait bounds nested more than {MAX_USE_TREE_DEPTH} levels deep; "
            "the deeper names were skipped"
        )
        parsed.problems.append(Problem(abs_path, min(extractor.builder.too_deep), reason))
    parsed.items = extractor.builder.items
    parsed.macro_uses = extractor.macro_uses
    parsed.macro_calls = extractor.macro_calls
    parsed.macro_rules = extractor.macro_rules
    _fill_inner(parsed, source, inner)
    return parsed


def count_lines(data: bytes) -> int:
    """Lines as an editor shows them: a final line without a newline still counts."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _decoding_problem(data: bytes, path: str) -> Problem | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        reason = (
            f"file is not valid UTF-8 (first bad byte at offset {error.start}); "
            "invalid bytes were replaced with U+FFFD"
        )
        return Problem(path, line, reason)
    return None


def _fill_inner(parsed: ParsedFile, data: bytes, inner: Inner) -> None:
    """File-level `//!` docs and `#![..]` attributes; `#![doc = ".."]` counts as docs."""
    lines = list(inner.doc_lines)
    file_attrs = Attrs()  # parse keeps inner attributes as text; only their docs matter here
    cfgs: list[str] = []
    for attribute_item in inner.attributes:
        for attribute in attribute_item.named_children:
            if attribute.type == "attribute":
                parsed.inner_attrs.append(squash_node(data, attribute))
                apply_attribute(data, attribute, file_attrs, lines, cfgs)
    parsed.inner_docs = unindent(lines) if lines else ""
