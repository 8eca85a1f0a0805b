"""What decides whether a stored crate is still current without resolving it again.

A crate's rows depend on three things: its own files, its CrateSource (targets, edition,
dependencies, the file list) and the export tables of its dependencies. The first two are
checked by stat and by comparing the stored crate row; for the third, every crate write
records, in the same transaction, a digest of the crate's own export table and a digest
of the dependency export tables it was resolved against. A crate whose dependencies'
current export digests no longer give its recorded dependency digest is resolved again.
That is also what makes a killed run resume correctly: a dependency written with a new
export table before the kill makes every dependent resolved against the old one stale.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import blake3

import rustrag.resolve
from rustrag.model import CrateSource, ExportTable
from rustrag.update.parse_cache import parser_digest

# meta key prefix of the per-crate state rows
CRATE_STATE_PREFIX = "crate_state:"
MISSING_DEPENDENCY = "missing"


@dataclass(frozen=True, slots=True)
class CrateState:
    export_digest: str  # digest of the crate's own ExportTable
    deps_digest: str  # digest of the dependency export tables it was resolved against

    def to_json(self) -> str:
        return json.dumps({"export": self.export_digest, "deps": self.deps_digest})

    @staticmethod
    def from_json(text: str) -> CrateState | None:
        try:
            data = json.loads(text)
            return CrateState(str(data["export"]), str(data["deps"]))
        except (ValueError, KeyError, TypeError):
            return None


def state_key(crate_id: str) -> str:
    return CRATE_STATE_PREFIX + crate_id


def export_digest(table: ExportTable) -> str:
    """Order-independent: the same public face always gives the same digest."""
    canonical = {
        "crate_id": table.crate_id,
        "extern_name": table.extern_name,
        "paths": {path: sorted(map(list, hits)) for path, hits in sorted(table.paths.items())},
        "macros": dict(sorted(table.macros.items())),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return blake3.blake3(text.encode()).hexdigest()[:32]


@cache
def code_digest() -> str:
    """A hash of the code that turns parses into rows (resolve/, store/encode.py) and of
    the parser's own digest: rows written by other code are not current, whatever the
    files say, so a rustrag upgrade re-resolves every crate (from cached parses when the
    parser did not change) instead of leaving an index no clean run would produce."""
    hasher = blake3.blake3(parser_digest().encode())
    package = Path(rustrag.resolve.__file__).parent
    # rglob: the macro expander (resolve/expand/) decides rows as much as the rest
    for source in [*sorted(package.rglob("*.py")), package.parent / "store" / "encode.py"]:
        hasher.update(source.relative_to(package.parent).as_posix().encode())
        hasher.update(source.read_bytes())
    return hasher.hexdigest()[:16]


def deps_digest(crate: CrateSource, export_digests: Mapping[str, str]) -> str:
    """Digest of the export digests of `crate`'s dependencies, by extern name, and of the
    code that resolves (see code_digest)."""
    parts = sorted(
        (extern, dep_id, export_digests.get(dep_id, MISSING_DEPENDENCY))
        for extern, dep_id in crate.dependencies.items()
    )
    return blake3.blake3(json.dumps([code_digest(), parts]).encode()).hexdigest()[:32]


def same_source(a: CrateSource, b: CrateSource) -> bool:
    """Whether two descriptions of a crate would resolve to the same rows (file contents
    aside). Compared field by field: stored dataclasses come back with equal values."""
    return (
        a.name == b.name
        and a.version == b.version
        and a.root == b.root
        and a.source == b.source
        and a.edition == b.edition
        and a.extern_name == b.extern_name
        and a.lib_name == b.lib_name
        and sorted(a.files) == sorted(b.files)
        and sorted(a.features) == sorted(b.features)
        and a.dependencies == b.dependencies
        and [(t.kind, t.name, t.root) for t in a.targets]
        == [(t.kind, t.name, t.root) for t in b.targets]
    )
