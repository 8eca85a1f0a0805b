"""Incremental indexing figures on a large real corpus.

Builds (once, under --work) a workspace of two members and many real Debian crates
(~1M lines with the default dependency list): `app`, a small member, and `bigsyn`, a
member holding a copy of syn 1.0.107's sources (57k lines), so that an edit to a big
crate of the user's own is measured too. Then prints:

* the clean index time;
* no-op re-index (`index_workspace`, in process; and the `rustrag index` CLI, with
  Python start-up): median of --runs;
* one-file edit to index current, in a warm `Indexer` as `rustrag watch` holds it:
  structural (scan, parse, resolve, diff, write), p50 and p90 over --edits edits, for an
  edit in `app` and in `bigsyn`; and the lexical refresh plus the embedding of the
  changed items with the default embedder, when it loads.

    /work/venv/bin/python -m benchmarks.bench_incremental --work /tmp/rustrag-bench-inc

The machine is shared with other work: figures are medians, and noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.debian_project import lock_against_debian

if TYPE_CHECKING:
    from rustrag.pipeline import Indexer

REGISTRY = Path("/usr/share/cargo/registry")
DEPENDENCIES = """clap = "4"
clap3 = { package = "clap", version = "3" }
nom = "7"
semver = "1"
tokio = { version = "1", features = ["full"] }
syn = { version = "1", features = ["full", "extra-traits", "visit", "visit-mut", "fold"] }
regex = "1"
serde = { version = "1", features = ["derive"] }
gimli = "0.27"
object = "0.30"
rayon = "1"
petgraph = "0.6"
backtrace = "0.3"
hashbrown = "0.12"
anyhow = "1"
"""

APP_LIB = """pub mod edits;

/// The entry point of the benchmark member.
pub fn run(input: &str) -> usize {
    let re = regex::Regex::new(r"\\w+").unwrap();
    re.find_iter(input).count() + edits::edited()
}
"""


def build_corpus(work: Path) -> Path:
    root = work / "ws"
    if (root / "Cargo.lock").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["app", "bigsyn"]\nresolver = "2"\n')
    (root / "app/src").mkdir(parents=True)
    (root / "app/Cargo.toml").write_text(
        '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n'
        + DEPENDENCIES
    )
    (root / "app/src/lib.rs").write_text(APP_LIB)
    (root / "app/src/edits.rs").write_text("pub fn edited() -> usize {\n    0\n}\n")
    shutil.copytree(REGISTRY / "syn-1.0.107/src", root / "bigsyn/src")
    (root / "bigsyn/Cargo.toml").write_text(
        '[package]\nname = "bigsyn"\nversion = "0.1.0"\nedition = "2018"\n\n[dependencies]\n'
        'proc-macro2 = "1"\nquote = "1"\nunicode-ident = "1"\n'
    )
    lock_against_debian(root)
    return root


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.0f} ms"


def p90(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/rustrag-bench-inc"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("RUSTRAG_CACHE_DIR", str(args.work / "machine-cache"))
    os.environ["RUSTRAG_NO_EMBED"] = "1"

    from rustrag.discover import discover_workspace
    from rustrag.pipeline import Indexer, index_workspace

    root = build_corpus(args.work)
    index_dir = args.work / "idx"
    print(
        f"machine: {os.cpu_count()} cores, shared with other work; python {sys.version.split()[0]}"
    )
    if not (index_dir / "cozo.sqlite").exists():
        started = time.perf_counter()
        report = index_workspace(root, index_dir)
        print(
            f"clean index: {report.crates} crates, {report.files} files, {report.lines:,} lines, "
            f"{report.items:,} items in {time.perf_counter() - started:.1f} s"
        )
    first = index_workspace(root, index_dir)
    print(f"corpus: {first.crates} crates, {first.files} files, {first.lines:,} lines")

    noop: list[float] = []
    for _ in range(args.runs):
        started = time.perf_counter()
        report = index_workspace(root, index_dir)
        noop.append(time.perf_counter() - started)
        assert report.rows_written == 0 and report.files_parsed == 0, report.to_json()
    print(f"no-op re-index, in process (discover + stat + checks): median {median_ms(noop)}")
    cli: list[float] = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from rustrag.cli import main; main()",
                "index",
                str(root),
                "--index-dir",
                str(index_dir),
                "--json",
                "--no-embed",
            ],
            check=True,
            capture_output=True,
        )
        cli.append(time.perf_counter() - started)
    print(
        f"no-op `rustrag index` CLI (with Python start-up, search refresh): median {median_ms(cli)}"
    )

    workspace = discover_workspace(root)
    with Indexer(index_dir, keep_warm=True) as indexer:
        indexer.run(workspace)  # warm up: parses and rows of what it touches stay in memory
        targets = {
            "app (small member)": (root / "app/src/edits.rs", "app@0.1.0"),
            "bigsyn (57k-line member)": (root / "bigsyn/src/expr.rs", "bigsyn@0.1.0"),
        }
        for label, (path, crate_id) in targets.items():
            original = path.read_text()
            times: list[float] = []
            search: list[float] = []
            for i in range(args.edits):
                # a changed body and a new public fn: items, edges and paths all move
                path.write_text(
                    original + f"\npub fn bench_edit_{i % 4}() -> usize {{\n    {i}\n}}\n"
                )
                started = time.perf_counter()
                report = indexer.run(
                    workspace,
                    plan_dependencies=False,
                    auto_snapshot=False,
                    focus={crate_id},
                )
                times.append(time.perf_counter() - started)
                assert report.crates_updated[:1] == [crate_id], report.to_json()
                search.append(_refresh_search(indexer, index_dir, report.crates_updated))
            path.write_text(original)
            indexer.run(workspace, plan_dependencies=False, auto_snapshot=False, focus={crate_id})
            print(
                f"one-file edit in {label}: structural p50 {median_ms(times)}, "
                f"p90 {p90(times) * 1000:.0f} ms; lexical refresh p50 {median_ms(search)}"
            )
    _embedding_figure()


def _refresh_search(indexer: Indexer, index_dir: Path, crates: list[str]) -> float:
    from rustrag.retrieve.build import refresh_search_indexes

    started = time.perf_counter()
    refresh_search_indexes(indexer.store, index_dir, embed=False, changed_crates=crates)
    return time.perf_counter() - started


def _embedding_figure() -> None:
    """Embedding the items one edit changes (a fn and its neighbour: 2 texts)."""
    try:
        from rustrag.index.embedders import load_default_embedder

        embedder = load_default_embedder()
    except Exception as exc:  # no model on this machine: say so, do not fail
        print(f"embedding of changed items: not measured ({exc})")
        return
    texts = ["pub fn bench_edit_1() -> usize", "pub fn edited() -> usize { 0 }"]
    embedder.embed(texts)  # load and warm
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        embedder.embed(texts)
        samples.append(time.perf_counter() - started)
    print(f"embedding the changed items (2 texts, {embedder.name}): median {median_ms(samples)}")


if __name__ == "__main__":
    main()
