"""Fingerprints of a dependency's sources and of everything its index rows depend on.

A crate's rows depend on its own files and, through resolved `use`s and edges, on the
crates it depends on (their item ids and re-exports). So the artifact key of a crate
covers its name, version, source files and, recursively, the keys of its dependencies:
the same clap@4.0.32 resolved against another clap_lex gets another key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import blake3

from rustrag import __version__
from rustrag.model import CrateSource
from rustrag.store import SCHEMA_VERSION
from rustrag.update.crate_state import code_digest

# Bump when what a cached artifact holds (or how it is built) changes.
ARTIFACT_FORMAT = "1"
MANIFEST = "Cargo.toml"


class SourceUnreadable(Exception):
    """A file discover listed cannot be read any more."""


def sources_hash(crate: CrateSource) -> str:
    """blake3 over the sorted (rel_path, file blake3) list of the crate's .rs files and
    its Cargo.toml. Raises SourceUnreadable naming the file when one cannot be read."""
    root = Path(crate.root)
    outer = blake3.blake3()
    for rel in sorted({*crate.files, MANIFEST}):
        try:
            digest = blake3.blake3(root.joinpath(rel).read_bytes()).hexdigest()
        except OSError as exc:
            raise SourceUnreadable(f"{root / rel}: {exc.strerror or exc}") from exc
        outer.update(f"{rel}\0{digest}\n".encode())
    return outer.hexdigest()


def artifact_key(crate: CrateSource, sources: str, dependency_keys: Mapping[str, str]) -> str:
    """The cache key of a crate's rows; `dependency_keys` maps each crate id in
    crate.dependencies to that crate's own artifact key (a missing one counts as "")."""
    deps = sorted(
        (extern, dependency_keys.get(dep_id, "")) for extern, dep_id in crate.dependencies.items()
    )
    payload = json.dumps(
        [
            ARTIFACT_FORMAT,
            SCHEMA_VERSION,
            __version__,
            crate.name,
            crate.version,
            crate.edition,
            crate.extern_name,
            sources,
            deps,
            # Rows built by other parser/resolver code are not what this code would build.
            code_digest(),
        ]
    )
    return blake3.blake3(payload.encode()).hexdigest()
