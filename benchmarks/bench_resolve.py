"""Time resolve_crate on syn 1.0.107 (after parsing), the figure the resolve stage promises.

Run: /work/venv/bin/python benchmarks/bench_resolve.py [repeats]
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time

from rustrag.model import CrateSource, ExportTable, ParsedFile, Target
from rustrag.parse import parse_file
from rustrag.resolve import export_table, resolve_crate

REGISTRY = "/usr/share/cargo/registry"


def crate_at(dirname: str, name: str, deps: dict[str, str]) -> CrateSource:
    root = os.path.join(REGISTRY, dirname)
    files = sorted(
        os.path.relpath(os.path.join(d, f), root)
        for d, _, names in os.walk(root)
        for f in names
        if f.endswith(".rs")
    )
    return CrateSource(
        name=name,
        version=dirname[len(name) + 1 :],
        root=root,
        source="registry",
        edition="2018",
        targets=[Target("lib", name, "src/lib.rs")],
        files=files,
        dependencies=deps,
    )


def parse_all(crate: CrateSource) -> dict[str, ParsedFile]:
    return {rel: parse_file(os.path.join(crate.root, rel), rel) for rel in crate.files}


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    pm2 = crate_at("proc-macro2-1.0.47", "proc-macro2", {"unicode_ident": "unicode-ident@1.0.0"})
    pm2_table: ExportTable = export_table(resolve_crate(pm2, parse_all(pm2), {}))
    syn = crate_at(
        "syn-1.0.107",
        "syn",
        {"proc_macro2": pm2.crate_id, "quote": "quote@1.0.21", "unicode_ident": "u@1"},
    )
    files = parse_all(syn)
    lines = sum(f.lines for f in files.values())
    items = sum(len(f.items) for f in files.values())
    times: list[float] = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        resolved = resolve_crate(syn, files, {"proc_macro2": pm2_table})
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    table = export_table(resolved)
    table_time = time.perf_counter() - start
    print(f"syn-1.0.107: {len(files)} files, {lines} lines, {items} raw items")
    print(
        f"resolved: {len(resolved.items)} items, {len(resolved.edges)} edges, "
        f"{len(table.paths)} public paths"
    )
    print(
        f"resolve_crate: median {statistics.median(times):.3f}s, best {min(times):.3f}s "
        f"over {repeats} runs; export_table {table_time:.3f}s"
    )


if __name__ == "__main__":
    main()
