"""`Workspace.context`: a question and/or a place in the code → a context pack."""

from __future__ import annotations

from rustrag.api import NotFound, Workspace
from rustrag.assemble.at import enclosing_candidates
from rustrag.assemble.pack import Candidate, ContextPack, build_pack
from rustrag.retrieve.searcher import SearchOptions, search

DEFAULT_BUDGET = 2000
SEARCH_DEPTH = 16  # more candidates than a budget usually holds, so skipped ones have stand-ins


def context_pack(
    ws: Workspace,
    query: str | None = None,
    *,
    at: str | None = None,
    budget: int = DEFAULT_BUDGET,
    crate: str | None = None,
    dense: bool | None = None,
) -> ContextPack:
    if not query and not at:
        raise NotFound("give a question (QUERY) or a place in the code (--at FILE:LINE)")
    candidates: list[Candidate] = []
    if at:
        candidates.extend(enclosing_candidates(ws, at))
    if query:
        run = search(ws, query, SearchOptions(k=SEARCH_DEPTH, crate=crate, dense=dense))
        for hit in run.hits:
            why = hit.note or hit.via or "matches: " + ", ".join(sorted(hit.signals))
            candidates.append(Candidate(hit.view, why))
    return build_pack(candidates, budget, query=query, at=at)
