"""A small real workspace for tests and benchmarks: two members (`app` uses `util`) and
real Debian dependencies (semver, cfg-if, log, strsim; ~9k lines), locked offline; and a
full comparison of two indexes, every row of every relation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.debian_project import lock_against_debian, write_files
from rustrag.store import Store
from rustrag.store.delta import read_crate_rows
from rustrag.store.schema import CRATES

FILES: dict[str, str] = {
    "Cargo.toml": '[workspace]\nmembers = ["app", "util"]\nresolver = "2"\n',
    "util/Cargo.toml": (
        '[package]\nname = "util"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dependencies]\nsemver = "1"\ncfg-if = "1"\n'
    ),
    "util/src/lib.rs": (
        "//! Helpers.\n"
        "pub mod text;\n"
        "pub use semver::Version;\n\n"
        "/// Parses a version.\n"
        "pub fn parse(s: &str) -> Option<Version> {\n    Version::parse(s).ok()\n}\n"
    ),
    "util/src/text.rs": (
        "pub struct Words(pub Vec<String>);\n\n"
        "impl Words {\n    pub fn count(&self) -> usize {\n        self.0.len()\n    }\n}\n"
    ),
    "app/Cargo.toml": (
        '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dependencies]\nutil = { path = "../util" }\nlog = "0.4"\nstrsim = "0.10"\n'
    ),
    "app/src/lib.rs": (
        "pub mod shapes;\n"
        '#[path = "extra/odd_name.rs"]\n'
        "pub mod odd;\n\n"
        "use util::text::Words;\n\n"
        'pub fn words(w: &Words) -> usize {\n    log::info!("counting");\n    w.count()\n}\n\n'
        "pub fn close(a: &str, b: &str) -> f64 {\n    strsim::jaro(a, b)\n}\n"
    ),
    "app/src/shapes.rs": (
        "pub trait Shape {\n    fn area(&self) -> f64;\n}\n\n"
        "pub struct Square(pub f64);\n\n"
        "impl Shape for Square {\n    fn area(&self) -> f64 {\n        self.0 * self.0\n    }\n}\n"
    ),
    "app/src/extra/odd_name.rs": "pub fn odd() -> u8 {\n    1\n}\n",
}


def make_workspace(root: Path) -> Path:
    """Write the workspace and lock it against Debian's crates (offline)."""
    write_files(root, FILES)
    return lock_against_debian(root)


def index_contents(index_dir: Path) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """Every row of every crate, sorted (crates.indexed_at dropped: a timestamp)."""
    stamp = CRATES.column_names.index("indexed_at")
    deps = CRATES.column_names.index("dependencies")
    contents: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    with Store.open(index_dir, read_only=True) as store:
        for stored in store.crates():
            crate_id = stored.crate.crate_id
            rows = read_crate_rows(store, crate_id)
            for row in rows[CRATES.name]:
                # discover lists dependencies in an order that can vary between runs;
                # the mapping is what counts
                row[deps] = json.dumps(json.loads(row[deps]), sort_keys=True)
            rows[CRATES.name] = [r[:stamp] + r[stamp + 1 :] for r in rows[CRATES.name]]
            contents[crate_id] = {name: sorted(map(tuple, r)) for name, r in rows.items()}
    return contents


def export_lines(index_dir: Path) -> list[str]:
    """Sorted JSONL of `iter_export`: the comparison the crash-safety issue asks for."""
    with Store.open(index_dir, read_only=True) as store:
        return sorted(json.dumps(row, sort_keys=True) for row in store.iter_export())
