"""API diffs of real crate versions: clap 3.2.23 → 4.0.32 and nom 4.2.3 → 7.1.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rustrag.api import NotFound, Workspace
from rustrag.apidiff import SCHEMA, ApiDiff, DiffEntry, diff_crates
from rustrag.apidiff.cache import CACHE_FOLDER
from rustrag.apidiff.render import to_html, to_markdown
from rustrag.cli import app
from test_apidiff_support import REGISTRY, index_versions

CLAP3, CLAP4, NOM4, NOM7 = "clap@3.2.23", "clap@4.0.32", "nom@4.2.3", "nom@7.1.1"
_NAMESPACE = {"struct": "t", "enum": "t", "union": "t", "type_alias": "t", "trait": "t"}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("apidiff-index")
    index_versions(path, "clap-3.2.23", "clap-4.0.32", "nom-4.2.3", "nom-7.1.1")
    return path


@pytest.fixture(scope="module")
def ws(index_dir: Path) -> Iterator[Workspace]:
    with Workspace(index_dir, index_dir) as workspace:
        yield workspace


@pytest.fixture(scope="module")
def clap_diff(ws: Workspace) -> ApiDiff:
    return ws.api_diff(CLAP3, CLAP4, use_cache=False)


@pytest.fixture(scope="module")
def nom_diff(ws: Workspace) -> ApiDiff:
    return ws.api_diff(NOM4, NOM7, use_cache=False)


def _find(
    diff: ApiDiff, change: str, old_path: str | None = None, new_path: str | None = None
) -> DiffEntry:
    for entry in diff.of_change(change):  # type: ignore[arg-type]
        if old_path is not None and (entry.old is None or old_path not in entry.old.paths):
            continue
        if new_path is not None and (entry.new is None or new_path not in entry.new.paths):
            continue
        return entry
    raise AssertionError(f"no {change} entry for {old_path} -> {new_path}")


def _public_paths(ws: Workspace, crate_id: str) -> set[tuple[str, str]]:
    """(namespace, path) of every public API path of a crate, from the store directly."""
    found: set[tuple[str, str]] = set()
    for row in ws.export(crate_id):
        kind = str(row["kind"])
        if kind in ("use", "impl", "extern_crate"):
            continue
        for path in row["paths"]:  # type: ignore[attr-defined]
            found.add((_NAMESPACE.get(kind, kind), str(path)))
    return found


def test_clap_app_renamed_to_command_with_deprecation_evidence(clap_diff: ApiDiff) -> None:
    entry = _find(clap_diff, "renamed", old_path="clap::App", new_path="clap::Command")
    assert entry.kind == "struct" and entry.old is not None and entry.new is not None
    assert "Replaced with `Command`" in entry.evidence and "3.1.0" in entry.evidence
    assert entry.old.file == "src/builder/command.rs" and entry.new.file == "src/builder/command.rs"
    source = (REGISTRY / "clap-3.2.23" / entry.old.file).read_text().splitlines()
    first_struct = next(ln for ln in source[entry.old.line - 1 :] if "pub struct" in ln)
    assert "pub struct App<'help>" in first_struct


def test_clap_takes_value_and_settings_removed(clap_diff: ApiDiff) -> None:
    takes_value = _find(clap_diff, "removed", old_path="clap::Arg::takes_value")
    assert takes_value.kind == "method" and takes_value.owner == "clap::Arg"
    assert takes_value.old is not None and takes_value.old.file == "src/builder/arg.rs"
    source = (REGISTRY / "clap-3.2.23" / "src/builder/arg.rs").read_text().splitlines()
    # the location is the item's first line (its doc comment): the next `pub fn` is it
    first_fn = next(ln for ln in source[takes_value.old.line - 1 :] if "pub fn" in ln)
    assert "pub fn takes_value(self, yes: bool)" in first_fn
    setting = _find(clap_diff, "removed", old_path="clap::App::setting")
    assert setting.owner == "clap::App"  # compared under App's rename, not as a new type
    app_settings = _find(clap_diff, "removed", old_path="clap::AppSettings")
    assert app_settings.kind == "enum" and app_settings.members >= 20


def test_clap_argaction_kept_and_members_follow_their_renamed_owner(clap_diff: ApiDiff) -> None:
    touched = {
        p
        for e in clap_diff.entries
        if e.change in ("added", "removed")
        for s in (e.old, e.new)
        if s
        for p in s.paths
    }
    assert "clap::ArgAction" not in touched
    # App's methods are compared with Command's: `App::new` is not "removed"
    assert not any(
        e.old and "clap::App::new" in e.old.paths for e in clap_diff.of_change("removed")
    )
    # StoreValue's note names `ArgAction::Set`, which clap 3.2 already had: a replacement,
    # not a rename
    store_value = _find(clap_diff, "removed", old_path="clap::ArgAction::StoreValue")
    assert store_value.replacements[0] == "clap::ArgAction::Set"
    assert "Replaced with `ArgAction::Set`" in store_value.evidence


def test_nom_macros_removed_and_functions_added(nom_diff: ApiDiff) -> None:
    for macro in ("nom::named", "nom::do_parse", "nom::take_while"):
        assert _find(nom_diff, "removed", old_path=macro).kind == "macro_rules"
    tag = _find(nom_diff, "added", new_path="nom::bytes::complete::tag")
    assert tag.kind == "fn" and tag.new is not None and tag.new.file == "src/bytes/complete.rs"
    moved = _find(nom_diff, "moved", old_path="nom::is_alphabetic")
    assert moved.new is not None and moved.new.path == "nom::character::is_alphabetic"


@pytest.mark.parametrize(("old", "new"), [(CLAP3, CLAP4), (NOM4, NOM7)])
def test_removed_and_added_are_consistent_with_the_store(ws: Workspace, old: str, new: str) -> None:
    diff = ws.api_diff(old, new, use_cache=False)
    old_paths, new_paths = _public_paths(ws, old), _public_paths(ws, new)
    assert diff.of_change("removed") and diff.of_change("added")
    for entry in diff.of_change("removed"):
        assert entry.old is not None and entry.new is None
        ns = _NAMESPACE.get(entry.old.kind, entry.old.kind)
        assert all((ns, p) in old_paths for p in entry.old.paths), entry
        assert not any((ns, p) in new_paths for p in entry.old.paths), entry
    # top-level only: a member's path may have been a trait impl's method before (nom's
    # `Err::convert`), and trait impl methods are the trait's API, not compared here
    for entry in (e for e in diff.of_change("added") if e.owner is None):
        assert entry.new is not None and entry.old is None
        ns = _NAMESPACE.get(entry.new.kind, entry.new.kind)
        assert not any((ns, p) in old_paths for p in entry.new.paths), entry
    for entry in diff.of_change("moved"):
        assert entry.old is not None and entry.new is not None
        assert not set(entry.old.paths) & set(entry.new.paths)


def test_every_location_points_at_its_item(clap_diff: ApiDiff) -> None:
    roots = {"old": REGISTRY / "clap-3.2.23", "new": REGISTRY / "clap-4.0.32"}
    for entry in clap_diff.entries:
        for label, side in (("old", entry.old), ("new", entry.new)):
            if side is None:
                continue
            lines = (roots[label] / side.file).read_text().splitlines()
            assert 1 <= side.line <= len(lines)


def test_json_roundtrip_and_renderers(clap_diff: ApiDiff) -> None:
    data = clap_diff.to_json()
    assert data["schema"] == SCHEMA
    assert data["summary"] == clap_diff.summary()
    assert sum(data["summary"].values()) == len(data["entries"])
    again = ApiDiff.from_json(json.loads(json.dumps(data)))
    assert again.to_json() == data
    markdown = to_markdown(clap_diff)
    assert "## Renamed" in markdown and "`clap::Arg::takes_value`" in markdown
    html = to_html(clap_diff)
    assert html.startswith("<!doctype html>") and "src=" not in html
    assert "&lt;&#x27;help&gt;" in html  # signatures such as `App<'help>` are escaped
    assert "<'help>" not in html


def test_diff_is_cached_per_version_pair(ws: Workspace, index_dir: Path) -> None:
    first = diff_crates(ws.store, NOM4, NOM7)
    files = list((index_dir / CACHE_FOLDER).glob("nom@4.2.3__nom@7.1.1__*.json"))
    assert len(files) == 1
    second = diff_crates(ws.store, NOM4, NOM7)
    assert second.to_json() == first.to_json()
    files[0].write_text(files[0].read_text().replace('"evidence": ""', '"evidence": "cached"', 1))
    assert diff_crates(ws.store, NOM4, NOM7).entries[0].evidence == "cached"  # cache is read
    # an unchanged file is parsed once per process, a rewritten one again
    assert diff_crates(ws.store, NOM4, NOM7) is diff_crates(ws.store, NOM4, NOM7)
    files[0].write_text(files[0].read_text().replace('"cached"', '"re-read"', 1))
    assert diff_crates(ws.store, NOM4, NOM7).entries[0].evidence == "re-read"
    files[0].unlink()


def test_unknown_version_is_reported(ws: Workspace) -> None:
    with pytest.raises(NotFound, match="rustrag index"):
        ws.api_diff(CLAP3, "clap@9.9.9")


def test_cli_diff_json_md_html(index_dir: Path) -> None:
    runner = CliRunner()
    base = ["diff", NOM4, NOM7, "--index-dir", str(index_dir)]
    result = runner.invoke(app, [*base, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema"] == SCHEMA
    assert "# API diff: nom 4.2.3" in runner.invoke(app, [*base, "--format", "md"]).stdout
    assert runner.invoke(app, [*base, "--format", "html"]).stdout.startswith("<!doctype html>")
    bad = runner.invoke(app, ["diff", "nom", NOM7, "--index-dir", str(index_dir)])
    assert bad.exit_code != 0 and "CRATE@VERSION" in bad.stderr


def test_clap_deprecated_aliases_are_renames_onto_existing_items(clap_diff: ApiDiff) -> None:
    hidden = _find(clap_diff, "renamed", old_path="clap::Arg::hidden", new_path="clap::Arg::hide")
    assert hidden.confidence == 0.8 and "Replaced with `Arg::hide`" in hidden.evidence
    assert "`clap::Arg::hide` already existed" in hidden.evidence
    # under a renamed owner: `App::usage` → `Command::override_usage`
    _find(
        clap_diff, "renamed", old_path="clap::App::usage", new_path="clap::Command::override_usage"
    )
    # three notes name `Command::build`: replaced by it, not renamed to it
    build = _find(clap_diff, "removed", old_path="clap::App::_build")
    assert build.replacements == ["clap::Command::build"]
    # same owner, another call shape (`validator(f)` vs `value_parser(p)`): a replacement
    validator = _find(clap_diff, "removed", old_path="clap::Arg::validator")
    assert validator.replacements == ["clap::Arg::value_parser"]


def test_clap_trait_impls_and_trait_items(clap_diff: ApiDiff) -> None:
    impls = {(e.change, e.name) for e in clap_diff.entries if e.kind == "impl"}
    # clap 3's `App` derived PartialEq and Eq; clap 4's `Command` derives neither
    assert ("removed", "impl PartialEq for App") in impls
    # derives both versions have are no news, under a renamed type neither
    assert not any(name in ("impl Clone for App", "impl Clone for Arg") for _, name in impls)
    # a default body dropped: every implementor must now write `command`
    command = _find(clap_diff, "changed", old_path="clap::CommandFactory::command")
    assert "required" in command.details


def test_nom_impl_associated_type_change(nom_diff: ApiDiff) -> None:
    entry = next(e for e in nom_diff.of_change("changed") if e.name == "impl InputIter for &'a str")
    assert entry.details == ["assoc_types"] and entry.owner == "nom::InputIter"
    assert entry.old is not None and entry.old.file == "src/traits.rs"


def test_outdated_alias_resolves_through_the_rename(ws: Workspace) -> None:
    found = ws.lookup_current("clap::Arg::hidden")
    assert found.status == "renamed" and found.item is not None
    assert found.item.item.path == "clap::builder::arg::Arg::hide"
    assert found.item.label == CLAP4
