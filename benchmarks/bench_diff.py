"""API diff time, excluding indexing: clap 3.2.23 → 4.0.32, nom 4.2.3 → 7.1.1, and tokio
1.24.2 against a copy of itself with edits (tokio is ~100k lines; Debian ships one
version). Prints the median of 3 uncached diffs for each pair (trait impls included) and
the load average. Run: python benchmarks/bench_diff.py"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rustrag.apidiff import compute_diff
from rustrag.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_apidiff_support import REGISTRY, index_versions


def _edited_tokio_copy(root: Path) -> Path:
    """tokio 1.24.2 as "1.24.3" with one public function added (the diff must find it)."""
    copy = root / "tokio-1.24.3"
    shutil.copytree(REGISTRY / "tokio-1.24.2", copy)
    manifest = copy / "Cargo.toml"
    manifest.write_text(manifest.read_text().replace('version = "1.24.2"', 'version = "1.24.3"', 1))
    lib = copy / "src" / "lib.rs"
    lib.write_text(lib.read_text() + "\n/// Added for the benchmark.\npub fn bench_added() {}\n")
    return copy


def _lines(folder: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in folder.rglob("*.rs"))


def _median_diff(index_dir: Path, old: str, new: str) -> tuple[float, int]:
    times = []
    entries = 0
    with Store.open(index_dir, read_only=True) as store:
        for _ in range(3):
            started = time.perf_counter()
            entries = len(compute_diff(store, old, new).entries)
            times.append(time.perf_counter() - started)
    return statistics.median(times), entries


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        index_versions(
            index_dir, "clap-3.2.23", "clap-4.0.32", "nom-4.2.3", "nom-7.1.1", "tokio-1.24.2"
        )
        copy = _edited_tokio_copy(Path(tmp))
        index_versions(index_dir, str(copy))  # an absolute path replaces REGISTRY / folder
        for old, new, folder in (
            ("clap@3.2.23", "clap@4.0.32", REGISTRY / "clap-4.0.32"),
            ("nom@4.2.3", "nom@7.1.1", REGISTRY / "nom-7.1.1"),
            ("tokio@1.24.2", "tokio@1.24.3", REGISTRY / "tokio-1.24.2"),
        ):
            seconds, entries = _median_diff(index_dir, old, new)
            load = os.getloadavg()[0]
            print(
                f"diff {old} -> {new}: median of 3 = {seconds:.2f} s "
                f"({entries} entries, ~{_lines(folder) // 1000}k lines per side; target <= 5 s; "
                f"load {load:.1f})"
            )
    print("machine: 2 shared cores (other engineers' jobs running); figures are indicative")


if __name__ == "__main__":
    main()
