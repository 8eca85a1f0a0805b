"""Weighted reciprocal-rank fusion of ranked lists from several signals.

RRF needs no score calibration between BM25 and cosine similarity, which live on
unrelated scales. `FusionParams` holds what the retrieval eval tunes
(benchmarks/retrieval_eval): the weight of each signal, RRF's k, and whether exact-name
hits are put before everything else whatever their fused score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# Tuned on the eval's dev split (benchmarks/out/retrieval_eval.json, 309 queries): k 60
# -> 10 puts more weight on the top of each list, where BM25 and MiniLM are reliable,
# and exact 4 -> 2 is enough because exact hits are put first anyway. On the held-out
# split the macro MRR@10 moved 0.674 -> 0.677 (docs 0.160 -> 0.174, outdated names
# 0.861 -> 0.856): within noise, and no worse anywhere that matters.
RRF_K = 10.0
DEFAULT_WEIGHTS: Mapping[str, float] = {"exact": 2.0, "lexical": 1.0, "dense": 0.8, "graph": 0.5}


@dataclass(slots=True, frozen=True)
class FusionParams:
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    k: float = RRF_K
    exact_first: bool = True  # exact-name hits rank before all others


DEFAULT_FUSION = FusionParams()


def fuse(
    ranked: Mapping[str, Sequence[str]],
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    k: float = RRF_K,
) -> list[tuple[str, float, dict[str, int]]]:
    """(id, fused score, {signal: 1-based rank}) best first; ties keep first-seen order."""
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for signal, ids in ranked.items():
        weight = weights.get(signal, 1.0)
        for rank, item_id in enumerate(ids, start=1):
            scores[item_id] = scores.get(item_id, 0.0) + weight / (k + rank)
            ranks.setdefault(item_id, {})[signal] = rank
    order = sorted(scores, key=lambda i: -scores[i])
    return [(i, scores[i], ranks[i]) for i in order]


def final_order(
    fused: list[tuple[str, float, dict[str, int]]], params: FusionParams
) -> list[tuple[str, float, dict[str, int]]]:
    """The fused list in presentation order (exact hits first when `params` says so)."""
    if not params.exact_first:
        return fused
    return sorted(fused, key=lambda f: ("exact" not in f[2], -f[1]))
