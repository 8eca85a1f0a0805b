"""Store writes and queries against a real CozoDB on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rustrag.model import ResolvedCrate
from rustrag.store import (
    DB_FILENAME,
    IndexMissing,
    ReadOnlyStore,
    SchemaVersionMismatch,
    Store,
    StoreError,
)
from rustrag.store.cozo_db import CozoDb
from rustrag.store.encode import edge_rows, item_path_rows, reversed_path
from test_store_data import item_id, small_crate, synthetic_crate

CID = "minicli@1.0.0"


def iid(path: str, kind: str) -> str:
    return item_id(CID, path, kind)


COMMAND = iid("minicli::builder::Command", "struct")
PARSER = iid("minicli::builder::Parser", "trait")
KIND = iid("minicli::builder::Kind", "enum")
NEW = iid("minicli::builder::Command::new", "method")
INHERENT = iid("minicli::builder::<impl Command>", "impl")
PARSER_IMPL = iid("minicli::builder::<impl Parser for Command>", "impl")


@pytest.fixture
def crate() -> ResolvedCrate:
    return small_crate()


@pytest.fixture
def store(tmp_path: Path, crate: ResolvedCrate) -> Iterator[Store]:
    with Store.open(tmp_path / "index") as s:
        s.replace_crate(crate)
        yield s


def test_round_trip_rebuilds_every_item_exactly(store: Store, crate: ResolvedCrate) -> None:
    for expected in crate.items:
        got = store.item(expected.item_id)
        assert got is not None
        expected_paths = sorted(set(expected.paths), key=lambda p: (p != expected.path, p))
        assert got.paths == expected_paths
        got.paths = expected.paths
        assert got == expected


def test_round_trip_of_crate_files_modules_and_problems(store: Store, crate: ResolvedCrate) -> None:
    stored = store.crate(CID)
    assert stored is not None
    assert stored.crate == crate.crate
    assert stored.indexed_at > 0
    assert [c.crate.crate_id for c in store.crates()] == [CID]

    files = {f.rel_path: f for f in store.files(CID)}
    assert set(files) == {"src/lib.rs", "src/builder/mod.rs", "src/orphan.rs"}
    lib = files["src/lib.rs"]
    assert (lib.blake3, lib.lines, lib.module, lib.linked) == ("b3-src/lib.rs", 40, "minicli", True)
    assert lib.inner_attrs == ["warn(missing_docs)"] and lib.macro_uses == ["cmd"]
    assert files["src/orphan.rs"].linked is False
    assert files["src/orphan.rs"].module is None

    assert store.modules(CID) == sorted(crate.modules, key=lambda m: m.path)

    problems = store.problems(CID)
    assert {(p.problem.file, p.problem.line, p.problem.reason) for p in problems} == {
        ("src/builder/mod.rs", 77, "syntax error"),
        ("src/orphan.rs", 0, "file is not linked"),
    }
    assert store.problems() == problems
    assert store.problems("other@1.0.0") == []


def test_missing_things_read_as_none_or_empty(store: Store) -> None:
    assert store.item("nope") is None
    assert store.crate("nope@1") is None
    assert store.export_table("nope@1") is None
    assert store.files("nope@1") == []
    assert store.edges_from("nope") == [] and store.edges_to("nope") == []
    assert store.methods_of("nope") == [] and store.impls_of("nope") == []
    assert store.find_items("") == []
    assert store.find_items("DoesNotExist") == []


def test_replace_twice_leaves_no_stale_rows(tmp_path: Path) -> None:
    with Store.open(tmp_path / "index") as store:
        store.replace_crate(small_crate())
        second = small_crate(variant=1)
        written = store.replace_crate(second)

        assert store.item(iid("minicli::builder::Command::arg", "method")) is None
        assert store.item(iid("minicli::builder::Kind::Flag", "variant")) is None
        assert store.item(iid("minicli::builder::Kind::Switch", "variant")) is not None
        assert store.find_items("Command::arg") == []
        assert {i.item_id for i in store.children(INHERENT)} == {NEW}

        counts = store.count_rows()  # scans: sees stale rows if any were left
        assert counts["crates"] == 1
        assert counts["items"] == len(second.items) == written.rows["items"]
        assert counts["item_paths"] == sum(len(item_path_rows(i)) for i in second.items)
        assert counts["edges"] == len(edge_rows(CID, second.edges)) == written.rows["edges"]
        assert (counts["files"], counts["modules"], counts["problems"]) == (3, 2, 2)
        stats = store.stats()  # the recorded counts agree with the scan
        assert (stats.crates, stats.items, stats.item_paths, stats.edges) == (
            1,
            counts["items"],
            counts["item_paths"],
            counts["edges"],
        )
        assert stats.db_bytes > 0
        exported = {row["item_id"] for row in store.iter_export(CID)}
        assert exported == {i.item_id for i in second.items}


def test_replace_keeps_other_crates_and_delete_removes_one(tmp_path: Path) -> None:
    other = synthetic_crate("other", n_items=300, seed=3)
    with Store.open(tmp_path / "index") as store:
        store.replace_crate(small_crate())
        store.replace_crate(other)
        store.replace_crate(small_crate(variant=1))
        assert len([r for r in store.iter_export(other.crate.crate_id)]) == 300

        store.delete_crate(CID)
        assert [c.crate.crate_id for c in store.crates()] == [other.crate.crate_id]
        counts = store.count_rows()
        assert counts["items"] == 300 and store.stats().items == 300
        assert counts["edges"] == len(edge_rows("other@1.0.0", other.edges))
        assert counts["problems"] == 0 and counts["files"] == len(other.files)
        assert store.item(COMMAND) is None


def test_write_stats_count_rows(tmp_path: Path, crate: ResolvedCrate) -> None:
    with Store.open(tmp_path / "index") as store:
        stats = store.replace_crate(crate)
    assert stats.crate_id == CID
    assert stats.rows["items"] == len(crate.items)
    assert stats.rows["edges"] == len(crate.edges)
    assert stats.rows["crates"] == 1
    assert stats.total_rows == sum(stats.rows.values())
    assert stats.seconds > 0 and stats.rows_per_second > 0


def test_find_items_by_exact_canonical_path_first(store: Store) -> None:
    hits = store.find_items("minicli::builder::Command")
    assert hits[0].item.item_id == COMMAND
    assert hits[0].match == "canonical"
    assert hits[0].matched_path == "minicli::builder::Command"


def test_find_items_by_public_path(store: Store) -> None:
    hits = store.find_items("minicli::Command::new")
    assert [(h.item.item_id, h.match) for h in hits] == [(NEW, "path")]


def test_find_items_by_suffix(store: Store) -> None:
    hits = store.find_items("Command::new")
    assert [(h.item.item_id, h.match) for h in hits] == [(NEW, "suffix")]
    assert hits[0].matched_path == "minicli::Command::new"  # the shorter public path
    # segments match whole: "mand::new" is not a suffix of a path
    assert store.find_items("mand::new") == []


def test_find_items_by_name_ranks_public_first_and_filters(store: Store) -> None:
    hits = store.find_items("parse")
    assert [h.item.item_id for h in hits] == [
        iid("minicli::builder::Parser::parse", "method"),
        iid("minicli::builder::<impl Parser for Command>::parse", "method"),
    ]
    assert {h.match for h in hits} == {"name"}

    commands = store.find_items("Command")
    assert commands[0].item.item_id == COMMAND  # the public struct before the private use
    assert store.find_items("Command", kinds=["use"])[0].item.kind == "use"
    assert store.find_items("Command", kinds=["fn"]) == []
    assert store.find_items("Command", crate_id="other@1.0.0") == []
    assert store.find_items("Command", crate_id=CID)[0].item.item_id == COMMAND
    assert len(store.find_items("parse", limit=1)) == 1


def test_exact_match_outranks_suffix(tmp_path: Path) -> None:
    # `b::C` is the canonical path of one item and a suffix of another's
    crate = small_crate()
    with Store.open(tmp_path / "index") as store:
        store.replace_crate(crate)
        hits = store.find_items("builder::Command")
        assert [(h.item.item_id, h.match) for h in hits] == [(COMMAND, "suffix")]
        hits = store.find_items("minicli::Command")
        assert hits[0].match == "canonical"  # the private `use` item lives at that path
        assert hits[1].match == "path" and hits[1].item.item_id == COMMAND


def test_children_in_source_order(store: Store) -> None:
    assert [i.name for i in store.children(INHERENT)] == ["new", "arg"]
    assert [i.name for i in store.children(KIND)] == ["Flag"]
    assert store.children(NEW) == []


def test_item_paths(store: Store) -> None:
    paths = store.item_paths(COMMAND)
    assert [(p.path, p.canonical, p.public) for p in paths] == [
        ("minicli::builder::Command", True, True),
        ("minicli::Command", False, True),
    ]
    private = store.item_paths(iid("minicli::helper", "fn"))
    assert [(p.path, p.canonical, p.public) for p in private] == [("minicli::helper", True, False)]


def test_edges_from_and_to(store: Store) -> None:
    helper = iid("minicli::helper", "fn")
    out = store.edges_from(helper)
    assert [(e.kind, e.dst, e.target) for e in out] == [
        ("calls", NEW, "Command::new"),
        ("calls", None, "std::process::exit"),
    ]
    into_command = store.edges_to(COMMAND)
    assert {(e.src, e.kind) for e in into_command} == {
        (iid("minicli::{use#5}", "use"), "reexports"),
        (INHERENT, "impl_for"),
        (PARSER_IMPL, "impl_for"),
        (NEW, "uses_type"),
    }
    assert [e.src for e in store.edges_to(COMMAND, ["uses_type"])] == [NEW]
    assert store.edges_from(COMMAND, ["calls"]) == []
    kinds = {e.kind for e in store.edges_from(COMMAND)}
    assert kinds == {"inherent_impl", "implements"}


def test_edges_from_many_matches_edges_from(store: Store) -> None:
    ids = [iid("minicli::helper", "fn"), COMMAND, NEW, INHERENT, "nope"]
    for kinds in (None, ["calls"], ["impl_for", "uses_type", "inherent_impl"]):
        many = store.edges_from_many(ids, kinds)
        assert list(many) == ids
        assert all(many[i] == store.edges_from(i, kinds) for i in ids)
    assert store.edges_from_many([]) == {}


def test_impls_of_includes_impl_blocks_and_derives(store: Store) -> None:
    impls = store.impls_of(PARSER)
    assert [(i.impl_id, i.type_id, i.type_text, i.via) for i in impls] == [
        (PARSER_IMPL, COMMAND, "Command", ""),
        (None, KIND, "minicli::builder::Kind", "derive"),
    ]


def test_methods_of_lists_inherent_then_trait_methods(store: Store) -> None:
    methods = store.methods_of(COMMAND)
    assert [(m.method.name, m.trait, m.impl_id) for m in methods] == [
        ("arg", None, INHERENT),
        ("new", None, INHERENT),
        ("parse", "Parser", PARSER_IMPL),
    ]


def test_export_table(store: Store) -> None:
    table = store.export_table(CID)
    assert table is not None
    assert table.extern_name == "minicli"
    assert table.paths["minicli::Command"] == [(COMMAND, "struct")]
    assert table.paths["minicli::builder::Command"] == [(COMMAND, "struct")]
    assert "minicli::helper" not in table.paths  # private
    assert table.macros == {"cmd": iid("minicli::cmd", "macro_rules")}


def test_iter_export_rows(store: Store, crate: ResolvedCrate) -> None:
    rows = list(store.iter_export())
    assert len(rows) == len(crate.items)
    by_id = {r["item_id"]: r for r in rows}
    command = by_id[COMMAND]
    assert command["kind"] == "struct" and command["name"] == "Command"
    assert command["paths"] == ["minicli::builder::Command", "minicli::Command"]
    assert command["crate"] == "minicli" and command["version"] == "1.0.0"
    assert command["file"] == "src/builder/mod.rs"
    assert (command["line_start"], command["line_end"]) == (10, 13)
    assert command["public"] is True and command["in_macro"] is False
    assert command["signature"] == "pub struct Command"
    assert command["docs"] == "A command line."
    helper = by_id[iid("minicli::helper", "fn")]
    assert helper["in_macro"] is True and helper["public"] is False and helper["paths"] == []
    assert list(store.iter_export("nope@1")) == []


def test_meta(store: Store) -> None:
    assert store.get_meta("embedder") is None
    store.set_meta("embedder", "bge-small")
    assert store.get_meta("embedder") == "bge-small"
    with pytest.raises(StoreError):
        store.set_meta("schema_version", "0")


def test_reversed_path() -> None:
    assert reversed_path("clap::builder::Command::new") == "new::Command::builder::clap"
    assert reversed_path("x") == "x"


def test_read_only_store_reads_and_refuses_writes(tmp_path: Path, crate: ResolvedCrate) -> None:
    index = tmp_path / "index"
    with Store.open(index) as writer:
        writer.replace_crate(crate)
    with Store.open(index, read_only=True) as reader:
        assert reader.read_only
        assert reader.item(COMMAND) is not None
        with pytest.raises(ReadOnlyStore):
            reader.replace_crate(crate)
        with pytest.raises(ReadOnlyStore):
            reader.delete_crate(CID)


def test_reader_without_index_gets_index_missing(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="rustrag index"):
        Store.open(tmp_path / "nothing", read_only=True)
    assert not (tmp_path / "nothing").exists()


def test_schema_is_created_idempotently(tmp_path: Path, crate: ResolvedCrate) -> None:
    index = tmp_path / "index"
    with Store.open(index) as store:
        store.replace_crate(crate)
    with Store.open(index) as store:
        assert store.item(COMMAND) is not None


def test_schema_version_mismatch_tells_to_rebuild(tmp_path: Path, crate: ResolvedCrate) -> None:
    index = tmp_path / "index"
    with Store.open(index) as store:
        store.replace_crate(crate)
    # an index from another rustrag: rewrite its version row the way that rustrag would
    db = CozoDb(index / DB_FILENAME)
    db.execute("?[key, value] <- [['schema_version', '0']] :put meta {key => value}")
    db.close()
    for read_only in (False, True):
        with pytest.raises(SchemaVersionMismatch, match=r"rustrag index --rebuild"):
            Store.open(index, read_only=read_only)
    # the writer lock was released by the failed open
    with Store.open(index, rebuild=True) as store:
        assert set(store.count_rows().values()) == {0}
        store.replace_crate(crate)
    with Store.open(index, read_only=True) as store:
        assert store.item(COMMAND) is not None


def test_closed_store_raises(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "index")
    store.close()
    with pytest.raises(StoreError):
        store.item(COMMAND)
