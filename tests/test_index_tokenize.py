"""The code-aware tokenizer and the texts the indexes are fed."""

from __future__ import annotations

from rustrag.index.documents import ItemDocument, embedding_text, lexical_fields
from rustrag.index.tokenize import identifier_tokens, tokenize


def test_acronym_then_word_splits_and_keeps_whole() -> None:
    assert identifier_tokens("HTTPServer") == ("httpserver", "http", "server")


def test_snake_case_keeps_whole_identifier_first() -> None:
    assert tokenize("bind_addr") == ["bind_addr", "bind", "addr"]


def test_paths_split_on_double_colon() -> None:
    assert tokenize("std::io::BufReader") == ["std", "io", "bufreader", "buf", "reader"]


def test_digits_are_separate_parts() -> None:
    assert tokenize("parse_u32 Vec3") == ["parse_u32", "parse", "32", "vec3", "vec"]


def test_trailing_acronym_and_mixed_case() -> None:
    assert tokenize("getHTTPResponseCode IOError") == [
        "gethttpresponsecode",
        "get",
        "http",
        "response",
        "code",
        "ioerror",
        "io",
        "error",
    ]


def test_english_stop_words_dropped_but_identifiers_kept() -> None:
    assert tokenize("Returns the value of this is_empty flag") == [
        "returns",
        "value",
        "is_empty",
        "empty",
        "flag",
    ]


def test_one_word_identifier_is_not_duplicated() -> None:
    assert tokenize("Command") == ["command"]


def test_single_letter_segment_kept_as_whole_identifier() -> None:
    assert tokenize("foo::T") == ["foo", "t"]


def _doc(docs: str, body: str) -> ItemDocument:
    return ItemDocument(
        item_id="c@1|c::f|fn",
        crate_id="c@1",
        kind="fn",
        name="f",
        path="c::f",
        signature="pub fn f(x: u8) -> u8",
        docs=docs,
        body_excerpt=body,
        fingerprint="ab",
    )


def test_embedding_text_is_bounded_and_leads_with_path_and_signature() -> None:
    text = embedding_text(_doc("First paragraph. " * 100 + "\n\nSecond paragraph.", "x;" * 500))
    assert text.startswith("fn c::f\npub fn f(x: u8) -> u8\nFirst paragraph.")
    assert "Second paragraph" not in text
    assert len(text) < 800


def test_lexical_fields_leave_out_the_body() -> None:
    fields = lexical_fields(_doc("Adds one.", "BODY_ONLY_TOKEN"))
    assert set(fields) == {"name", "path", "signature", "docs"}
    assert "BODY_ONLY_TOKEN" not in " ".join(fields.values())
