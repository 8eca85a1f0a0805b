"""Locating locked packages in cargo's own caches, and reading every lockfile format."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustrag.discover import discover_workspace
from rustrag.discover.lockfile import LockRef, read_lockfile

REV = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
GIT_SOURCE = f"git+https://example.com/repo?branch=main#{REV}"
CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def git_checkout(cargo_home: Path, short_rev: str) -> Path:
    """A checked-out repository holding a workspace, as cargo leaves it."""
    repo = cargo_home / "git" / "checkouts" / "repo-0123456789abcdef" / short_rev
    write(
        repo / "Cargo.toml",
        '[workspace]\nmembers = ["crates/*"]\n\n[workspace.package]\nversion = "0.7.0"\n',
    )
    package = repo / "crates" / "gitdep"
    write(package / "Cargo.toml", '[package]\nname = "gitdep"\nversion.workspace = true\n')
    write(package / "src" / "lib.rs", "pub fn from_git() {}\n")
    return package


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write(
        root / "Cargo.toml",
        '[package]\nname = "user"\nversion = "0.1.0"\n\n[dependencies]\n'
        'gitdep = { git = "https://example.com/repo", branch = "main" }\n'
        'regdep = "1.2"\n',
    )
    write(root / "src" / "lib.rs", "")
    write(
        root / "Cargo.lock",
        "version = 3\n\n"
        '[[package]]\nname = "user"\nversion = "0.1.0"\ndependencies = ["gitdep", "regdep"]\n\n'
        f'[[package]]\nname = "gitdep"\nversion = "0.7.0"\nsource = "{GIT_SOURCE}"\n\n'
        f'[[package]]\nname = "regdep"\nversion = "1.2.5"\nsource = "{CRATES_IO}"\n',
    )
    return root


def test_git_checkout_and_registry_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cargo_home = tmp_path / "cargo-home"
    monkeypatch.setenv("CARGO_HOME", str(cargo_home))
    git_checkout(cargo_home, "9f9f9f9")  # an older checkout of the same version
    locked = git_checkout(cargo_home, REV[:7])
    cached = cargo_home / "registry" / "src" / "index.crates.io-6f17d22bba15001f" / "regdep-1.2.5"
    write(cached / "Cargo.toml", '[package]\nname = "regdep"\nversion = "1.2.5"\n')
    write(cached / "src" / "lib.rs", "")
    root = project(tmp_path)

    ws = discover_workspace(root, use_cargo=False)

    assert ws.problems == []
    found = {c.crate_id: (c.root, c.source, c.files) for c in ws.crates[1:]}
    assert found == {
        "gitdep@0.7.0": (str(locked), "git", ["src/lib.rs"]),
        "regdep@1.2.5": (str(cached), "registry", ["src/lib.rs"]),
    }
    assert ws.crates[0].dependencies == {"gitdep": "gitdep@0.7.0", "regdep": "regdep@1.2.5"}


def test_missing_git_checkout_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARGO_HOME", str(tmp_path / "cargo-home"))
    root = project(tmp_path)
    ws = discover_workspace(root, use_cargo=False)
    assert [c.name for c in ws.crates] == ["user"]
    reasons = sorted(p.reason for p in ws.problems)
    assert [r.split(" (")[0] for r in reasons] == [
        "sources of gitdep@0.7.0",
        "sources of regdep@1.2.5",
    ]
    assert all(p.file == str(root / "Cargo.lock") for p in ws.problems)


def test_lockfile_v1_with_full_references(tmp_path: Path) -> None:
    path = write(
        tmp_path / "Cargo.lock",
        "[[package]]\n"
        'name = "app"\nversion = "0.1.0"\n'
        f'dependencies = [\n "clap 2.34.0 ({CRATES_IO})",\n "clap 4.0.32 ({CRATES_IO})",\n]\n\n'
        f'[[package]]\nname = "clap"\nversion = "2.34.0"\nsource = "{CRATES_IO}"\n\n'
        f'[[package]]\nname = "clap"\nversion = "4.0.32"\nsource = "{CRATES_IO}"\n\n'
        f'[metadata]\n"checksum clap 2.34.0 ({CRATES_IO})" = "abc"\n',
    )
    lock, problems = read_lockfile(path)
    assert problems == [] and lock is not None
    assert lock.format == 1
    app = lock.entry("app", "0.1.0", None)
    assert app is not None
    assert app.dependencies == (
        LockRef("clap", "2.34.0", CRATES_IO),
        LockRef("clap", "4.0.32", CRATES_IO),
    )
    found = [lock.find(ref) for ref in app.dependencies]
    assert [p.version if p else None for p in found] == ["2.34.0", "4.0.32"]


def test_lockfile_from_the_future_and_bad_entries(tmp_path: Path) -> None:
    path = write(
        tmp_path / "Cargo.lock",
        'version = 9\n\n[[package]]\nname = "ok"\nversion = "1.0.0"\n\n'
        '[[package]]\nname = "half"\n',
    )
    lock, problems = read_lockfile(path)
    assert lock is not None and [p.name for p in lock.packages] == ["ok"]
    reasons = [p.reason for p in problems]
    assert any("unknown Cargo.lock format 9" in r for r in reasons)
    assert any("without a name and version" in r for r in reasons)
