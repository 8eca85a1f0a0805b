"""Item text read back from the sources: attributes and docs are cut off the code."""

from __future__ import annotations

from pathlib import Path

from rustrag.retrieve.source import SourceReader, body_excerpt, code_lines

CLAP3 = Path("/usr/share/cargo/registry/clap-3.2.23")
ARG_MATCHES = "src/parser/matches/arg_matches.rs"


def _item_lines(reader: SourceReader, signature: str) -> list[str]:
    """The lines of the method whose signature starts with `signature`: from the end of
    the method before it (docs and attributes included) to its own closing brace."""
    lines = reader.lines(str(CLAP3), ARG_MATCHES)
    at = next(i for i, line in enumerate(lines) if line.strip().startswith(signature))
    start = max(i for i in range(at) if lines[i] == "    }") + 1
    end = next(i for i in range(at, len(lines)) if lines[i] == "    }")
    return lines[start : end + 1]


def test_a_multi_line_attribute_with_a_multi_line_string_is_not_code() -> None:
    # clap 3's `value_of` carries `#[cfg_attr(feature = "deprecated", deprecated(since =
    # .., note = "..<newline>..<newline>"))]` over ten lines before its signature
    item = _item_lines(SourceReader(), "pub fn value_of<T: Key>")
    assert any("deprecated(" in line for line in item)
    code = code_lines(item)
    assert code[0].strip().startswith("pub fn value_of<T: Key>(&self, id: T)")
    assert body_excerpt(item, 200).startswith("let id = Id::from(id);")


def test_one_line_attributes_and_docs_are_cut_as_before() -> None:
    lines = [
        "/// Docs with a ] bracket.",
        '#[doc = "a [link] and a \\" quote"]',
        "#[inline]",
        "pub fn f() -> u8 {",
        "    1",
        "}",
    ]
    assert code_lines(lines) == lines[3:]
    assert body_excerpt(lines, 80) == "1 }"
