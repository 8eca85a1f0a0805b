"""A real Cargo workspace on Debian's clap 4 and nom 7, locked and indexed, for the check
and ask tests (clap's default features pull libc and winapi; the builder API needs
none of them, so they are left out to keep the index at a few seconds)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from rustrag.api import Workspace

DEBIAN_REGISTRY = Path("/usr/share/cargo/registry")
CARGO = shutil.which("cargo")
CARGO_CONFIG = """[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "/usr/share/cargo/registry"
[net]
offline = true
"""
MANIFEST = """[package]
name = "app"
version = "0.1.0"
edition = "2021"

[dependencies]
clap = { version = "4", default-features = false, features = ["std", "help", "usage"] }
nom = "7"
"""


def indexed_workspace(root: Path) -> Workspace:
    (root / ".cargo").mkdir(parents=True)
    (root / ".cargo" / "config.toml").write_text(CARGO_CONFIG)
    (root / "Cargo.toml").write_text(MANIFEST)
    (root / "src").mkdir()
    (root / "src" / "main.rs").write_text("fn main() {}\n")
    assert CARGO is not None
    subprocess.run(
        [CARGO, "generate-lockfile", "--offline"],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=120,
    )
    workspace = Workspace(root, root / "index")
    workspace.index()
    return workspace
