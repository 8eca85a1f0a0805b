"""Time resolve_crate on syn 1.0.107 (after parsing), the figure the resolve stage promises.

Also times the import fixpoint on synthetic crates of 1,000 and 2,000 modules that each
glob-import the crate root (the shape tests/test_resolve_scaling.py checks), to show
its growth with crate size.

Run: /work/venv/bin/python benchmarks/bench_resolve.py [repeats]
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time

from rustrag.model import CrateSource, ExportTable, ParsedFile, Target
from rustrag.parse import parse_bytes, parse_file
from rustrag.resolve import export_table, resolve_crate
from rustrag.resolve.modtree import build_module_tree
from rustrag.resolve.scope import Resolver
from rustrag.resolve.slots import build_slots

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
    cpu_times: list[float] = []  # the machine is shared: CPU time is the steadier figure
    for _ in range(repeats):
        gc.collect()
        start, cpu_start = time.perf_counter(), time.process_time()
        resolved = resolve_crate(syn, files, {"proc_macro2": pm2_table})
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
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
        f"over {repeats} runs (CPU median {statistics.median(cpu_times):.3f}s); "
        f"export_table {table_time:.3f}s; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    import_scaling()


def wide_crate(modules: int) -> tuple[CrateSource, dict[str, ParsedFile]]:
    """A root declaring and re-exporting `modules` modules, each starting `use super::*;`."""
    root = "".join(f"pub mod m{i:05d};\npub use m{i:05d}::S{i:05d};\n" for i in range(modules))
    files = {"src/lib.rs": parse_bytes(root.encode(), "/w/src/lib.rs", "src/lib.rs")}
    for i in range(modules):
        rel = f"src/m{i:05d}.rs"
        text = f"use super::*;\npub struct S{i:05d};\npub fn f(n: S{(i + 1) % modules:05d}) {{}}\n"
        files[rel] = parse_bytes(text.encode(), f"/w/{rel}", rel)
    crate = CrateSource(
        "wide", "0.1.0", "/w", "path", targets=[Target("lib", "wide", "src/lib.rs")]
    )
    crate.files = sorted(files)
    return crate, files


def import_scaling(sizes: tuple[int, ...] = (1000, 2000), repeats: int = 3) -> None:
    for size in sizes:
        crate, files = wide_crate(size)
        tree = build_module_tree(crate, files, None)
        slots = build_slots(tree)
        cpu: list[float] = []
        for _ in range(repeats):
            resolver = Resolver(crate, tree, slots, {})
            start = time.process_time()
            resolver.run_imports()
            cpu.append(time.process_time() - start)
        print(
            f"run_imports, {size} modules globbing the root: "
            f"CPU median {statistics.median(cpu):.3f}s"
        )


if __name__ == "__main__":
    main()
