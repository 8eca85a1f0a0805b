"""Phase 1 of discover: workspace root, members, package fields and targets."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from rustrag.discover import DiscoveryError, discover_workspace
from rustrag.model import CrateSource, Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "workspaces"
CARGO = shutil.which("cargo")


def copy_fixture(name: str, tmp_path: Path) -> Path:
    """A private copy, so nothing cargo or a test writes lands in the repository."""
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target, symlinks=True)
    return target


def crate_named(ws: Workspace, name: str) -> CrateSource:
    matches = [c for c in ws.crates if c.name == name]
    assert len(matches) == 1, [c.name for c in ws.crates]
    return matches[0]


def targets_of(crate: CrateSource) -> set[tuple[str, str, str]]:
    return {(t.kind, t.name, t.root) for t in crate.targets}


def test_single_package_has_every_target_kind(tmp_path: Path) -> None:
    root = copy_fixture("single_pkg", tmp_path)
    (root / "target" / "debug").mkdir(parents=True)
    (root / "target" / "debug" / "generated.rs").write_text("fn junk() {}\n")

    ws = discover_workspace(root / "src" / "bin", include_deps=False)

    assert ws.root == str(root)
    assert ws.problems == []
    assert [c.name for c in ws.crates] == ["multi-target"]
    crate = ws.crates[0]
    assert (crate.version, crate.edition, crate.source) == ("0.3.1", "2021", "workspace")
    assert crate.lib_name == "multi_target"
    assert crate.root == str(root)
    assert targets_of(crate) == {
        ("lib", "multi_target", "src/lib.rs"),
        ("bin", "multi-target", "src/main.rs"),
        ("bin", "alpha", "src/bin/alpha.rs"),
        ("bin", "beta", "src/bin/beta/main.rs"),
        ("bin", "tool", "tools/tool.rs"),
        ("example", "explicit", "demos/explicit.rs"),
        ("example", "hello", "examples/hello.rs"),
        ("example", "multi", "examples/multi/main.rs"),
        ("test", "it", "tests/it.rs"),
        ("test", "named", "tests/named/main.rs"),
        ("bench", "speed", "benches/speed.rs"),
        ("build", "build-script-build", "build.rs"),
    }
    # Every .rs file on disk except target/, hidden folders and the nested package.
    on_disk = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.rs")
        if not {"target", ".hidden", "nested"} & set(p.relative_to(root).parts)
    )
    assert crate.files == on_disk
    assert "src/bin/beta/helper.rs" in crate.files


def test_auto_discovery_switches_and_custom_lib(tmp_path: Path) -> None:
    root = copy_fixture("no_auto", tmp_path)
    ws = discover_workspace(root, include_deps=False)
    crate = crate_named(ws, "no-auto")
    assert crate.edition == "2015"  # cargo's default when the manifest names none
    assert crate.lib_name == crate.extern_name == "noauto_core"
    assert targets_of(crate) == {
        ("lib", "noauto_core", "core/mod.rs"),
        ("bin", "only", "src/bin/only.rs"),
        ("test", "kept", "tests/kept.rs"),
        ("build", "build-script-gen", "tools/gen.rs"),
    }
    assert "src/bin/skipped.rs" in crate.files  # a file, though no target


@pytest.mark.skipif(CARGO is None, reason="cargo is not on PATH")
@pytest.mark.parametrize("fixture", ["single_pkg", "no_auto"])
def test_targets_agree_with_cargo(fixture: str, tmp_path: Path) -> None:
    root = copy_fixture(fixture, tmp_path)
    out = subprocess.run(
        [str(CARGO), "metadata", "--no-deps", "--offline", "--format-version", "1"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    kinds = {"custom-build": "build"}
    expected = {
        (
            kinds.get(t["kind"][0], t["kind"][0]),
            t["name"],
            Path(t["src_path"]).relative_to(root).as_posix(),
        )
        for t in json.loads(out.stdout)["packages"][0]["targets"]
    }
    ws = discover_workspace(root, include_deps=False)
    assert targets_of(ws.crates[0]) == expected


def test_virtual_workspace_members_and_inheritance(tmp_path: Path) -> None:
    copy_fixture("shared_helpers", tmp_path)
    root = copy_fixture("virtual_ws", tmp_path)

    ws = discover_workspace(root / "crates" / "app" / "src", include_deps=False)

    assert ws.root == str(root)
    assert ws.problems == []
    assert [c.name for c in ws.crates] == ["app", "core-utils", "cli"]  # by path
    app = crate_named(ws, "app")
    assert (app.version, app.edition) == ("1.4.0", "2021")
    assert crate_named(ws, "core-utils").version == "1.4.0"
    cli = crate_named(ws, "cli")
    assert (cli.version, cli.edition) == ("0.2.0", "2018")
    assert targets_of(cli) == {("bin", "cli", "src/main.rs")}
    assert all(c.source == "workspace" for c in ws.crates)
    assert "excluded" not in {c.name for c in ws.crates}


def test_excluded_package_is_its_own_root(tmp_path: Path) -> None:
    root = copy_fixture("virtual_ws", tmp_path)
    excluded = root / "crates" / "excluded"
    ws = discover_workspace(excluded, include_deps=False)
    assert ws.root == str(excluded)
    assert [c.name for c in ws.crates] == ["excluded"]


def test_path_dependency_inside_root_becomes_member(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "src").mkdir(parents=True)
    (root / "Cargo.toml").write_text(
        '[package]\nname = "top"\nversion = "0.1.0"\n\n[workspace]\n\n'
        '[dependencies]\ninner = { path = "libs/inner" }\n'
    )
    (root / "src" / "lib.rs").write_text("")
    inner = root / "libs" / "inner"
    (inner / "src").mkdir(parents=True)
    (inner / "Cargo.toml").write_text('[package]\nname = "inner"\nversion = "0.5.0"\n')
    (inner / "src" / "lib.rs").write_text("")

    ws = discover_workspace(inner, include_deps=False)

    assert ws.root == str(root)
    assert [(c.name, c.version) for c in ws.crates] == [("top", "0.1.0"), ("inner", "0.5.0")]
    assert ws.crates[0].files == ["src/lib.rs"]  # libs/inner is another package


def test_broken_manifest_is_a_problem_and_the_rest_is_found(tmp_path: Path) -> None:
    root = copy_fixture("broken_ws", tmp_path)

    ws = discover_workspace(root, include_deps=False)

    assert sorted(c.name for c in ws.crates) == ["good", "noversion"]
    bad = [p for p in ws.problems if p.file == str(root / "bad" / "Cargo.toml")]
    assert len(bad) == 1
    assert bad[0].line == 4  # the unterminated string
    assert bad[0].severity == "error"
    assert "does not parse" in bad[0].reason
    noversion = crate_named(ws, "noversion")
    assert noversion.version == "0.0.0"
    assert any(
        p.file == str(root / "noversion" / "Cargo.toml") and "no `version`" in p.reason
        for p in ws.problems
    )
    noname = [p for p in ws.problems if p.file == str(root / "noname" / "Cargo.toml")]
    assert noname and "no `name`" in noname[0].reason and noname[0].line == 1


def test_missing_member_folder_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "empty").mkdir(parents=True)
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["empty", "gone"]\n')
    ws = discover_workspace(root, include_deps=False)
    assert ws.crates == []
    reasons = sorted(p.reason for p in ws.problems)
    assert any("has no Cargo.toml" in r for r in reasons)
    assert any("`gone` not found" in r for r in reasons)


def test_no_manifest_anywhere_raises_with_advice(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="cargo init"):
        discover_workspace(tmp_path)


def test_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="does not exist"):
        discover_workspace(tmp_path / "nowhere")
