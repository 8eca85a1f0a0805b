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

from rustrag.api import NotFound, NotIndexed, Workspace
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
        run = SearchRun(analysis)
        if not analysis.text:
            return run
        scope = self._scope(ws, options)
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
        if "dense" in options.signals and options.dense is not False:
            # (embedding the query on a thread beside the exact and lexical signals ran
            # slower: both sides need the GIL between their C calls, and a thread waiting
            # for it waits out the 5 ms switch interval)
            run.dense_status = self._dense(analysis, options, mask, lex_rows, ranked)
        params = options.fusion
        fused = fuse(ranked, params.weights, params.k)
        notes: dict[str, str] = {}
        vias: dict[str, str] = {}
        if "graph" in options.signals:
            fused = self._expand(ws, analysis, options, fused, ranked, named_in, notes, vias)
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
            items = {item.item_id: item for item in ws.store.items([i for i, _, _ in part])}
            for item_id, score, signals in part:
                item = items.get(item_id)
                if item is not None:
                    run.hits.append(self._hit(ws, item, score, signals, vias, notes))
        return run

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
            allowed &= {_crate_id(ws, options.crate)}
        elif not options.all_versions:
            allowed &= _current_versions(ws)
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
        analysis: QueryAnalysis,
        options: SearchOptions,
        mask: Mask | None,
        lex_rows: list[int],
        ranked: dict[str, list[str]],
    ) -> str:
        if not self.dense.ready(self.row_of):
            return self.dense.unavailable
        candidates: list[int] | None = None
        if len(self.ids) > options.dense_full_max_rows:
            exact_rows = [self.row_of.get(i) for i in ranked.get("exact", [])]
            candidates = lex_rows + [r for r in exact_rows if r is not None]
        rows = self.dense.search(
            analysis.text, LEXICAL_DEPTH, mask if candidates is None else None, candidates
        )
        ranked["dense"] = [self.ids[row] for row in rows]
        return "candidates" if candidates is not None else "full"

    def _expand(
        self,
        ws: Workspace,
        analysis: QueryAnalysis,
        options: SearchOptions,
        fused: list[tuple[str, float, dict[str, int]]],
        ranked: dict[str, list[str]],
        named_in: dict[str, frozenset[str]],
        notes: dict[str, str],
        vias: dict[str, str],
    ) -> list[tuple[str, float, dict[str, int]]]:
        if analysis.exact and not ranked.get("exact"):
            # named something the current versions lack: maybe an older version has it
            current = current_versions(ws)
            for replacement in graph.replacements(ws, analysis, current, named_in):
                ranked.setdefault("exact", []).append(replacement.item_id)
                notes[replacement.item_id] = replacement.note
        params = options.fusion
        if notes:  # replacements joined the exact list: fuse again
            fused = fuse(ranked, params.weights, params.k)
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


_CURRENT: weakref.WeakKeyDictionary[Workspace, tuple[object, object, dict[str, str]]] = (
    weakref.WeakKeyDictionary()
)


def current_versions(ws: Workspace) -> dict[str, str]:
    """Crate name → the crate id searches use by default: the version the project
    depends on directly, else (several versions indexed as members or transitively) the
    newest. Unlike the name lookup's rule, a workspace listing clap 2, 3 and 4 side by
    side (a corpus, not a project) gets clap 4. Remembered while the workspace keeps
    the same crates and scope (every search asks)."""
    crates, scope = ws.crates(), ws.scope()
    known = _CURRENT.get(ws)
    if known is None or known[0] is not crates or known[1] is not scope:
        known = _CURRENT[ws] = (crates, scope, _current_versions_of(ws))
    return dict(known[2])


def _current_versions_of(ws: Workspace) -> dict[str, str]:
    scope = ws.scope()
    direct = set(scope.direct.values())
    best: dict[str, tuple[tuple[int, tuple[int, ...]], str]] = {}
    for crate_id, stored in ws.crates().items():
        source = stored.crate
        key = (0 if crate_id in direct else 1, tuple(-p for p in _version_key(source.version)))
        if source.name not in best or key < best[source.name][0]:
            best[source.name] = (key, crate_id)
    return {name: crate_id for name, (_, crate_id) in best.items()}


def _version_key(version: str) -> tuple[int, ...]:
    core = version.split("+")[0].split("-")[0]
    return tuple(int(p) if p.isdigit() else 0 for p in core.split("."))


def _crate_id(ws: Workspace, crate: str) -> str:
    """NAME@VERSION as given, or NAME → its default version (see current_versions)."""
    if crate in ws.crates():
        return crate
    name = crate.partition("@")[0]
    current = current_versions(ws)
    for stored in ws.crates().values():
        if name in (stored.crate.name, stored.crate.extern_name):
            return current[stored.crate.name]
    known = ", ".join(sorted(ws.crates())) or "none"
    raise NotFound(f"crate `{crate}` is not in the index (indexed: {known}); see `rustrag deps`")


def _current_versions(ws: Workspace) -> set[str]:
    return set(current_versions(ws).values())


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
