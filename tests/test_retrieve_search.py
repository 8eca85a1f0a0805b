"""Hybrid search, context packs and their CLI on real indexes (the example workspace;
clap 3 and 4 from Debian's registry in one corpus workspace for versions)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rustrag.api import NotFound, Workspace
from rustrag.assemble.tokens import count_tokens
from rustrag.cli import app
from rustrag.index.idlist import IdList
from rustrag.retrieve import build, layout
from rustrag.retrieve.build import load_lexical, refresh_search_indexes
from rustrag.retrieve.catalog import CANONICAL, CRATE_AND_NAME, NAME, SUFFIX, IdCatalog, RowIds
from rustrag.retrieve.searcher import searcher_for
from rustrag.store import Store

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "geometry"
REGISTRY = Path("/usr/share/cargo/registry")
CLAP_VERSIONS = ("clap-3.2.23", "clap-4.0.32")


@pytest.fixture(scope="module")
def geo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    index_dir = tmp_path_factory.mktemp("geo-index")
    ws = Workspace(EXAMPLE, index_dir)
    ws.index(embed=False)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def claps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    if not all((REGISTRY / c).is_dir() for c in CLAP_VERSIONS):
        pytest.skip("Debian clap crates not installed")
    root = tmp_path_factory.mktemp("claps")
    for name in CLAP_VERSIONS:
        shutil.copytree(REGISTRY / name, root / "crates" / name)
        (root / "crates" / name / "Cargo.lock").unlink(missing_ok=True)
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["crates/*"]\n')
    ws = Workspace(root, root / "index")
    ws.index(embed=False)
    yield ws
    ws.close()


def test_index_builds_the_lexical_snapshot(geo: Workspace) -> None:
    lexical, rows = load_lexical(geo.index_dir)
    assert len(rows) == len(lexical.ids) == lexical.live_count > 20
    assert (layout.bm25_dir(geo.index_dir) / "manifest.json").is_file()
    assert not layout.vectors_dir(geo.index_dir).exists()  # embed=False starts nothing


def test_identifier_ranks_its_definition_first(geo: Workspace) -> None:
    hits = geo.search("Circle", k=5, dense=False)
    assert hits[0].view.item.path.endswith("Circle") and hits[0].view.item.kind == "struct"
    assert "exact" in hits[0].signals
    assert hits[0].use_path == "shapes::Circle"


def test_question_finds_items_by_their_words(geo: Workspace) -> None:
    hits = geo.search("total area of the shapes", k=8, dense=False)
    names = [h.view.item.name for h in hits]
    assert "total_area" in names and "lexical" in hits[names.index("total_area")].signals


def test_pasted_code_is_read_for_identifiers(geo: Workspace) -> None:
    code = 'let c = Circle::new(2.0);\nprintln!("{}", c.diameter());'
    paths = [h.view.item.path for h in geo.search(code, k=10, dense=False)]
    assert any(p.endswith("Circle::new") for p in paths)
    assert any(p.endswith("Circle::diameter") for p in paths)


def test_graph_adds_methods_of_a_type(geo: Workspace) -> None:
    hits = geo.search("Polygon", k=10, dense=False)
    graph_hits = [h for h in hits if "graph" in h.signals]
    assert any(h.view.item.kind == "method" for h in graph_hits)


def test_graph_adds_the_type_of_a_field(claps: Workspace) -> None:
    # `Arg::id` is a method and a field; the field's type is `Id`, which the query names
    # only as a word of the field: the graph brings it
    hits = claps.search("Arg::id", k=10, dense=False, crate="clap@4.0.32")
    by_path = {h.view.item.path: h for h in hits}
    assert by_path["clap::util::id::Id"].signals.get("graph") == 1
    field = next(h for h in hits if h.view.item.kind == "field")
    assert field.view.item.path == "clap::builder::arg::Arg::id"


def test_kind_and_origin_filters(geo: Workspace) -> None:
    hits = geo.search("Shape", k=10, kinds=["trait"], dense=False)
    assert hits and all(h.view.item.kind == "trait" for h in hits)
    assert geo.search("Circle", k=10, origin="deps", dense=False) == []


def test_unknown_crate_says_what_to_do(geo: Workspace) -> None:
    with pytest.raises(NotFound, match="not in the index"):
        geo.search("Circle", crate="nosuchcrate", dense=False)


def test_outdated_name_gets_its_replacement(claps: Workspace) -> None:
    hits = claps.search("App", k=5, dense=False)
    top = hits[0]
    assert top.view.item.path.endswith("Command") and top.view.version == "4.0.32"
    assert "renamed" in top.note and "App" in top.note


def test_versions_default_to_the_newest_and_can_be_pinned(claps: Workspace) -> None:
    assert {h.view.version for h in claps.search("Arg", k=10, dense=False)} == {"4.0.32"}
    pinned = claps.search("App", k=3, crate="clap@3.2.23", dense=False)
    assert pinned[0].view.item.name == "App" and pinned[0].view.version == "3.2.23"


def test_exact_names_from_the_catalog_agree_with_the_store(claps: Workspace) -> None:
    """The in-memory name lookup (no store round trip) ranks as the store's does."""
    catalog = searcher_for(claps).catalog
    command = "clap@4.0.32|clap::builder::command::Command|struct"
    by_path = {m.item_id: m.rank for m in catalog.named("clap::builder::command::Command")}
    assert by_path[command] == CANONICAL
    assert {m.item_id: m.rank for m in catalog.named("clap::Command")}[command] == CRATE_AND_NAME
    suffix = {m.item_id: m.rank for m in catalog.named("Command::new")}
    assert suffix["clap@4.0.32|clap::builder::command::Command::new|method"] == SUFFIX
    assert all(i.endswith("Command::new|method") for i in suffix)
    assert command in {m.item_id for m in catalog.named("Command") if m.rank == NAME}
    members = catalog.members("clap@4.0.32", "clap::builder::command::Command", ("method",))
    stored = {m.method.item_id for m in claps.store.methods_of(command)}
    assert set(members) == stored and len(members) > 100
    for query in ("Command::new", "ArgMatches::get_one", "clap::Arg"):
        top = claps.search(query, k=1, dense=False)[0].view.item
        store_best = claps.resolve_one(query, crate="clap@4.0.32")[0].item
        assert top.item_id == store_best.item_id, query


def test_catalog_scans_answer_as_the_name_index_does(claps: Workspace) -> None:
    """The first lookups of a searcher scan the ids; later ones use the sorted ids and
    the name index. Both must give the same matches in the same order."""
    searcher = searcher_for(claps)
    live, public = searcher.rows.live.tolist(), searcher.rows.public.tolist()
    scanning = IdCatalog(searcher.ids, live, public, scans_before_indexing=10**9)
    indexed = IdCatalog(searcher.ids, live, public, scans_before_indexing=0)
    names = ["Command", "clap::Command", "Command::new", "new", "App", "get_one", "clap", "Nope"]
    for name in names:
        assert scanning.named(name) == indexed.named(name), name
    assert len(indexed.named("new")) > 50  # a common name: many rows per scan
    command = ("clap@4.0.32", "clap::builder::command::Command")
    for kinds in (("method",), None):
        assert scanning.members(*command, kinds) == indexed.members(*command, kinds)
    assert scanning.members(*command, ("method",))  # not vacuous
    owner = scanning.at_path(*command, ("struct", "enum"))
    assert (
        owner
        == indexed.at_path(*command, ("struct", "enum"))
        == ["clap@4.0.32|clap::builder::command::Command|struct"]
    )


def test_row_ids_slice_the_snapshot_ids() -> None:
    ids = ["a@1|a::Foo|struct", "a@1|a::Foo::new|method", "b@2|b::Ünïcode|fn", "b@2|b|mod"]
    rows = RowIds(IdList.from_ids(ids))
    assert [rows[r] for r in range(len(rows))] == ids
    assert rows.rows_containing("::Foo|") == [0]
    assert rows.rows_containing("|b|") == [3]
    assert rows.rows_containing("::Ünïcode|") == [2]
    assert rows.rows_starting("a@1|a::Foo::") == [1]
    ascii_only = RowIds(IdList.from_ids(ids[:2] + ids[3:]))
    assert ascii_only.rows_containing("|b|") == [2] and ascii_only[2] == "b@2|b|mod"


def test_context_pack_respects_budget_and_has_no_duplicates(claps: Workspace) -> None:
    for budget in (150, 600, 2500):
        pack = claps.context("parse command line arguments with subcommands", budget=budget)
        markdown = pack.to_markdown()
        assert count_tokens(markdown) == pack.tokens <= budget
        ids = [e.item_id for e in pack.entries]
        assert len(ids) == len(set(ids))
    assert pack.entries and all(e.version and e.use_path for e in pack.entries)


def test_context_at_a_line_starts_with_the_enclosing_item(geo: Workspace) -> None:
    circle = EXAMPLE / "crates" / "shapes" / "src" / "shapes" / "circle.rs"
    line = next(i for i, t in enumerate(circle.read_text().splitlines(), 1) if "fn diameter" in t)
    pack = geo.context(at=f"{circle}:{line + 1}", budget=1500)
    assert pack.entries[0].path.endswith("Circle::diameter")
    assert pack.tokens <= 1500


def test_refresh_rereads_only_rewritten_crates(geo: Workspace) -> None:
    shapes = next(cid for cid in geo.crates() if cid.startswith("shapes@"))
    geo.close()
    with Store.open(geo.index_dir) as store:
        report = refresh_search_indexes(store, geo.index_dir, embed=False)
        assert report.crates_refreshed == [] and not report.rebuilt
        forced = refresh_search_indexes(store, geo.index_dir, embed=False, changed_crates=[shapes])
    assert forced.crates_refreshed == [shapes]
    assert geo.search("Circle", k=1, dense=False)[0].view.item.name == "Circle"


def test_cli_search_and_context_json(geo: Workspace) -> None:
    runner = CliRunner()
    args = ["--index-dir", str(geo.index_dir), "--path", str(EXAMPLE), "--json"]
    result = runner.invoke(app, ["search", "Circle", "-k", "3", *args])
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["results"][0]
    assert first["name"] == "Circle" and Path(first["crate_root"]).is_absolute()
    assert (Path(first["crate_root"]) / first["file"]).is_file()
    assert first["line_start"] <= first["line_end"] and "exact" in first["signals"]
    result = runner.invoke(app, ["context", "circle diameter", "--budget", "300", *args])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["tokens"] <= 300
    result = runner.invoke(app, ["search", "x", "--origin", "nope", *args])
    assert result.exit_code != 0


def _lexical_view(
    index_dir: Path,
) -> tuple[dict[str, list[tuple[str, float]]], set[tuple[object, ...]]]:
    """Search results of a few queries (ties ordered by id: row numbers differ between
    a patched and a clean snapshot) and the row facts of every live row."""
    lexical, rows = load_lexical(index_dir)
    results: dict[str, list[tuple[str, float]]] = {}
    for query in ("Circle", "diameter radius", "wobble", "perimeter PI", "Shape area"):
        hits = [(lexical.ids[r], round(s, 4)) for r, s in lexical.search(query, k=100)]
        results[query] = sorted(hits, key=lambda h: (-h[1], h[0]))
    facts = {
        (
            lexical.ids[r],
            rows.crates.values[rows.crate[r]],
            rows.kinds.values[rows.kind[r]],
            bool(rows.public[r]),
            rows.files.values[rows.file[r]],
            int(rows.line_start[r]),
            int(rows.line_end[r]),
        )
        for r in map(int, np.flatnonzero(rows.live))
    }
    return results, facts


def test_edit_then_refresh_equals_a_clean_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "geometry"
    shutil.copytree(EXAMPLE, root)
    circle = root / "crates" / "shapes" / "src" / "shapes" / "circle.rs"
    with Workspace(root, tmp_path / "index") as ws:
        ws.index(embed=False, include_deps=False)
        source = circle.read_text()

        def no_rereads(*args: object, **kwargs: object) -> None:
            raise AssertionError("an edit re-read a whole crate")

        monkeypatch.setattr(build, "crate_documents", no_rereads)
        monkeypatch.setattr(build, "COMPACT_DEAD_FRACTION", 1.0)  # keep the tombstones
        # a body edit that shifts the lines after it, and a new method
        circle.write_text(
            source.replace(
                "        self.radius * 2.0\n",
                "        let wobble = self.radius;\n        wobble * 2.0\n",
            ).replace(
                "impl Shape for Circle {",
                "impl Circle {\n    /// Wobble the circle.\n    pub fn wobble(&self) {}\n}\n\n"
                "impl Shape for Circle {",
            )
        )
        report = ws.index(embed=False, include_deps=False)
        assert report.item_changes  # patched item by item, not re-read whole
        circle.write_text(circle.read_text().replace("wobble * 2.0", "wobble * 2.0 // xxxxxx"))
        ws.index(embed=False, include_deps=False)
        # a comment edit of the same length leaves every item row alone (same tokens,
        # same spans) and changes only the file's row
        circle.write_text(circle.read_text().replace("// xxxxxx", "// zapped"))
        ws.index(embed=False, include_deps=False)
        monkeypatch.undo()
    with Workspace(root, tmp_path / "clean") as clean:
        clean.index(embed=False, include_deps=False)
    patched = _lexical_view(tmp_path / "index")
    assert patched[0]["wobble"]
    assert patched == _lexical_view(tmp_path / "clean")
