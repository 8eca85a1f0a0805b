"""Dependencies at their locked versions, on real projects locked by cargo offline against
Debian's crates: the machine cache, lockfile bumps, scope between two claps, cross-crate
`use`, cfg(feature) marks and bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from rustrag.api import Workspace
from rustrag.deps import DepsUpdateReport, update_dependencies
from rustrag.deps.cache_dir import ENV_CACHE_DIR
from rustrag.deps.cfg_marks import load_marks
from rustrag.deps.state import META_LAST_UPDATE, read_for_workspace
from rustrag.pipeline import index_workspace
from rustrag.store import SCHEMA_VERSION
from rustrag.store.shards import ShardMissing
from rustrag.update.verify import verify_index

DEBIAN = Path("/usr/share/cargo/registry")
CARGO = shutil.which("cargo")
pytestmark = pytest.mark.skipif(
    CARGO is None or not DEBIAN.is_dir(), reason="needs cargo and Debian's crates"
)
CONFIG = '[source.crates-io]\nreplace-with = "local"\n[source.local]\ndirectory = "{dir}"\n'
CONFIG += "[net]\noffline = true\n"


@pytest.fixture(autouse=True)
def machine_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cache = tmp_path / "machine-cache"
    monkeypatch.setenv(ENV_CACHE_DIR, str(cache))
    yield cache


def make_project(
    root: Path, deps: str, main: str = "fn main() {}\n", registry: Path = DEBIAN
) -> Path:
    (root / "src").mkdir(parents=True)
    (root / ".cargo").mkdir()
    (root / ".cargo" / "config.toml").write_text(CONFIG.format(dir=registry))
    (root / "Cargo.toml").write_text(
        f'[package]\nname = "{root.name}"\nversion = "0.1.0"\nedition = "2021"\n\n'
        f"[dependencies]\n{deps}\n"
    )
    (root / "src" / "main.rs").write_text(main)
    lock(root)
    return root


def shards(machine_cache: Path, crate_id: str) -> list[Path]:
    """The complete shards of one crate in the machine cache."""
    found = (machine_cache / f"shards-v{SCHEMA_VERSION}" / crate_id).glob("*/shard.json")
    return sorted(info.parent for info in found)


def lock(root: Path) -> None:
    assert CARGO is not None
    subprocess.run(
        [CARGO, "generate-lockfile", "--offline"], cwd=root, check=True, capture_output=True
    )


def test_second_project_reuses_cached_crates(tmp_path: Path, machine_cache: Path) -> None:
    a = make_project(tmp_path / "proj-a", 'nom = "7"')
    index_workspace(a, tmp_path / "idx-a")
    first = update_dependencies(a, tmp_path / "idx-a")
    assert first.reindexed == [] and first.from_cache == []  # nothing changed since
    assert "nom@7.1.1" in first.unchanged
    assert len(shards(machine_cache, "nom@7.1.1")) == 1

    b = make_project(tmp_path / "proj-b", 'nom = "7"')
    index_workspace(b, tmp_path / "idx-b")
    with Workspace(b, tmp_path / "idx-b") as ws:
        last = read_for_workspace(ws.store, META_LAST_UPDATE, b)
        assert last is not None
        reused = DepsUpdateReport.from_json(json.loads(last))
        assert reused.reindexed == []  # nothing parsed or resolved for the dependencies
        assert {"nom@7.1.1", "memchr@2.5.0"} <= set(reused.from_cache)
        # the reused rows are the same rows: compare nom's export in both indexes
        rows_b = list(ws.export("nom"))
    with Workspace(a, tmp_path / "idx-a") as ws:
        rows_a = list(ws.export("nom"))
    assert rows_a == rows_b and len(rows_a) > 500


def test_lockfile_bump_reindexes_only_the_bumped_crate(tmp_path: Path) -> None:
    root = make_project(tmp_path / "bump", 'nom = "7"\nsemver = "1"')
    index_workspace(root, tmp_path / "idx")
    manifest = root / "Cargo.toml"
    manifest.write_text(manifest.read_text().replace('nom = "7"', 'nom = "4"'))
    lock(root)
    report = update_dependencies(root, tmp_path / "idx")
    assert report.lockfile_changed
    assert report.reindexed == ["nom@4.2.3"] or report.from_cache == ["nom@4.2.3"]
    assert "semver@1.0.14" in report.unchanged
    assert "nom@7.1.1" in report.removed
    with Workspace(root, tmp_path / "idx") as ws:
        assert "nom@7.1.1" not in ws.crates()
        assert ws.find("IResult")[0].item.crate_id == "nom@4.2.3"
    # and back: nom 7 comes from the machine cache, nothing is parsed
    manifest.write_text(manifest.read_text().replace('nom = "4"', 'nom = "7"'))
    lock(root)
    back = update_dependencies(root, tmp_path / "idx")
    assert back.reindexed == []
    assert "nom@7.1.1" in back.from_cache and "semver@1.0.14" in back.unchanged


def test_two_claps_scope_and_cross_crate_use(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "two-claps",
        'clap = "4"\nclap3 = { package = "clap", version = "3" }',
        main="use clap::Parser;\nuse clap3::App;\nfn main() {}\n",
    )
    index_workspace(root, tmp_path / "idx")
    with Workspace(root, tmp_path / "idx") as ws:
        scope = ws.scope()
        assert scope.order.index("clap@4.0.32") < scope.order.index("clap@3.2.23")
        assert scope.direct["clap"] == "clap@4.0.32" and scope.direct["clap3"] == "clap@3.2.23"
        assert ws._crate_id("clap") == "clap@4.0.32"
        assert ws._crate_id("clap@3.2.23") == "clap@3.2.23"
        shown = ws.show("Parser")
        assert shown.item.label == "clap@4.0.32"
        assert shown.item.item.kind == "trait"
        assert "clap::Parser" in shown.item.item.paths
        traits = [m.item.crate_id for m in ws.find("Parser", kinds=("trait",))]
        assert traits.index("clap@4.0.32") < traits.index("clap@3.2.23")
        assert ws.show("Parser", crate="clap@3.2.23").item.label == "clap@3.2.23"
        # the user's `use clap::Parser` resolves through the re-export to that trait
        importers = {r.other.item.crate_id for r in ws.uses("Parser")[1] if r.other}
        assert "two-claps@0.1.0" in importers
        # cfg(feature) marks: clap 4 without "derive" has its derive-only items disabled
        derive = [m for m in ws.find("Parser", limit=50) if m.item.crate_id == "clap@4.0.32"]
        statuses = {ws.cfg_status(m.item)[0] for m in derive}
        assert statuses <= {"enabled", "disabled", "undecidable"}
        features = ws.crates()["clap@4.0.32"].crate.features
        assert "derive" not in features and "std" in features
        marks = load_marks(ws.store, root, "clap@4.0.32")
        assert ["disabled", 'feature = "derive"'] in marks.values()


def vendor(tmp_path: Path, *names: str) -> Path:
    registry = tmp_path / "vendor"
    registry.mkdir()
    for name in names:
        shutil.copytree(DEBIAN / name, registry / name)
    return registry


def test_source_changed_under_same_version(tmp_path: Path, machine_cache: Path) -> None:
    registry = vendor(tmp_path, "cfg-if-1.0.0", "itoa-1.0.1")
    root = make_project(tmp_path / "p", 'cfg-if = "1"\nitoa = "1"', registry=registry)
    index_workspace(root, tmp_path / "idx")
    lib = registry / "cfg-if-1.0.0" / "src" / "lib.rs"
    lib.write_text(lib.read_text() + "\npub fn sneaky_new_function() {}\n")
    report = update_dependencies(root, tmp_path / "idx")
    assert report.reindexed == ["cfg-if@1.0.0"] and "itoa@1.0.1" in report.unchanged
    assert any(
        "cfg-if@1.0.0" in p.reason and "changed under the same version" in p.reason
        for p in report.problems
    )
    # both sources stay cached side by side, under different keys: nothing is mixed
    assert len(shards(machine_cache, "cfg-if@1.0.0")) == 2
    with Workspace(root, tmp_path / "idx") as ws:
        assert ws.find("sneaky_new_function")[0].item.crate_id == "cfg-if@1.0.0"


def test_missing_source_and_unsatisfied_requirement(tmp_path: Path) -> None:
    registry = vendor(tmp_path, "cfg-if-1.0.0", "itoa-1.0.1")
    root = make_project(tmp_path / "p", 'cfg-if = "1"\nitoa = "1"', registry=registry)
    shutil.rmtree(registry / "itoa-1.0.1")
    report = index_workspace(root, tmp_path / "idx")
    assert any("itoa" in p.reason for p in report.problems), report.problems
    with Workspace(root, tmp_path / "idx") as ws:
        assert "cfg-if@1.0.0" in ws.crates()  # the rest is indexed
        manifest = root / "Cargo.toml"
        manifest.write_text(manifest.read_text().replace('cfg-if = "1"', 'cfg-if = "=0.1.10"'))
        status = {d.name: d for d in ws.deps_status().dependencies}
    assert status["itoa"].source_found is False and status["itoa"].indexed is False
    assert status["cfg-if"].satisfied is False
    assert status["cfg-if"].requirement == "=0.1.10"


def test_corrupt_lockfile_and_cache_entry(tmp_path: Path, machine_cache: Path) -> None:
    root = make_project(tmp_path / "p", 'cfg-if = "1"')
    index_workspace(root, tmp_path / "idx")
    table = shards(machine_cache, "cfg-if@1.0.0")[0] / "table.pickle"
    table.write_bytes(table.read_bytes()[:100])
    other = make_project(tmp_path / "q", 'cfg-if = "1"')
    report = update_dependencies(other, tmp_path / "idx-q")
    assert report.reindexed == ["cfg-if@1.0.0"]
    assert any("cfg-if@1.0.0" in p.reason and "removed" in p.reason for p in report.problems)
    (root / "Cargo.lock").write_text("this is [not toml")
    broken = index_workspace(root, tmp_path / "idx")
    assert any("Cargo.lock" in p.file or "Cargo.lock" in p.reason for p in broken.problems)
    with Workspace(root, tmp_path / "idx") as ws:
        assert "p@0.1.0" in ws.crates()


MEMBER_USING_NOM = """use nom::error::{ErrorKind, ParseError};
use nom::IResult;

pub struct MyError;

impl<I> ParseError<I> for MyError {
    fn from_error_kind(_input: I, _kind: ErrorKind) -> Self {
        MyError
    }
    fn append(_input: I, _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

pub fn greeting(input: &str) -> IResult<&str, &str> {
    nom::bytes::complete::tag("hello")(input)
}

fn main() {}
"""


def test_dependencies_live_in_shards_and_queries_span_them(
    tmp_path: Path, machine_cache: Path
) -> None:
    root = make_project(tmp_path / "shardy", 'nom = "7"', main=MEMBER_USING_NOM)
    index_workspace(root, tmp_path / "idx")
    with Workspace(root, tmp_path / "idx") as ws:
        folders = ws.store.shard_folders()
        assert set(folders) >= {"nom@7.1.1", "memchr@2.5.0"}
        assert folders["nom@7.1.1"] == shards(machine_cache, "nom@7.1.1")[0]
        assert "shardy@0.1.0" not in folders  # members stay in the project's database
        # the project's own database holds no dependency rows, only their crate rows
        own = ws.store._consistent(
            lambda db: db.query("?[c, count(i)] := *items{item_id: i, crate_id: c}")
        )
        assert {c for c, _ in own} == {"shardy@0.1.0"}
        assert ws.store.stats().items > 1000  # yet every crate's items count
        # edges from the member into the shard, read from the shard's side
        callers = {r.other.item.path for r in ws.callers("nom::bytes::complete::tag")[1] if r.other}
        assert "shardy::greeting" in callers
        # implementations from both databases: nom's own and the member's
        impls = {i.type_text for i in ws.impls("nom::error::ParseError")[1]}
        assert {"MyError", "Error<I>"} <= impls, impls
        # files of a shard crate point at this project's copy of the sources
        files = ws.store.files("nom@7.1.1")
        assert files and all(Path(f.abs_path).is_file() for f in files)
        assert ws.show("IResult").item.label == "nom@7.1.1"
        # a lookup by name asks only the shards that hold a path ending in that name
        asked = ws.store._shards.dbs_for_name("take_while_m_n")
        assert [db.path for db in asked] == [
            tmp_path / "idx" / "cozo.sqlite",
            folders["nom@7.1.1"] / "cozo.sqlite",
        ]
        assert [m.item.name for m in ws.find("nom::bytes::complete::take_while_m_n")] == [
            "take_while_m_n"
        ]
        # the integrity check reads every database and finds the edges between them
        report = verify_index(ws.store, tmp_path / "idx", hash_files=False)
        assert report.findings == [] and "edge targets exist" in report.checks


def test_second_project_merges_the_shards_search_parts(tmp_path: Path, machine_cache: Path) -> None:
    a = make_project(tmp_path / "search-a", 'nom = "7"')
    index_workspace(a, tmp_path / "idx-a")
    nom_shard = shards(machine_cache, "nom@7.1.1")[0]
    parts = list(nom_shard.glob("search-*/bm25"))
    assert len(parts) == 1  # built by the first project that needed it
    b = make_project(tmp_path / "search-b", 'nom = "7"')
    index_workspace(b, tmp_path / "idx-b")
    hits = {}
    for root, index_dir in ((a, tmp_path / "idx-a"), (b, tmp_path / "idx-b")):
        with Workspace(root, index_dir) as ws:
            found = [h.to_json() for h in ws.search("take_while_m_n", k=5)]
            hits[root.name] = [(h["item_id"], h["score"]) for h in found]
            assert found and found[0]["name"] == "take_while_m_n"
            assert found[0]["crate_root"] == "/usr/share/cargo/registry/nom-7.1.1"
    assert hits["search-a"] == hits["search-b"]


def test_a_deleted_machine_cache_is_rebuilt_by_the_next_index(
    tmp_path: Path, machine_cache: Path
) -> None:
    root = make_project(tmp_path / "gone", 'nom = "7"')
    index_workspace(root, tmp_path / "idx")
    shutil.rmtree(machine_cache)
    with Workspace(root, tmp_path / "idx") as ws, pytest.raises(ShardMissing) as missing:
        ws.show("nom::IResult")
    # loud, naming the dependency and what to do: an answer without it would be wrong
    message = str(missing.value)
    assert "is gone from the machine cache" in message and "run `rustrag index`" in message
    index_workspace(root, tmp_path / "idx")
    with Workspace(root, tmp_path / "idx") as ws:
        assert ws.show("nom::IResult").item.label == "nom@7.1.1"
        assert ws.store.shard_folders()["nom@7.1.1"].is_dir()
