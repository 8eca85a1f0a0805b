"""Fusion tuning on the dev split, offline: the per-signal ranked lists of each query
are recorded once (`SearchRun.ranked`) and re-fused for every candidate setting.

The graph list is recorded from a run with the default fusion (the expanded hits are
the top 3 of that fusion), so a setting's graph signal is approximate; the reported
figures come from real searches with the chosen setting on the test split.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from benchmarks.retrieval_eval.metrics import first_relevant, summarise
from rustrag.retrieve.fusion import FusionParams, final_order, fuse

GRID: dict[str, Sequence[Any]] = {
    "k": (10.0, 30.0, 60.0),
    "exact": (2.0, 4.0, 8.0),
    "dense": (0.5, 0.8, 1.0, 1.5),
    "graph": (0.0, 0.25, 0.5, 1.0),
    "exact_first": (True, False),
}


def params_of(setting: Mapping[str, Any]) -> FusionParams:
    weights = {
        "exact": float(setting["exact"]),
        "lexical": 1.0,
        "dense": float(setting["dense"]),
        "graph": float(setting["graph"]),
    }
    return FusionParams(weights=weights, k=float(setting["k"]), exact_first=setting["exact_first"])


def refuse(ranked: Mapping[str, Sequence[str]], params: FusionParams) -> list[str]:
    signals = {s: ids for s, ids in ranked.items() if params.weights.get(s, 1.0) > 0}
    fused = final_order(fuse(signals, params.weights, params.k), params)
    return [item_id for item_id, _, _ in fused[:10]]


def tune(
    recorded: Sequence[tuple[str, Mapping[str, Sequence[str]], Sequence[str]]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """recorded: (query set, ranked lists, relevant ids) per dev query. Returns the best
    setting by the mean of the per-set MRR@10 (each query set counts the same) and the
    scores of every setting."""
    sets = sorted({s for s, _, _ in recorded})
    results: list[dict[str, Any]] = []
    for values in itertools.product(*GRID.values()):
        setting = dict(zip(GRID, values, strict=True))
        params = params_of(setting)
        per_set = {}
        for name in sets:
            ranks = [
                first_relevant(refuse(ranked, params), relevant)
                for s, ranked, relevant in recorded
                if s == name
            ]
            per_set[name] = summarise(ranks)["mrr@10"]
        score = sum(per_set.values()) / len(per_set)
        results.append({"setting": setting, "per_set": per_set, "score": round(score, 4)})
    results.sort(key=lambda r: -r["score"])
    return results[0]["setting"], results
