"""Phase 2 of discover: dependencies at their locked versions, found on this machine.

The Debian fixtures resolve against /usr/share/cargo/registry through a directory
source, so cargo can lock them offline; expectations come from the real Cargo.lock
and `cargo tree`, never from discover itself.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from rustrag.discover import discover_workspace
from rustrag.model import CrateSource, Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "workspaces"
DEBIAN_REGISTRY = Path("/usr/share/cargo/registry")
CARGO = shutil.which("cargo")
needs_cargo = pytest.mark.skipif(
    CARGO is None or not DEBIAN_REGISTRY.is_dir(),
    reason="needs cargo on PATH and Debian's crates in /usr/share/cargo/registry",
)


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target, symlinks=True)
    return target


def cargo(root: Path, *args: str) -> str:
    assert CARGO is not None
    done = subprocess.run(
        [CARGO, *args], cwd=root, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def locked_fixture(name: str, tmp_path: Path) -> Path:
    root = copy_fixture(name, tmp_path)
    cargo(root, "generate-lockfile", "--offline")
    return root


def lock_packages(root: Path) -> dict[str, list[str]]:
    """name -> locked versions, read straight from Cargo.lock."""
    data = tomllib.loads((root / "Cargo.lock").read_text())
    versions: dict[str, list[str]] = {}
    for package in data["package"]:
        versions.setdefault(package["name"], []).append(package["version"])
    return versions


def locked_version(root: Path, name: str, major: str) -> str:
    return next(v for v in lock_packages(root)[name] if v.split(".")[0] == major)


def lock_ids(root: Path) -> set[str]:
    return {f"{name}@{v}" for name, versions in lock_packages(root).items() for v in versions}


def normal_closure(root: Path) -> set[str]:
    """crate ids cargo tree shows along normal edges from the members, for every platform."""
    args = ["tree", "--offline", "--target", "all", "-e", "normal", "--prefix", "none"]
    ids = set()
    for line in cargo(root, *args).splitlines():
        if line.strip():
            name, version = line.split()[:2]
            ids.add(f"{name}@{version.removeprefix('v')}")
    return ids


def by_id(ws: Workspace) -> dict[str, CrateSource]:
    return {c.crate_id: c for c in ws.crates}


def dependency_maps(ws: Workspace) -> dict[str, dict[str, str]]:
    return {c.crate_id: c.dependencies for c in ws.crates}


@needs_cargo
@pytest.mark.parametrize("use_cargo", [True, False], ids=["cargo-metadata", "lockfile"])
def test_debian_dependencies_are_found_at_locked_versions(tmp_path: Path, use_cargo: bool) -> None:
    root = locked_fixture("debian_deps", tmp_path)
    ws = discover_workspace(root, use_cargo=use_cargo)

    assert ws.problems == []
    assert ws.crates[0].crate_id == "uses-debian@0.1.0"
    assert ws.crates[0].source == "workspace"
    # Every locked package, the member's dev- and build-dependencies included.
    assert set(by_id(ws)) == lock_ids(root)
    assert len(ws.crates) == len(lock_ids(root))
    for crate in ws.crates[1:]:
        root_dir = Path(crate.root)
        assert root_dir.parent == DEBIAN_REGISTRY
        assert crate.source == "directory"
        manifest = tomllib.loads((root_dir / "Cargo.toml").read_text())["package"]
        assert (manifest["name"], manifest["version"]) == (crate.name, crate.version)
        assert crate.version in lock_packages(root)[crate.name]
        assert [t.kind for t in crate.targets] == ["lib"]
        assert crate.files and all((root_dir / f).is_file() for f in crate.files)
    app = ws.crates[0]
    assert app.dependencies == {
        name.replace("-", "_"): f"{name}@{lock_packages(root)[name][0]}"
        for name in ("clap", "nom", "semver", "anyhow", "cfg-if")
    }
    nom = by_id(ws)[app.dependencies["nom"]]
    assert set(nom.dependencies) == {"memchr", "minimal_lexical"}


@needs_cargo
def test_both_resolutions_agree(tmp_path: Path) -> None:
    root = locked_fixture("debian_deps", tmp_path)
    with_cargo = discover_workspace(root, use_cargo=True)
    without = discover_workspace(root, use_cargo=False)
    assert dependency_maps(with_cargo) == dependency_maps(without)
    assert [(c.crate_id, c.root, c.files) for c in with_cargo.crates] == [
        (c.crate_id, c.root, c.files) for c in without.crates
    ]


@needs_cargo
@pytest.mark.parametrize("use_cargo", [True, False], ids=["cargo-metadata", "lockfile"])
def test_two_versions_of_clap_through_a_rename(tmp_path: Path, use_cargo: bool) -> None:
    root = locked_fixture("debian_two_claps", tmp_path)
    clap3 = locked_version(root, "clap", "3")
    clap4 = locked_version(root, "clap", "4")

    ws = discover_workspace(root, use_cargo=use_cargo)

    assert ws.problems == []
    # Build-dependencies of dependencies (autocfg, for indexmap) are locked but left out.
    expected = normal_closure(root)
    assert set(by_id(ws)) == expected
    assert lock_ids(root) - expected
    member = ws.crates[0]
    assert member.dependencies == {"clap": f"clap@{clap4}", "clap3": f"clap@{clap3}"}
    crates = by_id(ws)
    assert crates[f"clap@{clap3}"].root == str(DEBIAN_REGISTRY / f"clap-{clap3}")
    assert crates[f"clap@{clap4}"].root == str(DEBIAN_REGISTRY / f"clap-{clap4}")
    assert crates[f"clap@{clap3}"].extern_name == "clap"


@needs_cargo
@pytest.mark.parametrize("use_cargo", [True, False], ids=["cargo-metadata", "lockfile"])
def test_corrupt_lockfile_is_a_problem_and_members_remain(tmp_path: Path, use_cargo: bool) -> None:
    root = copy_fixture("debian_deps", tmp_path)
    (root / "Cargo.lock").write_text('version = 3\n\n[[package]]\nname = "broken\n')

    ws = discover_workspace(root, use_cargo=use_cargo)

    assert [c.name for c in ws.crates] == ["uses-debian"]
    lock_problems = [p for p in ws.problems if p.file == str(root / "Cargo.lock")]
    assert any("does not parse" in p.reason and p.line == 4 for p in lock_problems)
    assert any("cargo generate-lockfile" in p.reason for p in lock_problems)


@needs_cargo
def test_requirement_the_lock_does_not_satisfy(tmp_path: Path) -> None:
    root = locked_fixture("debian_deps", tmp_path)
    manifest = root / "Cargo.toml"
    manifest.write_text(manifest.read_text().replace('nom = "7"', 'nom = "4"'))
    lock_before = (root / "Cargo.lock").read_text()

    ws = discover_workspace(root)

    assert (root / "Cargo.lock").read_text() == lock_before  # --locked: never rewritten
    unsatisfied = [p for p in ws.problems if "does not satisfy" in p.reason]
    assert len(unsatisfied) == 1
    assert "uses-debian" in unsatisfied[0].reason and "nom" in unsatisfied[0].reason
    assert unsatisfied[0].file == str(manifest)
    assert "nom" not in ws.crates[0].dependencies
    assert "clap" in ws.crates[0].dependencies  # the rest still resolved


@needs_cargo
def test_unresolvable_without_lockfile_still_returns_members(tmp_path: Path) -> None:
    root = copy_fixture("debian_deps", tmp_path)
    manifest = root / "Cargo.toml"
    manifest.write_text(manifest.read_text() + 'no-such-crate-rustrag = "1"\n')

    ws = discover_workspace(root)

    assert not (root / "Cargo.lock").exists()  # cargo could not make one offline
    assert [c.name for c in ws.crates] == ["uses-debian"]
    advice = [p for p in ws.problems if "cargo generate-lockfile" in p.reason]
    assert len(advice) == 1 and "clap" in advice[0].reason


def test_missing_sources_are_named_with_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARGO_HOME", str(tmp_path / "empty-cargo-home"))
    root = copy_fixture("debian_two_claps", tmp_path)
    (root / ".cargo" / "config.toml").unlink()
    (root / "Cargo.lock").write_text(
        "version = 3\n\n"
        '[[package]]\nname = "two-claps"\nversion = "0.1.0"\n'
        'dependencies = ["clap 3.2.23", "clap 4.0.32"]\n\n'
        '[[package]]\nname = "clap"\nversion = "3.2.23"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n\n'
        '[[package]]\nname = "clap"\nversion = "4.0.32"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n'
    )

    ws = discover_workspace(root, use_cargo=False)

    assert [c.name for c in ws.crates] == ["two-claps"]
    assert ws.crates[0].dependencies == {"clap": "clap@4.0.32", "clap3": "clap@3.2.23"}
    missing = sorted(p.reason for p in ws.problems)
    assert len(missing) == 2
    assert missing[0].startswith("sources of clap@3.2.23")
    assert missing[1].startswith("sources of clap@4.0.32")
    assert all("cargo fetch" in r and "vendor" in r for r in missing)


def test_vendored_directory_in_the_workspace_config(tmp_path: Path) -> None:
    """A `cargo vendor` folder: NAME for the only version, relative to the config."""
    root = copy_fixture("debian_two_claps", tmp_path)
    vendor = root / "vendor"
    for name, version in (("clap", "3.2.23"), ("clap", "4.0.32")):
        package = vendor / f"{name}-{version}"
        (package / "src").mkdir(parents=True)
        (package / "Cargo.toml").write_text(f'[package]\nname = "{name}"\nversion = "{version}"\n')
        (package / "src" / "lib.rs").write_text("")
    (vendor / "clap-4.0.32").rename(vendor / "clap")
    (root / ".cargo" / "config.toml").write_text(
        '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "vendor"\n'
    )
    (root / "Cargo.lock").write_text(
        'version = 4\n\n[[package]]\nname = "two-claps"\nversion = "0.1.0"\n'
        'dependencies = ["clap 3.2.23", "clap 4.0.32"]\n\n'
        '[[package]]\nname = "clap"\nversion = "3.2.23"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n\n'
        '[[package]]\nname = "clap"\nversion = "4.0.32"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n'
    )

    ws = discover_workspace(root, use_cargo=False)

    assert ws.problems == []
    roots = {c.crate_id: (c.root, c.source) for c in ws.crates[1:]}
    assert roots == {
        "clap@3.2.23": (str(vendor / "clap-3.2.23"), "directory"),
        "clap@4.0.32": (str(vendor / "clap"), "directory"),
    }


@pytest.mark.parametrize("use_cargo", [True, False], ids=["cargo-metadata", "lockfile"])
def test_path_dependency_on_another_workspace_comes_out_whole(
    tmp_path: Path, use_cargo: bool
) -> None:
    if use_cargo and CARGO is None:
        pytest.skip("cargo is not on PATH")
    for name in ("virtual_ws", "shared_helpers"):
        copy_fixture(name, tmp_path)
    root = copy_fixture("outer", tmp_path)

    ws = discover_workspace(root, use_cargo=use_cargo)

    assert ws.problems == []
    crates = by_id(ws)
    assert list(crates) == ["outer@0.1.0", "app@1.4.0", "core-utils@1.4.0", "shared-helpers@0.9.0"]
    assert [c.source for c in ws.crates] == ["workspace", "path", "path", "path"]
    assert crates["core-utils@1.4.0"].root == str(tmp_path / "virtual_ws" / "crates" / "core-utils")
    assert crates["outer@0.1.0"].dependencies == {
        "app": "app@1.4.0",
        "helpers": "shared-helpers@0.9.0",  # the [lib] name, what code writes
    }
    assert crates["app@1.4.0"].dependencies == {
        "core_utils": "core-utils@1.4.0",  # `workspace = true` in the other workspace
        "fmt_helpers": "shared-helpers@0.9.0",  # renamed
    }


def test_workspace_members_depend_on_each_other(tmp_path: Path) -> None:
    copy_fixture("shared_helpers", tmp_path)
    root = copy_fixture("virtual_ws", tmp_path)

    ws = discover_workspace(root, use_cargo=False)

    assert ws.problems == []
    crates = by_id(ws)
    assert crates["cli@0.2.0"].dependencies == {
        "app": "app@1.4.0",
        "core_utils": "core-utils@1.4.0",  # a dev-dependency of a member counts
    }
    assert crates["shared-helpers@0.9.0"].source == "path"
    assert [c.source for c in ws.crates].count("workspace") == 3
