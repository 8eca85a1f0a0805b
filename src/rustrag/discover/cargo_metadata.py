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
            env={**os.environ, "CARGO_TERM_COLOR": "never", "CARGO_NET_OFFLINE": "true"},
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
