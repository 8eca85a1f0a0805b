"""BM25 over real item documents from clap's source: ranking, updates, snapshots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index_corpus import CLAP_SRC, crate_documents
from rustrag.index.documents import ItemDocument
from rustrag.index.lexical import LexicalIndex
from rustrag.index.snapshot import SnapshotCorrupt, SnapshotError, SnapshotMissing

pytestmark = pytest.mark.skipif(not CLAP_SRC.is_dir(), reason="needs Debian's clap 4.0.32")


@pytest.fixture(scope="module")
def clap_docs() -> list[ItemDocument]:
    docs = crate_documents(CLAP_SRC, "clap@4.0.32")
    assert len(docs) > 500
    return docs


@pytest.fixture(scope="module")
def clap_index(clap_docs: list[ItemDocument]) -> LexicalIndex:
    return LexicalIndex.build(clap_docs)


def top_paths(index: LexicalIndex, query: str, k: int = 5) -> list[str]:
    return [index.ids[row].split("|")[1] for row, _ in index.search(query, k)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ArgMatches", "clap::parser::matches::arg_matches::ArgMatches"),
        ("Arg", "clap::builder::arg::Arg"),
        ("ArgAction", "clap::builder::action::ArgAction"),
        ("get_one", "clap::parser::matches::arg_matches::get_one"),
        ("HelpTemplate", "clap::output::help_template::HelpTemplate"),
    ],
)
def test_exact_identifier_ranks_first(clap_index: LexicalIndex, query: str, expected: str) -> None:
    assert top_paths(clap_index, query)[0] == expected


def test_every_named_struct_is_found_first_by_its_name(
    clap_docs: list[ItemDocument], clap_index: LexicalIndex
) -> None:
    """Across all structs whose name is unique in the crate: querying the name returns it."""
    names = [d.name for d in clap_docs]
    structs = [d for d in clap_docs if d.kind == "struct" and names.count(d.name) == 1]
    assert len(structs) > 20
    misses = [
        d.name for d in structs if clap_index.ids[clap_index.search(d.name, 1)[0][0]] != d.item_id
    ]
    assert misses == []


def test_words_from_docs_find_the_documented_item(clap_index: LexicalIndex) -> None:
    top = top_paths(clap_index, "subcommand required else help", 3)
    assert "clap::builder::command::arg_required_else_help" in top


def test_results_are_sorted_and_bounded(clap_index: LexicalIndex) -> None:
    hits = clap_index.search("parse value", 7)
    assert len(hits) == 7
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    assert clap_index.search("zzqqxx_yyqqzz", 5) == []


def test_allowed_restricts_to_given_rows(clap_index: LexicalIndex) -> None:
    unrestricted = clap_index.search("Arg", 10)
    allowed_rows = np.array([row for row, _ in unrestricted[3:]], dtype=np.int64)
    restricted = clap_index.search("Arg", 10, allowed=allowed_rows)
    assert [row for row, _ in restricted] == [row for row, _ in unrestricted[3:]]
    mask = np.zeros(len(clap_index.ids), dtype=np.bool_)
    mask[allowed_rows] = True
    assert clap_index.search("Arg", 10, allowed=mask) == restricted


def test_add_and_remove_match_a_fresh_build(clap_docs: list[ItemDocument]) -> None:
    """Incremental updates must score exactly like building from the final set."""
    first, second = clap_docs[: len(clap_docs) // 2], clap_docs[len(clap_docs) // 2 :]
    index = LexicalIndex.build(first)
    index.add(second[:100])
    index.add(second[100:])
    gone = [d.item_id for d in clap_docs[::7]]
    assert index.remove(gone) == len(gone)
    gone_set = set(gone)
    fresh = LexicalIndex.build(d for d in clap_docs if d.item_id not in gone_set)
    for query in ["ArgMatches", "value parser", "Command", "help template render"]:
        got = [(index.ids[r], round(s, 4)) for r, s in index.search(query, 10)]
        want = [(fresh.ids[r], round(s, 4)) for r, s in fresh.search(query, 10)]
        assert got == want
    remap = index.compact()
    assert len(index.ids) == len(fresh.ids) and int((remap >= 0).sum()) == len(fresh.ids)
    assert [index.ids[r] for r, _ in index.search("Command", 10)] == [
        fresh.ids[r] for r, _ in fresh.search("Command", 10)
    ]


def test_re_adding_an_id_replaces_it(clap_docs: list[ItemDocument]) -> None:
    index = LexicalIndex.build(clap_docs[:50])
    old = clap_docs[0]
    renamed = ItemDocument(
        item_id=old.item_id,
        crate_id=old.crate_id,
        kind=old.kind,
        name="Zebrafish",
        path="clap::Zebrafish",
        signature="pub struct Zebrafish",
        docs="",
        body_excerpt="",
        fingerprint="new",
    )
    index.add([renamed])
    assert index.live_count == 50
    hits = index.search("Zebrafish", 5)
    assert [index.ids[r] for r, _ in hits] == [old.item_id]
    assert not any(
        index.ids[r] == old.item_id for r, _ in index.search(old.name, 50) if r != hits[0][0]
    )


def test_snapshot_round_trip(tmp_path: Path, clap_docs: list[ItemDocument]) -> None:
    index = LexicalIndex.build(clap_docs[:400])
    index.add(clap_docs[400:])
    index.remove([clap_docs[3].item_id])
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    for query in ["ArgMatches", "default value if", "Command"]:
        assert loaded.search(query, 10) == index.search(query, 10)
    assert list(loaded.ids) == list(index.ids)
    # A loaded (memory-mapped) index still takes updates.
    loaded.remove([clap_docs[10].item_id])
    loaded.add([clap_docs[3]])
    assert loaded.live_count == len(clap_docs) - 1


def test_damaged_snapshot_is_detected(tmp_path: Path, clap_docs: list[ItemDocument]) -> None:
    folder = tmp_path / "bm25"
    LexicalIndex.build(clap_docs).save(folder)
    postings = next(folder.glob("s0_freqs.*.npy"))
    data = bytearray(postings.read_bytes())
    data[-3] ^= 0xFF  # one flipped byte in the frequencies
    postings.write_bytes(bytes(data))
    with pytest.raises(SnapshotCorrupt):
        LexicalIndex.load(folder)


def test_truncated_and_missing_snapshots_are_detected(
    tmp_path: Path, clap_docs: list[ItemDocument]
) -> None:
    with pytest.raises(SnapshotMissing):
        LexicalIndex.load(tmp_path / "nothing")
    folder = tmp_path / "bm25"
    LexicalIndex.build(clap_docs).save(folder)
    rows = next(folder.glob("s0_rows.*.npy"))
    rows.write_bytes(rows.read_bytes()[:100])
    with pytest.raises(SnapshotError):
        LexicalIndex.load(folder, verify=False)  # shape check, even without checksums
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(SnapshotCorrupt):
        LexicalIndex.load(folder)


def test_second_save_writes_only_what_changed(
    tmp_path: Path, clap_docs: list[ItemDocument]
) -> None:
    folder = tmp_path / "bm25"
    index = LexicalIndex.build(clap_docs[:100])
    index.save(folder)
    first = {path.name for path in folder.glob("*.npy")}
    index.add(clap_docs[100:200])
    index.remove([clap_docs[5].item_id])
    index.save(folder)
    second = {path.name for path in folder.glob("*.npy")}
    # the first segment and the id base are the same files; the rest is new, and what
    # the first generation wrote besides them is gone
    kept = {name for name in first if name.split(".")[0] in _REUSED}
    assert len(kept) == 6 and kept <= second
    assert not (first - kept) & second
    assert len(second) == 14  # 2 segments x 4, lengths, dead, id base x 2, id tail x 2
    loaded = LexicalIndex.load(folder)
    assert loaded.live_count == 199
    assert list(loaded.ids) == list(index.ids)
    for query in ["ArgMatches", "default value if", "Command"]:
        assert loaded.search(query, 10) == index.search(query, 10)
    # and a loaded index saves again without rewriting what it mapped
    loaded.add(clap_docs[200:210])
    loaded.save(folder)
    third = {path.name for path in folder.glob("*.npy")}
    assert kept <= third and LexicalIndex.load(folder).live_count == 209


_REUSED = {"s0_hashes", "s0_starts", "s0_rows", "s0_freqs", "id_blob", "id_offsets"}
