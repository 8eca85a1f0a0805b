"""The parse cache does not grow with every edit: a run deletes the parses its edits
superseded and the export tables its writes replaced, and a whole run removes the caches
of other parser versions. Entries still current stay (a no-op run parses nothing)."""

from __future__ import annotations

from pathlib import Path

import blake3
import pytest
from benchmarks.debian_project import lock_against_debian, write_files

from incremental_support import (  # noqa: F401 (isolated_caches is a fixture)
    index,
    isolated_caches,
    needs_cargo,
)
from rustrag.update.parse_cache import CACHE_DIR_NAME, parser_digest

pytestmark = [needs_cargo, pytest.mark.usefixtures("isolated_caches")]

FILES = {
    "Cargo.toml": '[workspace]\nmembers = ["gc"]\nresolver = "2"\n',
    "gc/Cargo.toml": '[package]\nname = "gc"\nversion = "0.1.0"\nedition = "2021"\n',
    "gc/src/lib.rs": "pub mod shapes;\n\npub fn area() -> f64 {\n    shapes::unit()\n}\n",
    "gc/src/shapes.rs": "pub fn unit() -> f64 {\n    1.0\n}\n",
}


def parses_of(index_dir: Path, path: Path) -> list[str]:
    """The cached parses of one file (the folder named by its path's hash)."""
    folder_key = blake3.blake3(str(path).encode()).hexdigest()[:32]
    folder = index_dir / CACHE_DIR_NAME / parser_digest() / "parsed" / folder_key
    return sorted(p.name for p in folder.glob("*.pkl"))


def test_superseded_parses_and_tables_and_old_parsers_are_removed(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write_files(root, FILES)
    lock_against_debian(root)
    index_dir = tmp_path / "idx"
    stale = index_dir / CACHE_DIR_NAME / "0123456789abcdef" / "parsed"
    stale.mkdir(parents=True)
    (stale / "old.pkl").write_bytes(b"from another parser version")
    index(root, index_dir)
    assert not stale.parent.exists()  # a whole run drops other parser versions
    shapes = root / "gc/src/shapes.rs"
    lib = root / "gc/src/lib.rs"
    lib_parses = parses_of(index_dir, lib)
    assert len(lib_parses) == 1
    for n in range(3):
        shapes.write_text(f"pub fn unit() -> f64 {{\n    {n}.0\n}}\n\npub fn extra{n}() {{}}\n")
        report = index(root, index_dir)
        assert report.files_parsed == 1
        digest = blake3.blake3(shapes.read_bytes()).hexdigest()
        assert parses_of(index_dir, shapes) == [f"{digest}.pkl"]
    assert parses_of(index_dir, lib) == lib_parses  # untouched: still current
    # each edit changed the public API: only the current export table of `gc` is kept
    tables = list((index_dir / CACHE_DIR_NAME / parser_digest() / "exports").glob("gc@*"))
    assert len(tables) == 1
    report = index(root, index_dir)
    assert report.files_parsed == 0 and report.crates_updated == []
