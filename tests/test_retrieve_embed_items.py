"""Which items the embedding job embeds, and in what order, on a real project: a small
binary over Debian's semver 1.0.14 (a dependency whose private items nobody can name)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from rustrag.api import Workspace
from rustrag.index.documents import embedding_text
from rustrag.retrieve.embed_items import (
    MEMO_FILE,
    REASONS,
    EmbedSelection,
    SelectionMemo,
    embedding_plan,
    read_missing,
    select_documents,
)

DEBIAN = Path("/usr/share/cargo/registry")
CARGO = shutil.which("cargo")
pytestmark = pytest.mark.skipif(
    CARGO is None or not (DEBIAN / "semver-1.0.14").is_dir(),
    reason="needs cargo and Debian's semver 1.0.14",
)
CONFIG = f'[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "{DEBIAN}"\n'
MAIN = """use std::fmt;

/// A version the app was built against.
pub struct Pinned(semver::Version);

impl fmt::Display for Pinned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Documented impls keep their vector.
impl Pinned {
    fn major(&self) -> u64 {
        self.0.major
    }
}

fn helper() -> u64 {
    1
}

fn main() {
    println!("{}", helper());
}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    assert CARGO is not None
    root = tmp_path_factory.mktemp("embed-items") / "app"
    (root / "src").mkdir(parents=True)
    (root / ".cargo").mkdir()
    (root / ".cargo" / "config.toml").write_text(CONFIG + "[net]\noffline = true\n")
    (root / "Cargo.toml").write_text(
        '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dependencies]\nsemver = "=1.0.14"\n'
    )
    (root / "src" / "main.rs").write_text(MAIN)
    subprocess.run([CARGO, "generate-lockfile", "--offline"], cwd=root, check=True)
    ws = Workspace(root, root.parent / "index")
    ws.index(embed=False)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def selection(project: Workspace) -> EmbedSelection:
    return select_documents(project.store)


def test_dependency_items_need_to_be_public_and_documented(
    project: Workspace, selection: EmbedSelection
) -> None:
    items = {
        i.item_id: i for crate_id in project.crates() for i in project.store.crate_items(crate_id)
    }
    chosen = [items[d.item_id] for d in selection.documents]
    assert [(i.item_id, i.raw.fingerprint) for i in chosen] == selection.entries
    semver = [i for i in chosen if i.crate_id == "semver@1.0.14"]
    assert semver and all(i.public and i.raw.docs.strip() for i in semver)
    assert "semver::Version::parse" in {i.path for i in semver}
    assert not any(i.kind == "impl" and not i.raw.docs.strip() for i in chosen)
    # every rule dropped something, and every searchable item is accounted for
    counts = selection.to_json()
    assert all(counts[f"skipped_{reason}"] > 0 for reason in REASONS), counts
    searchable = [i for i in items.values() if i.kind not in ("use", "extern_crate")]
    assert counts["considered"] == len(searchable)
    skipped = sum(counts[f"skipped_{reason}"] for reason in REASONS)
    assert counts["considered"] == counts["selected"] + skipped == len(chosen) + skipped


def test_own_items_are_embedded_whatever_their_visibility(selection: EmbedSelection) -> None:
    own_count = selection.to_json()["own"]
    own = selection.documents[:own_count]
    assert all(d.crate_id == "app@0.1.0" for d in own)
    assert all(d.crate_id != "app@0.1.0" for d in selection.documents[own_count:])
    paths = {d.path for d in own}
    assert {"app::helper", "app::main", "app::Pinned", "app::Pinned::major"} <= paths
    assert any(d.kind == "impl" for d in own)  # the documented `impl Pinned`
    assert not any(d.kind == "impl" and "Display" in d.signature for d in own)


def test_plan_puts_own_items_first_then_shortest_and_skips_cached(
    selection: EmbedSelection,
) -> None:
    plan = embedding_plan(selection, have=set())
    fingerprints = [fp for fp, _ in plan]
    assert len(fingerprints) == len(set(fingerprints)) == len({fp for _, fp in selection.entries})
    own = {d.fingerprint for d in selection.documents if d.crate_id == "app@0.1.0"}
    split = len([fp for fp in fingerprints if fp in own])
    assert split > 0 and set(fingerprints[:split]) == own
    for part in (plan[:split], plan[split:]):
        lengths = [len(text) for _, text in part]
        assert lengths == sorted(lengths)
    # items with one fingerprint share a vector: the first one's text is embedded
    first: dict[str, str] = {}
    for doc in selection.documents:
        first.setdefault(doc.fingerprint, embedding_text(doc))
    assert all(text == first[fp] for fp, text in plan)
    cached = set(fingerprints[::2])
    rest = embedding_plan(selection, have=cached)
    assert [fp for fp, _ in rest] == [fp for fp in fingerprints if fp not in cached]


def test_memo_skips_unchanged_crates_until_their_vectors_are_missing(
    project: Workspace, selection: EmbedSelection, tmp_path: Path
) -> None:
    SelectionMemo.save(tmp_path, selection.crates.items())
    again = select_documents(project.store, SelectionMemo.load(tmp_path))
    assert again.to_json() == {**selection.to_json(), "crates_read": 0}
    assert again.entries == selection.entries and again.documents == []
    every = {fp for _, fp in selection.entries}
    assert (
        embedding_plan(again, have=every) == [] and read_missing(project.store, again, every) == []
    )
    # a vector gone from the cache (pruned, other model or text): that crate is read again
    semver_fp = next(fp for item_id, fp in selection.entries if item_id.startswith("semver@"))
    assert read_missing(project.store, again, every - {semver_fp}) == ["semver@1.0.14"]
    assert [fp for fp, _ in embedding_plan(again, every - {semver_fp})] == [semver_fp]
    # a crate the index rewrote (new `indexed_at`) is read again
    memo = SelectionMemo.load(tmp_path)
    memo.crates["app@0.1.0"].stamp -= 1.0
    assert select_documents(project.store, memo).to_json()["crates_read"] == 1
    # a damaged memo is an empty one
    (tmp_path / MEMO_FILE).write_text('{"rules": 1, "crates": {"x": {"stamp": "a"}}}')
    assert SelectionMemo.load(tmp_path).crates == {}
