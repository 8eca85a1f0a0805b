"""A real Cargo workspace on Debian's clap 4 and nom 7, locked and indexed, for the check
and ask tests (clap's default features pull libc and winapi; the builder API needs
none of them, so they are left out to keep the index at a few seconds)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.debian_project import CARGO, DEBIAN_REGISTRY, lock_against_debian, write_files

from rustrag.api import Workspace

__all__ = ["CARGO", "DEBIAN_REGISTRY", "indexed_workspace"]

MANIFEST = """[package]
name = "app"
version = "0.1.0"
edition = "2021"

[dependencies]
clap = { version = "4", default-features = false, features = ["std", "help", "usage"] }
nom = "7"
"""


def indexed_workspace(root: Path) -> Workspace:
    write_files(root, {"Cargo.toml": MANIFEST, "src/main.rs": "fn main() {}\n"})
    lock_against_debian(root)
    workspace = Workspace(root, root / "index")
    workspace.index()
    return workspace
