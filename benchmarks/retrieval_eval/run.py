"""Run the eval: every configuration on every query, fusion tuned on dev, report on test.

    python -m benchmarks.retrieval_eval.run WORK_DIR [--out benchmarks/out/retrieval_eval.json]

Configurations (signals fused): lexical (BM25 alone), dense (MiniLM alone), hybrid
(exact names + BM25 + dense), hybrid+graph (all, the default search), and
hybrid+graph/cand (dense scores only the BM25 and exact candidates, as on indexes over
FULL_DENSE_MAX_ROWS rows), and no-dense (exact + BM25 + graph: what search answers
before the vectors are ready).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks.retrieval_eval.metrics import first_relevant, summarise
from benchmarks.retrieval_eval.tuning import params_of, tune
from rustrag.api import Workspace
from rustrag.retrieve.fusion import DEFAULT_FUSION, FusionParams
from rustrag.retrieve.searcher import Searcher, SearchOptions, searcher_for

CONFIGS: Mapping[str, frozenset[str]] = {
    "lexical": frozenset({"lexical"}),
    "dense": frozenset({"dense"}),
    "hybrid": frozenset({"exact", "lexical", "dense"}),
    "hybrid+graph": frozenset({"exact", "lexical", "dense", "graph"}),
    "hybrid+graph/cand": frozenset({"exact", "lexical", "dense", "graph"}),
    "no-dense": frozenset({"exact", "lexical", "graph"}),
}
SETS = ("docs", "ident", "outdated")


def run_config(
    ws: Workspace,
    searcher: Searcher,
    queries: list[dict[str, Any]],
    signals: frozenset[str],
    fusion: FusionParams,
    candidates_only: bool = False,
) -> tuple[list[int | None], list[dict[str, list[str]]], list[float]]:
    ranks: list[int | None] = []
    recorded: list[dict[str, list[str]]] = []
    millis: list[float] = []
    options = SearchOptions(k=10, signals=signals, dense=None, fusion=fusion)
    if candidates_only:  # dense re-ranks BM25/exact candidates, as on large indexes
        options.dense_full_max_rows = 0
    for query in queries:
        started = time.perf_counter()
        run = searcher.run(ws, query["text"], options)
        millis.append((time.perf_counter() - started) * 1000)
        if "dense" in signals and run.dense_status not in ("full", "candidates"):
            raise SystemExit(f"dense search unavailable: {run.dense_status}")
        ranks.append(first_relevant([h.view.item.item_id for h in run.hits], query["relevant"]))
        recorded.append({s: list(ids) for s, ids in run.ranked.items()})
    return ranks, recorded, millis


def table(
    ws: Workspace,
    searcher: Searcher,
    queries: list[dict[str, Any]],
    fusion: FusionParams,
    with_dense: bool = True,
) -> tuple[dict[str, Any], list[dict[str, list[str]]]]:
    results: dict[str, Any] = {}
    recorded: list[dict[str, list[str]]] = []
    for name, signals in CONFIGS.items():
        if "dense" in signals and not with_dense:
            continue
        cand = name.endswith("/cand")
        ranks, ranked, millis = run_config(ws, searcher, queries, signals, fusion, cand)
        if name == ("hybrid+graph" if with_dense else "no-dense"):
            recorded = ranked
        results[name] = {
            s: summarise([r for r, q in zip(ranks, queries, strict=True) if q["set"] == s])
            for s in SETS
        }
        results[name]["median_ms"] = round(statistics.median(millis), 1)
        print(f"  {name:13} " + "  ".join(f"{s} {results[name][s]}" for s in SETS), flush=True)
    return results, recorded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("work", type=Path)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/retrieval_eval.json"))
    parser.add_argument("--no-dense", action="store_true", help="lexical, exact, graph only")
    args = parser.parse_args()
    data = json.loads((args.work / "queries.json").read_text())
    queries = data["queries"]
    ws = Workspace(args.work / "corpus", args.work / "index")
    searcher = searcher_for(ws)
    dev = [q for q in queries if q["split"] == "dev"]
    test = [q for q in queries if q["split"] == "test"]
    print(f"dev ({len(dev)} queries), default fusion:")
    with_dense = not args.no_dense
    dev_default, recorded = table(ws, searcher, dev, DEFAULT_FUSION, with_dense)
    best, grid = tune([(q["set"], r, q["relevant"]) for q, r in zip(dev, recorded, strict=True)])
    tuned = params_of(best)
    print(f"tuned on dev: {best} (dev score {grid[0]['score']})")
    print(f"test ({len(test)} queries), default fusion:")
    test_default, _ = table(ws, searcher, test, DEFAULT_FUSION, with_dense)
    print("test, tuned fusion:")
    test_tuned, _ = table(ws, searcher, test, tuned, with_dense)
    report = {
        "meta": {
            **data["meta"],
            "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
            "default_fusion": _params_json(DEFAULT_FUSION),
            "tuned_fusion": _params_json(tuned),
        },
        "dev_default": dev_default,
        "test_default": test_default,
        "test_tuned": test_tuned,
        "grid_top10": grid[:10],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(f"wrote {args.out}")


def _params_json(params: FusionParams) -> dict[str, Any]:
    return {"weights": dict(params.weights), "k": params.k, "exact_first": params.exact_first}


if __name__ == "__main__":
    main()
