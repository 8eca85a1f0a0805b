"""Which crates the extraction check runs on, and with which features.

Features are chosen to make rustdoc document as many items as possible, because rustrag
indexes source text regardless of `cfg`: every item behind a disabled feature is an item
rustrag extracts but the truth lacks, and would show up as a false positive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REGISTRY = Path("/usr/share/cargo/registry")


@dataclass(frozen=True, slots=True)
class CrateSpec:
    name: str
    version: str
    features: tuple[str, ...] = ()
    default_features: bool = True
    why: str = ""  # which hard case this crate covers

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def root(self) -> Path:
        return REGISTRY / self.key


KNOWN_CRATES: dict[str, CrateSpec] = {
    spec.key: spec
    for spec in (
        CrateSpec(
            "syn",
            "1.0.107",
            ("full", "extra-traits", "visit", "visit-mut", "fold"),
            why="ast_struct!/ast_enum! macros, re-exports of proc_macro2",
        ),
        CrateSpec(
            "clap",
            "4.0.32",
            (
                "cargo",
                "env",
                "string",
                "unicode",
                "wrap_help",
                "derive",
                "unstable-grouped",
                "unstable-replace",
            ),
            why="deep re-exports (builder/parser/error through the root)",
        ),
        CrateSpec(
            "tokio",
            "1.24.2",
            ("full", "test-util"),
            why="cfg_*! macros wrapping mods and items",
        ),
        CrateSpec("nom", "7.1.1", ("std", "alloc"), why="many small fns, macro-generated impls"),
        CrateSpec("semver", "1.0.14", ("std", "serde"), why="small crate for the slow test"),
        CrateSpec("log", "0.4.17", ("std", "serde", "kv_unstable_serde"), why="macro_rules, small"),
    )
}


def spec_for(key: str) -> CrateSpec:
    """The spec for "NAME-VERSION"; crates not listed above get their default features."""
    if key in KNOWN_CRATES:
        return KNOWN_CRATES[key]
    name, _, version = key.rpartition("-")
    if not name or not version:
        raise ValueError(f"expected NAME-VERSION, got {key!r}")
    return CrateSpec(name, version)
