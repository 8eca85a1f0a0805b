"""Incremental indexing figures on a large real corpus.

Builds (once, under --work) a workspace of two members and many real Debian crates
(~1M lines with the default dependency list): `app`, a small member, and `bigsyn`, a
member holding a copy of syn 1.0.107's sources (57k lines), so that an edit to a big
crate of the user's own is measured too. Then prints:

* the clean index time;
* no-op re-index (`index_workspace`, in process; and the `rustrag index` CLI, with
  Python start-up): median of --runs;
* one-file edit to index current, in a warm `Indexer` as `rustrag watch` holds it, for
  several kinds of edit (a body edit adding or removing a line mid-file, a signature
  edit, a new pub fn) in bigsyn's largest file (expr.rs, 3.6k lines), in a typical one
  (data.rs) and in `app`: structural (scan, parse, incremental or full resolve, delta,
  write) p50/p90 wall and p50 CPU of this process, and the same plus the lexical
  refresh and the embedding of the changed items whose fingerprint is new (as the
  embedding job would), with the default embedder when it loads; and how many edits
  the incremental resolve took (the rest were resolved in full).

    /work/venv/bin/python -m benchmarks.bench_incremental --work /tmp/rustrag-bench-inc

The machine is shared with other work: figures are medians, and noisy; the load average
is printed when the edits start and end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.debian_project import lock_against_debian

if TYPE_CHECKING:
    from rustrag.index.embedders import Embedder
    from rustrag.model import Workspace
    from rustrag.pipeline import Indexer, IndexReport

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
    from rustrag.retrieve.build import refresh_search_indexes

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
    embedder = _load_embedder()
    with Indexer(index_dir, keep_warm=True) as indexer:
        indexer.run(workspace)  # warm up: parses, rows and resolutions stay in memory
        refresh_search_indexes(indexer.store, index_dir, embed=False)
        print(f"edits start at {_load()}")
        for label, path, crate_id, edit in _edit_kinds(root):
            _measure(
                indexer, index_dir, workspace, embedder, label, path, crate_id, edit, args.edits
            )
        _measure_each_file(indexer, workspace, root / "bigsyn/src", "bigsyn@0.1.0")
        print(f"edits end at {_load()}")


def _measure_each_file(indexer: Indexer, workspace: Workspace, src: Path, crate_id: str) -> None:
    """One edit (a new pub fn at the end) to every file of a crate in turn: the spread an
    editing session sees, from small files to syn's 3.6k-line `expr.rs`."""
    samples: list[tuple[float, str, int]] = []
    for path in sorted(src.rglob("*.rs")):
        original = path.read_text()
        try:
            path.write_text(_append_fn(original, 0))
            started = time.perf_counter()
            indexer.run(workspace, plan_dependencies=False, auto_snapshot=False, focus={crate_id})
            lines = original.count("\n") + 1
            samples.append((time.perf_counter() - started, path.name, lines))
        finally:
            path.write_text(original)
            indexer.run(workspace, plan_dependencies=False, auto_snapshot=False, focus={crate_id})
    times = [t for t, _, _ in samples]
    slowest = max(samples)
    print(
        f"one edit to each of the {len(samples)} files of {crate_id}: structural p50 "
        f"{median_ms(times)}, p90 {p90_ms(times)}; slowest {slowest[0] * 1000:.0f} ms "
        f"({slowest[1]}, {slowest[2]} lines)"
    )


def _measure(
    indexer: Indexer,
    index_dir: Path,
    workspace: Workspace,
    embedder: Embedder | None,
    label: str,
    path: Path,
    crate_id: str,
    edit: Edit,
    edits: int,
) -> None:
    from rustrag.retrieve.build import refresh_search_indexes

    original = path.read_text()
    seen = {i.raw.fingerprint for i in indexer.store.crate_items(crate_id)}
    structural: list[float] = []
    cpu: list[float] = []  # this process's CPU time: less at the mercy of other load
    total: list[float] = []
    patched = 0
    try:
        for i in range(edits):
            path.write_text(edit(original, i))
            started = time.perf_counter()
            cpu_started = time.process_time()
            report = indexer.run(
                workspace, plan_dependencies=False, auto_snapshot=False, focus={crate_id}
            )
            structural.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            assert report.crates_updated[:1] == [crate_id], report.to_json()
            patched += report.crates_patched == [crate_id]
            refresh_search_indexes(
                indexer.store,
                index_dir,
                embed=False,
                changed_crates=report.crates_updated,
                item_changes=report.item_changes,
            )
            _embed_changed(indexer, embedder, crate_id, report, seen)
            total.append(time.perf_counter() - started)
    finally:
        path.write_text(original)
        indexer.run(workspace, plan_dependencies=False, auto_snapshot=False, focus={crate_id})
    print(
        f"{label}: structural p50 {median_ms(structural)}, p90 {p90_ms(structural)} "
        f"(CPU p50 {median_ms(cpu)}); "
        f"with lexical refresh and embedding of the changed items p50 {median_ms(total)}, "
        f"p90 {p90_ms(total)} ({patched}/{edits} incremental resolves)"
    )


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def p90_ms(samples: list[float]) -> str:
    return f"{p90(samples) * 1000:.0f} ms"


Edit = Callable[[str, int], str]


def _swap(old: str, new: str) -> Edit:
    """Every other edit writes `new` in place of `old`; the ones between restore it."""

    def apply(text: str, i: int) -> str:
        assert old in text, old
        return text.replace(old, new, 1) if i % 2 == 0 else text

    return apply


def _append_fn(text: str, i: int) -> str:
    return text + f"\npub fn bench_edit_{i % 4}() -> usize {{\n    {i}\n}}\n"


def _edit_kinds(root: Path) -> list[tuple[str, Path, str, Edit]]:
    """(label, file, crate, edit): a body edit that adds or removes a line (every item
    below it moves), a signature edit, and a new pub fn at the end of the file."""
    expr = root / "bigsyn/src/expr.rs"
    app = root / "app/src/edits.rs"
    big, small = "bigsyn@0.1.0", "app@0.1.0"
    paren = "fn expr_paren(input: ParseStream) -> Result<ExprParen> {\n"
    ret = "fn expr_ret(input: ParseStream, allow_struct: AllowStruct)"
    data = root / "bigsyn/src/data.rs"
    is_empty = "    pub fn is_empty(&self) -> bool {\n"
    return [
        (
            "bigsyn expr.rs (3.6k lines): body edit, a line added/removed mid-file",
            expr,
            big,
            _swap(paren, paren + "        let _b = 1;\n"),
        ),
        (
            "bigsyn expr.rs: signature edit",
            expr,
            big,
            _swap(ret, ret.replace("ParseStream", "ParseStream<'_>")),
        ),
        ("bigsyn expr.rs: add a pub fn", expr, big, _append_fn),
        (
            "bigsyn data.rs (500 lines, a typical file): body edit adding a line",
            data,
            big,
            _swap(is_empty, is_empty + "        let _b = 1;\n"),
        ),
        ("bigsyn data.rs: add a pub fn", data, big, _append_fn),
        ("app (small member): body edit", app, small, _swap("    0\n", "    1\n    + 1\n")),
        ("app: signature edit", app, small, _swap("-> usize {", "-> u64 {")),
        ("app: add a pub fn", app, small, _append_fn),
    ]


def _load_embedder() -> Embedder | None:
    try:
        from rustrag.index.embedders import load_default_embedder

        embedder = load_default_embedder()
        embedder.embed(["warm up"])
    except Exception as exc:  # no model on this machine: say so, do not fail
        print(f"embedding of changed items: not measured ({exc})")
        return None
    print(f"embedder: {embedder.name}")
    return embedder


def _embed_changed(
    indexer: Indexer,
    embedder: Embedder | None,
    crate_id: str,
    report: IndexReport,
    seen: set[str],
) -> None:
    """Embed the changed items whose fingerprint is new, as the embedding job would (its
    cache is keyed by fingerprint: an item that only moved is not embedded again)."""
    from rustrag.index.documents import embedding_text
    from rustrag.retrieve.documents import item_documents

    changes = report.item_changes.get(crate_id)
    if embedder is None or changes is None:
        return
    texts: list[str] = []
    for doc, _facts in item_documents(indexer.store, crate_id, changes.item_ids):
        if doc.fingerprint not in seen:
            seen.add(doc.fingerprint)
            texts.append(embedding_text(doc))
    if texts:
        embedder.embed(texts)


if __name__ == "__main__":
    main()
