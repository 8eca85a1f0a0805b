"""The code-aware tokenizer and the texts the indexes are fed."""

from __future__ import annotations

import dataclasses

from tokenizers import Tokenizer

from rustrag.index.documents import ItemDocument, embedding_text, lexical_fields
from rustrag.index.embedders import find_minilm_tokenizer
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
    # the visibility is left out: `pub` is never what a query asks about
    assert text.startswith("fn c::f\nfn f(x: u8) -> u8\nFirst paragraph.")
    assert "Second paragraph" not in text
    assert len(text) < 600


def test_embedding_text_stays_within_192_minilm_tokens() -> None:
    # cost is linear in tokens: the caps must hold when every part is long (real prose,
    # a real where clause, real code; clap 4's `Command::try_get_matches_from`). Real
    # items average ~59 tokens; this is the worst case, under the model's 256.
    tokenizer = Tokenizer.from_file(str(find_minilm_tokenizer()))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    prose = (
        "Parse the specified arguments, returning a [`clap::Result`] on failure. "
        "**NOTE:** On an error, the program will not exit; instead the error is returned. "
    )
    code = "let mut raw_args = clap_lex::RawArgs::new(itr.into_iter()); "
    doc = dataclasses.replace(
        _doc(prose * 10, code * 20),
        path="clap::builder::command::Command::try_get_matches_from",
        signature="pub fn try_get_matches_from<I, T>(mut self, itr: I) -> ClapResult<ArgMatches> "
        "where I: IntoIterator<Item = T>, T: Into<OsString> + Clone, " * 4,
    )
    text = embedding_text(doc)
    assert len(tokenizer.encode(text).ids) <= 192
    assert text.startswith("fn clap::builder::command::Command::try_get_matches_from\n")
    assert "\nfn try_get_matches_from<I, T>" in text
    assert "\nParse the specified arguments" in text and "\nlet mut raw_args" in text


def test_impl_text_names_the_trait_and_type_once() -> None:
    doc = dataclasses.replace(
        _doc("", 'fn fmt(&self, f: &mut Formatter) -> Result { write!(f, "o") }'),
        kind="impl",
        name="",
        path="c::shapes::<impl Display for Circle>",
        signature="impl Display for Circle",
    )
    text = embedding_text(doc)
    assert text.startswith("impl c::shapes\nimpl Display for Circle\nfn fmt(")
    assert text.count("Display") == 1


def test_lexical_fields_leave_out_the_body() -> None:
    fields = lexical_fields(_doc("Adds one.", "BODY_ONLY_TOKEN"))
    assert set(fields) == {"name", "path", "signature", "docs"}
    assert "BODY_ONLY_TOKEN" not in " ".join(fields.values())
