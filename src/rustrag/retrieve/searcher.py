"""Hybrid search: exact names, BM25, dense vectors and the code graph, fused by rank.

A `Searcher` holds the memory-mapped snapshots of one index and is kept per `Workspace`
(`searcher_for`), so a long-lived process (the MCP server) pays the loading once; it
reloads by itself when `rustrag index` writes a new snapshot.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from rustrag.api import NotIndexed, Workspace
from rustrag.index.snapshot import SnapshotError
from rustrag.model import Item
from rustrag.retrieve import graph, layout
from rustrag.retrieve.build import load_lexical
from rustrag.retrieve.catalog import IdCatalog, NameMatch, RowIds, split_id
from rustrag.retrieve.dense import DenseSearch
from rustrag.retrieve.filters import Origin, SearchScope, crates_by_origin
from rustrag.retrieve.fusion import DEFAULT_FUSION, FusionParams, final_order, fuse
from rustrag.retrieve.hits import SearchHit, use_path
from rustrag.retrieve.query import QueryAnalysis, analyse
from rustrag.retrieve.rows import Mask
from rustrag.store.records import MATCH_RANK

if TYPE_CHECKING:  # the embedders module (urllib, 40 ms) loads with the first dense query
    from rustrag.index.embedders import PendingVector

IMPORT_KINDS = frozenset({"use", "extern_crate"})
LEXICAL_DEPTH = 100  # BM25 hits fused (and the dense candidate set at large scale)
EXACT_DEPTH = 10
# Above this many rows, dense scores only the lexical/exact candidates instead of the
# whole matrix: a full pass over 57k vectors (the 648k-line corpus) costs 10-20 ms on
# 2 shared cores, the whole warm budget. Below it, the full pass finds what BM25
# missed; the retrieval eval reports both modes (benchmarks/retrieval_eval).
FULL_DENSE_MAX_ROWS = 30_000

SIGNALS = ("exact", "lexical", "dense", "graph")
_MASKS_KEPT = 32  # filter masks kept per searcher (65k rows: 65 kB each)


@dataclass(slots=True)
class SearchOptions:
    k: int = 10
    crate: str | None = None  # NAME (its current version) or NAME@VERSION
    kinds: Sequence[str] | None = None
    origin: Origin = "all"
    all_versions: bool = False  # else one version per crate name: the one the project uses
    signals: frozenset[str] = frozenset(SIGNALS)
    dense: bool | None = None  # None: when vectors are ready; False: never load the model
    fusion: FusionParams = DEFAULT_FUSION
    dense_full_max_rows: int = FULL_DENSE_MAX_ROWS


@dataclass(slots=True)
class SearchRun:
    """A search's hits plus what it could use (for people, tests and the eval)."""

    query: QueryAnalysis
    hits: list[SearchHit] = field(default_factory=list)
    dense_status: str = "off"
    ranked: dict[str, list[str]] = field(default_factory=dict)  # per signal, best first


class Searcher:
    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._stamp = self._snapshot_stamp()
        try:
            self.lexical, self.rows = load_lexical(index_dir, verify=False)
        except SnapshotError as exc:
            raise NotIndexed(
                f"no search index in {layout.search_dir(index_dir)} ({exc}); "
                "run `rustrag index` to build it"
            ) from exc
        self.dense = DenseSearch(index_dir)
        self.edges = graph.EdgeCache()
        self._catalog: IdCatalog | None = None
        self._ids: RowIds | None = None
        self._row_of: dict[str, int] | None = None
        self._masks: dict[SearchScope, Mask | None] = {}

    def _snapshot_stamp(self) -> float:
        try:
            return (layout.bm25_dir(self.index_dir) / "manifest.json").stat().st_mtime
        except OSError:
            return 0.0

    def is_current(self) -> bool:
        return self._snapshot_stamp() == self._stamp

    @property
    def ids(self) -> RowIds:
        """Row -> item id (`IdList[row]` slices a memory map per call: 0.1 ms, which at
        100 rows per signal was 20 ms a query)."""
        if self._ids is None:
            self._ids = RowIds(self.lexical.ids)
        return self._ids

    @property
    def row_of(self) -> dict[str, int]:
        """Item id -> its live row (for dense search only: ~15 ms to build)."""
        if self._row_of is None:
            ids, live = self.ids, self.rows.live.tolist()
            self._row_of = {ids[r]: r for r in range(len(ids)) if live[r]}
        return self._row_of

    @property
    def catalog(self) -> IdCatalog:
        if self._catalog is None:
            live, public = self.rows.live.tolist(), self.rows.public.tolist()
            self._catalog = IdCatalog(self.ids, live, public)
        return self._catalog

    def run(self, ws: Workspace, query: str, options: SearchOptions) -> SearchRun:
        analysis = analyse(query)
        if not analysis.text:
            return SearchRun(analysis)
        # All of a search's reads from one state of the index, checked once (not per
        # read); a commit landing meanwhile (`rustrag watch`) makes it search again.
        return ws.store.consistent(lambda: self._run(ws, analysis, options))

    def _run(self, ws: Workspace, analysis: QueryAnalysis, options: SearchOptions) -> SearchRun:
        run = SearchRun(analysis)
        scope = self._scope(ws, options)  # raises on an unknown crate: before the model runs
        # The query's embedding starts next: it runs on onnxruntime's thread while the
        # exact, lexical and outdated-name signals are computed here.
        pending = self._start_dense(analysis, options, run)
        try:
            return self._rank(ws, analysis, options, scope, run, pending)
        except BaseException:
            if pending is not None:
                pending.settle()  # never exit with the model still running
            raise

    def _rank(
        self,
        ws: Workspace,
        analysis: QueryAnalysis,
        options: SearchOptions,
        scope: SearchScope,
        run: SearchRun,
        pending: PendingVector | None,
    ) -> SearchRun:
        ranked: dict[str, list[str]] = {}
        named_in: dict[str, frozenset[str]] = {}  # name -> crates the store knows it in
        if "exact" in options.signals and analysis.exact:
            ranked["exact"] = self._exact(ws, analysis, scope, named_in)
        mask = self._mask(scope)
        lex_rows: list[int] = []
        if "lexical" in options.signals:
            found = self.lexical.search(analysis.lexical_text, LEXICAL_DEPTH, mask)
            lex_rows = [row for row, _ in found]
            ranked["lexical"] = [self.ids[row] for row in lex_rows]
        notes: dict[str, str] = {}
        if "graph" in options.signals and analysis.exact and not ranked.get("exact"):
            self._add_replacements(ws, analysis, ranked, named_in, notes)
        known: dict[str, Item] = {}  # items read while the embedding was computed
        if pending is not None:
            if not pending.done():
                known = self._read_likely_hits(ws, analysis, options, scope, ranked)
            run.dense_status = self._dense(pending, options, mask, lex_rows, ranked)
        params = options.fusion
        fused = fuse(ranked, params.weights, params.k)
        vias: dict[str, str] = {}
        if "graph" in options.signals:
            fused = self._expand(ws, analysis, options, fused, ranked, vias)
        run.ranked = ranked
        ordered = final_order(fused, params)
        # The filters are checked on the ids (crate and kind are part of them), so the
        # store is asked for exactly the items still missing: one round trip of k items
        # in the usual case, another only for items gone since the snapshot.
        wanted = (f for f in ordered if scope.allows(*_crate_and_kind(f[0])))
        while len(run.hits) < options.k:
            part = list(islice(wanted, options.k - len(run.hits)))
            if not part:
                break
            missing = [i for i, _, _ in part if i not in known]
            if missing:
                known.update((item.item_id, item) for item in ws.store.items(missing))
            for item_id, score, signals in part:
                item = known.get(item_id)
                if item is not None:
                    run.hits.append(self._hit(ws, item, score, signals, vias, notes))
        return run

    def _start_dense(
        self, analysis: QueryAnalysis, options: SearchOptions, run: SearchRun
    ) -> PendingVector | None:
        if "dense" not in options.signals or options.dense is False:
            return None
        if not self.dense.ready(self.row_of):
            run.dense_status = self.dense.unavailable
            return None
        return self.dense.start(analysis.text)

    def _read_likely_hits(
        self,
        ws: Workspace,
        analysis: QueryAnalysis,
        options: SearchOptions,
        scope: SearchScope,
        ranked: dict[str, list[str]],
    ) -> dict[str, Item]:
        """While the query's embedding is computed (on the other core): the items the
        ranking without it puts first, with the edges its graph step reads. (Dense
        promotes lexical candidates from ranks 20-90 as often as not, and reading more
        of them while waiting, k at a time until the embedding was ready, measured no
        faster: the read in flight when it is ready delays the answer.)"""
        params = options.fusion
        likely = dict(ranked)
        fused = fuse(likely, params.weights, params.k)
        if "graph" in options.signals:
            fused = self._expand(ws, analysis, options, fused, likely, {})
        order = final_order(fused, params)
        allowed = (i for i, _, _ in order if scope.allows(*_crate_and_kind(i)))
        wanted = list(islice(allowed, options.k))
        return {item.item_id: item for item in ws.store.items(wanted)} if wanted else {}

    # -- signals ----------------------------------------------------------------------

    def _mask(self, scope: SearchScope) -> Mask | None:
        """The scope's row mask, kept: most searches of a process share their scope."""
        if scope not in self._masks:
            if len(self._masks) >= _MASKS_KEPT:
                self._masks.clear()
            self._masks[scope] = scope.mask(self.rows)
        return self._masks[scope]

    def _scope(self, ws: Workspace, options: SearchOptions) -> SearchScope:
        crates = {cid: stored.crate.source for cid, stored in ws.crates().items()}
        allowed = set(crates_by_origin(crates, options.origin))
        if options.crate is not None:
            allowed &= {ws.crate_id_of(options.crate)}
        elif not options.all_versions:
            allowed &= set(ws.current_versions().values())
        kinds = frozenset(options.kinds) if options.kinds else None
        every = options.origin == "all" and len(allowed) == len(crates)
        return SearchScope(None if every else frozenset(allowed), kinds)

    def _exact(
        self,
        ws: Workspace,
        analysis: QueryAnalysis,
        scope: SearchScope,
        named_in: dict[str, frozenset[str]],
    ) -> list[str]:
        found: list[str] = []
        for name in analysis.exact[:8]:
            matches = [
                m
                for m in self.catalog.named(name)
                if (parts := split_id(m.item_id)).kind not in IMPORT_KINDS
                and scope.allows(parts.crate_id, parts.kind)
            ]
            if not matches:
                matches = self._exact_from_store(ws, name, scope, named_in)
            # a bare name matches every `new`: keep exact hits for specific names only
            if analysis.kind == "code" and len(matches) > EXACT_DEPTH:
                continue
            matches.sort(key=lambda m: (m.rank, not m.public, m.path_len))
            found.extend(m.item_id for m in matches[:EXACT_DEPTH])
        return list(dict.fromkeys(found))

    def _exact_from_store(
        self, ws: Workspace, name: str, scope: SearchScope, named_in: dict[str, frozenset[str]]
    ) -> list[NameMatch]:
        """The store's lookup, which also matches public paths (re-exports under another
        name) that the catalog of canonical ids cannot see. When it saw every match (well
        under its limit), `named_in[name]` records the crates that have any, so the
        outdated-name step asks the store only about those (graph.replacements)."""
        limit = EXACT_DEPTH * 3
        found = ws.store.find_items(name, limit=limit)
        # half the limit: the store fetches 2 x limit rows and drops an item's tied
        # second paths, so a list that short cannot have been cut
        if len(found) <= limit // 2:
            named_in[name] = frozenset(m.item.crate_id for m in found)
        return [
            NameMatch(m.item.item_id, MATCH_RANK[m.match], m.item.public, len(m.item.path))
            for m in found
            if m.item.kind not in IMPORT_KINDS and scope.allows(m.item.crate_id, m.item.kind)
        ]

    def _dense(
        self,
        query: PendingVector,
        options: SearchOptions,
        mask: Mask | None,
        lex_rows: list[int],
        ranked: dict[str, list[str]],
    ) -> str:
        candidates: list[int] | None = None
        if len(self.ids) > options.dense_full_max_rows:
            exact_rows = [self.row_of.get(i) for i in ranked.get("exact", [])]
            candidates = lex_rows + [r for r in exact_rows if r is not None]
        from rustrag.index.embedders import EmbedderUnavailable  # loaded with the model

        try:
            rows = self.dense.search(
                query, LEXICAL_DEPTH, mask if candidates is None else None, candidates
            )
        except EmbedderUnavailable as exc:  # the model failed on this query: rank without it
            return f"failed: {exc}"
        ranked["dense"] = [self.ids[row] for row in rows]
        return "candidates" if candidates is not None else "full"

    def _add_replacements(
        self,
        ws: Workspace,
        analysis: QueryAnalysis,
        ranked: dict[str, list[str]],
        named_in: dict[str, frozenset[str]],
        notes: dict[str, str],
    ) -> None:
        """The query named something the current versions lack: maybe an older version
        has it, and the API diff knows its replacement, which joins the exact list."""
        current = ws.current_versions()
        for replacement in graph.replacements(ws, analysis, current, named_in):
            ranked.setdefault("exact", []).append(replacement.item_id)
            notes[replacement.item_id] = replacement.note

    def _expand(
        self,
        ws: Workspace,
        analysis: QueryAnalysis,
        options: SearchOptions,
        fused: list[tuple[str, float, dict[str, int]]],
        ranked: dict[str, list[str]],
        vias: dict[str, str],
    ) -> list[tuple[str, float, dict[str, int]]]:
        """The neighbours of the best hits join as the graph signal (fused again)."""
        params = options.fusion
        top = [i for i, _, _ in fused[: graph.EXPANDED_HITS]]
        query_words = {w.lower() for w in analysis.lexical_text.replace("::", " ").split()}

        def wanted(name: str) -> int:
            return 0 if name.lower() in query_words else 1

        expanded: list[str] = []
        self.edges.prefetch(ws, top)
        for item_id in top:
            for neighbour in graph.neighbours(ws, self.catalog, self.edges, item_id, wanted):
                if neighbour.item_id not in vias:
                    vias[neighbour.item_id] = neighbour.via
                    expanded.append(neighbour.item_id)
        if expanded:
            ranked["graph"] = expanded
        return fuse(ranked, params.weights, params.k) if expanded else fused

    def _hit(
        self,
        ws: Workspace,
        item: Item,
        score: float,
        signals: dict[str, int],
        vias: dict[str, str],
        notes: dict[str, str],
    ) -> SearchHit:
        via = vias.get(item.item_id, "") if set(signals) == {"graph"} else ""
        return SearchHit(
            view=ws.view(item),
            score=score,
            signals=signals,
            use_path=use_path(item.paths, item.path, item.kind),
            via=via,
            note=notes.get(item.item_id, ""),
        )


def _crate_and_kind(item_id: str) -> tuple[str, str]:
    parts = split_id(item_id)
    return parts.crate_id, parts.kind


_SEARCHERS: weakref.WeakKeyDictionary[Workspace, Searcher] = weakref.WeakKeyDictionary()


def searcher_for(ws: Workspace) -> Searcher:
    """The workspace's searcher, reloaded when a newer snapshot was written."""
    searcher = _SEARCHERS.get(ws)
    if searcher is None or not searcher.is_current():
        ws.store  # noqa: B018 (raises NotIndexed with the right advice when there is no index)
        searcher = _SEARCHERS[ws] = Searcher(ws.index_dir)
    return searcher


def search(ws: Workspace, query: str, options: SearchOptions | None = None) -> SearchRun:
    return searcher_for(ws).run(ws, query, options or SearchOptions())
