"""Outdated name → current item, on clap 3.2.23 and 4.0.32 indexed side by side."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rustrag.api import Workspace
from rustrag.apidiff import replacement_for
from test_apidiff_support import index_versions


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path: Path = tmp_path_factory.mktemp("outdated-index")
    index_versions(path, "clap-3.2.23", "clap-4.0.32")
    with Workspace(path, path) as workspace:
        yield workspace


def test_renamed_type_resolves_to_its_successor(ws: Workspace) -> None:
    found = ws.lookup_current("clap::App")
    assert found.status == "renamed" and found.item is not None and found.stale is not None
    assert found.item.version == "4.0.32" and "clap::Command" in found.item.item.paths
    assert found.stale.stale.version == "3.2.23"
    assert "Replaced with `Command`" in found.stale.evidence and "3.2.23" in found.stale.evidence


def test_member_of_renamed_type(ws: Workspace) -> None:
    found = ws.lookup_current("App::new")
    assert found.item is not None and found.item.version == "4.0.32"
    assert "clap::Command::new" in found.item.item.paths


def test_removed_item_is_never_current(ws: Workspace) -> None:
    found = ws.lookup_current("Arg::takes_value")
    assert found.status == "removed" and found.item is None and found.stale is not None
    assert "removed in clap 4.0.32" in found.stale.evidence
    shown = ws.show("Arg::takes_value")
    assert shown.stale is not None and shown.stale.status == "removed"
    # a private item of the current version is not a current API either
    assert ws.lookup_current("AppSettings").status == "removed"


def test_current_name_and_pinned_version(ws: Workspace) -> None:
    found = ws.lookup_current("ArgAction")
    assert found.status == "current" and found.item is not None
    assert found.item.version == "4.0.32" and found.stale is None
    shown = ws.show("App")
    assert shown.item.version == "4.0.32" and shown.stale is not None
    assert shown.to_json()["stale"]["status"] == "renamed"
    pinned = ws.show("App", crate="clap@3.2.23")
    assert pinned.stale is None and pinned.item.item.name == "App"


def test_replacement_for_the_checker(ws: Workspace) -> None:
    replacement = replacement_for(ws, "clap::App", "clap")
    assert replacement is not None and replacement.path == "clap::Command"
    assert replacement.stale_crate == "clap@3.2.23" and replacement.current_crate == "clap@4.0.32"
    assert replacement_for(ws, "clap::Command", "clap") is None
    assert replacement_for(ws, "clap::NoSuchThing", "clap") is None


def _mini(root: Path, version: str, lib: str) -> Path:
    folder = root / f"mini-{version}"
    (folder / "src").mkdir(parents=True, exist_ok=True)
    manifest = f'[package]\nname = "mini"\nversion = "{version}"\nedition = "2021"\n'
    (folder / "Cargo.toml").write_text(manifest)
    (folder / "src" / "lib.rs").write_text(lib)
    return folder


def test_remembered_diffs_last_until_the_next_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse_all = "pub fn parse_all(input: &str) -> usize { input.len() }\n"
    old = _mini(tmp_path, "1.0.0", parse_all)
    new = _mini(tmp_path, "2.0.0", "pub fn other() {}\n")
    index = tmp_path / "index"
    index_versions(index, str(old), str(new))
    with Workspace(tmp_path, index) as ws:
        # count the file-list reads that checking a cached diff's key costs
        store_type = type(ws.store)
        files = store_type.files
        reads: list[str] = []

        def counted(store: Any, crate_id: str) -> Any:
            reads.append(crate_id)
            return files(store, crate_id)

        monkeypatch.setattr(store_type, "files", counted)
        first = ws.lookup_current("mini::parse_all")
        checked = len(reads)
        again = ws.lookup_current("mini::parse_all")
    assert first.status == again.status == "removed"
    assert checked > 0 and len(reads) == checked  # the second lookup re-read nothing
    (new / "src" / "lib.rs").write_text(f"pub fn other() {{}}\npub mod text {{ {parse_all} }}\n")
    index_versions(index, str(new))  # a commit: the remembered diff no longer holds
    with Workspace(tmp_path, index) as ws:
        moved = ws.lookup_current("mini::parse_all")
    assert moved.status == "moved" and moved.item is not None
    assert moved.item.item.path == "mini::text::parse_all"
