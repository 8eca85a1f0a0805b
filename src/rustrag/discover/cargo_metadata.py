"""Asking cargo itself for the resolved dependency graph (`cargo metadata`).

Cargo only resolves here, it never builds: no code from the indexed crates runs. Any
failure (no cargo, no network for a missing crate, a stale lock under --locked) just
means discover reads Cargo.lock and the manifests itself instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CARGO_TIMEOUT_SECONDS = 120.0
_LIB_KINDS = frozenset({"lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro"})


@dataclass(frozen=True, slots=True)
class MetadataDep:
    extern_name: str
    package_id: str
    kinds: frozenset[str]  # "normal", "dev", "build"


@dataclass(slots=True)
class MetadataPackage:
    package_id: str
    name: str
    version: str
    source: str | None
    manifest_path: Path
    edition: str
    lib: tuple[str, str] | None  # (target name, src_path)


@dataclass(slots=True)
class MetadataGraph:
    packages: dict[str, MetadataPackage] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    deps: dict[str, list[MetadataDep]] = field(default_factory=dict)
    features: dict[str, list[str]] = field(default_factory=dict)


def run_cargo_metadata(root: Path, *, locked: bool) -> tuple[MetadataGraph | None, str]:
    """The resolved graph of the workspace at `root`, or None and why it is unavailable."""
    cargo = shutil.which("cargo")
    if cargo is None:
        return None, "cargo is not on PATH"
    command = [cargo, "metadata", "--offline", "--format-version", "1"]
    if locked:
        command.append("--locked")  # never rewrite the user's lockfile
    try:
        done = subprocess.run(
            command,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=CARGO_TIMEOUT_SECONDS,
            env=trusted_cargo_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"`cargo metadata` took over {CARGO_TIMEOUT_SECONDS:.0f}s"
    except OSError as exc:
        return None, f"`cargo metadata` could not run: {exc}"
    if done.returncode != 0:
        return None, "`cargo metadata` failed: " + _first_error(done.stderr)
    try:
        return parse_metadata(json.loads(done.stdout)), ""
    except (ValueError, KeyError, TypeError) as exc:
        return None, f"`cargo metadata` printed something unexpected: {exc}"


def trusted_cargo_env() -> dict[str, str]:
    """The environment for `cargo metadata`, pinned so nothing in the workspace runs.

    `cargo metadata` runs rustc (`-vV`, `--print=cfg`) to learn the target, and the
    workspace being indexed chooses which rustc: `.cargo/config.toml` may set
    `build.rustc`, `build.rustc-wrapper` or `build.rustc-workspace-wrapper`, and a
    `rust-toolchain.toml` may point rustup at a toolchain folder inside the repository
    (whose `cargo` then runs instead of the user's). Environment variables beat config
    files, so they pin the user's own rustc and toolchain. Settings the user exported
    themselves are kept: their environment is trusted, the repository is not.
    """
    env = {**os.environ, "CARGO_TERM_COLOR": "never", "CARGO_NET_OFFLINE": "true"}
    env.setdefault("RUSTC_WRAPPER", "")  # empty: no wrapper, whatever the config says
    env.setdefault("RUSTC_WORKSPACE_WRAPPER", "")
    rustc = shutil.which("rustc")
    if rustc is not None:
        env.setdefault("RUSTC", rustc)
    if "RUSTUP_TOOLCHAIN" not in env:
        toolchain = _rustup_default_toolchain()
        if toolchain:
            env["RUSTUP_TOOLCHAIN"] = toolchain
    return env


def _rustup_default_toolchain() -> str | None:
    """`stable-x86_64-unknown-linux-gnu` from `rustup default`; None without rustup.

    Run from the filesystem root, so no rust-toolchain.toml of the workspace applies.
    """
    rustup = shutil.which("rustup")
    if rustup is None:
        return None
    try:
        done = subprocess.run(
            [rustup, "default"], cwd="/", capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = done.stdout.split()
    return words[0] if done.returncode == 0 and words else None


def parse_metadata(data: dict[str, Any]) -> MetadataGraph:
    graph = MetadataGraph(members=list(data["workspace_members"]))
    for raw in data["packages"]:
        lib = next((t for t in raw["targets"] if _LIB_KINDS & set(t["kind"])), None)
        graph.packages[raw["id"]] = MetadataPackage(
            package_id=raw["id"],
            name=raw["name"],
            version=raw["version"],
            source=raw.get("source"),
            manifest_path=Path(raw["manifest_path"]),
            edition=raw.get("edition", "2015"),
            lib=(lib["name"], lib["src_path"]) if lib is not None else None,
        )
    for node in (data.get("resolve") or {}).get("nodes", []):
        graph.features[node["id"]] = list(node.get("features", []))
        graph.deps[node["id"]] = [
            MetadataDep(
                extern_name=dep["name"],
                package_id=dep["pkg"],
                kinds=frozenset(k.get("kind") or "normal" for k in dep.get("dep_kinds", [{}])),
            )
            for dep in node.get("deps", [])
        ]
    return graph


def _first_error(stderr: str) -> str:
    """Cargo's first error with the next two lines of cause, without source snippets."""
    lines = [
        line.strip()
        for line in stderr.splitlines()
        if line.strip() and not line.strip().startswith("|") and line.strip() != "Caused by:"
    ]
    start = next((i for i, line in enumerate(lines) if line.startswith("error")), 0)
    return " ".join(lines[start : start + 3])[:400] or "no message"
