"""Recall@k and MRR@10 over ranked id lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

CUTOFFS = (1, 5, 10)


def first_relevant(ranked: Sequence[str], relevant: Iterable[str]) -> int | None:
    """1-based rank of the first relevant id within the top 10, else None."""
    wanted = set(relevant)
    for rank, item_id in enumerate(ranked[:10], start=1):
        if item_id in wanted:
            return rank
    return None


def summarise(ranks: Sequence[int | None]) -> dict[str, float]:
    n = len(ranks)
    if not n:
        return {"n": 0}
    out: dict[str, float] = {"n": n}
    for k in CUTOFFS:
        out[f"recall@{k}"] = round(sum(r is not None and r <= k for r in ranks) / n, 3)
    out["mrr@10"] = round(sum(1.0 / r for r in ranks if r is not None) / n, 3)
    return out
