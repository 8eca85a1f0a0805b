"""Real Cargo projects on Debian's packaged crates, for tests and benchmarks.

Debian's `librust-*-dev` packages unpack crate sources under /usr/share/cargo/registry.
Used as a cargo directory source, that folder lets `cargo generate-lockfile --offline`
write a real Cargo.lock, so a project written here depends on real crates at real
versions without any network.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

DEBIAN_REGISTRY = Path("/usr/share/cargo/registry")
CARGO = shutil.which("cargo")
CARGO_CONFIG = f"""[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "{DEBIAN_REGISTRY}"
[net]
offline = true
"""


def write_files(root: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (relative path → text) under `root`, making folders as needed."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def lock_against_debian(root: Path, *, timeout: float = 120) -> Path:
    """Point the project at Debian's registry and lock it offline."""
    (root / ".cargo").mkdir(parents=True, exist_ok=True)
    (root / ".cargo" / "config.toml").write_text(CARGO_CONFIG)
    if CARGO is None:
        raise RuntimeError("cargo is not on PATH: it is needed to lock the workspace")
    subprocess.run(
        [CARGO, "generate-lockfile", "--offline"],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    return root
