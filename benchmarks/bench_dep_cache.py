"""Dependency reuse: project A on Debian crates indexed cold, project B with the same
dependencies reusing the machine cache, and a lockfile bump (nom 7 -> 4) in A.

Prints wall times (medians are not taken: each step changes state; run it twice) and
which crates each step re-indexed. Needs cargo and /usr/share/cargo/registry.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

DEPS = 'clap = "4"\nnom = "7"\nserde = "1"\nsyn = { version = "1", features = ["full"] }\n'
CONFIG = (
    '[source.crates-io]\nreplace-with = "debian"\n[source.debian]\n'
    'directory = "/usr/share/cargo/registry"\n[net]\noffline = true\n'
)


def project(root: Path, deps: str) -> Path:
    (root / "src").mkdir(parents=True)
    (root / ".cargo").mkdir()
    (root / ".cargo" / "config.toml").write_text(CONFIG)
    (root / "Cargo.toml").write_text(
        f'[package]\nname = "{root.name}"\nversion = "0.1.0"\nedition = "2021"\n'
        f"[dependencies]\n{deps}"
    )
    (root / "src" / "main.rs").write_text("use clap::Parser;\nfn main() {}\n")
    subprocess.run(
        ["cargo", "generate-lockfile", "--offline"], cwd=root, check=True, capture_output=True
    )
    return root


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        os.environ["RUSTRAG_CACHE_DIR"] = str(base / "cache")
        from rustrag.deps import DepsUpdateReport, update_dependencies
        from rustrag.deps.state import META_LAST_UPDATE, read_for_workspace
        from rustrag.pipeline import index_workspace
        from rustrag.store import Store

        def last(index_dir: Path, root: Path) -> DepsUpdateReport:
            with Store.open(index_dir, read_only=True) as store:
                text = read_for_workspace(store, META_LAST_UPDATE, root)
                return DepsUpdateReport.from_json(json.loads(text or "{}"))

        a = project(base / "proj-a", DEPS)
        started = time.perf_counter()
        first = index_workspace(a, base / "idx-a")
        cold = time.perf_counter() - started
        print(
            f"A cold: {cold:.2f} s, {first.lines if hasattr(first, 'lines') else '?'} lines, "
            f"re-indexed {len(last(base / 'idx-a', a).reindexed)} crates"
        )
        b = project(base / "proj-b", DEPS)
        started = time.perf_counter()
        index_workspace(b, base / "idx-b")
        warm = time.perf_counter() - started
        rb = last(base / "idx-b", b)
        print(
            f"B reusing: {warm:.2f} s = {100 * warm / cold:.0f}% of A; "
            f"re-indexed {rb.reindexed}, from cache {len(rb.from_cache)} crates"
        )
        manifest = a / "Cargo.toml"
        manifest.write_text(manifest.read_text().replace('nom = "7"', 'nom = "4"'))
        subprocess.run(
            ["cargo", "generate-lockfile", "--offline"], cwd=a, check=True, capture_output=True
        )
        started = time.perf_counter()
        bump = update_dependencies(a, base / "idx-a")
        print(
            f"A nom 7 -> 4: {time.perf_counter() - started:.2f} s; re-indexed "
            f"{bump.reindexed}, from cache {bump.from_cache}, removed {bump.removed}, "
            f"{len(bump.unchanged)} unchanged"
        )
        print(f"machine: {os.cpu_count()} cores, shared with other jobs")


if __name__ == "__main__":
    main()
