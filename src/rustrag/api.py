"""`Workspace`: the one Python API. The CLI and the MCP server are shells over it.

Every query names its subject the way a user would (a name, a path, a path suffix such
as `Command::new`) and gets back plain dataclasses that serialise to JSON with
`to_json()`; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustrag.config import Limits, find_workspace_root, resolve_index_dir
from rustrag.model import Edge, Item
from rustrag.store import IndexMissing, Store
from rustrag.store.records import MATCH_RANK, ImplOf, ItemMatch, StoredCrate

# Everything below is imported where it is used: a CLI command or an MCP call loads
# only the stages it needs (the pipeline, apidiff and deps cost ~0.3 s to import).
if TYPE_CHECKING:  # check and llm import this module: only their types are needed here
    from collections.abc import Callable

    from rustrag.apidiff.entries import ApiDiff
    from rustrag.apidiff.outdated import Resolution, StaleInfo
    from rustrag.assemble.pack import ContextPack
    from rustrag.check import CheckReport, CheckSession
    from rustrag.deps.scope import ProjectScope
    from rustrag.deps.state import DepsUpdateReport
    from rustrag.deps.status import DepsStatus
    from rustrag.llm import AskResult, LlmConfig
    from rustrag.pipeline import IndexReport, Progress
    from rustrag.retrieve.hits import SearchHit
    from rustrag.update.snapshots import SnapshotInfo
    from rustrag.update.status import IndexStatus
    from rustrag.update.watch import Watcher, WatchEvent

TYPE_KINDS = ("struct", "enum", "union", "type_alias", "trait")
CALLABLE_KINDS = ("fn", "method")
IMPORT_KINDS = ("use", "extern_crate")


class NotIndexed(Exception):
    """There is no index at the expected place."""


class NotFound(Exception):
    """No item matches a query."""


@dataclass(slots=True)
class ItemView:
    """An item as shown to people and tools: where it is, what to write, what it says."""

    item: Item
    crate: str
    version: str
    crate_root: str

    def to_json(self) -> dict[str, Any]:
        raw = self.item.raw
        return {
            "item_id": self.item.item_id,
            "kind": self.item.kind,
            "name": self.item.name,
            "path": self.item.path,
            "paths": self.item.paths,
            "public": self.item.public,
            "crate": self.crate,
            "version": self.version,
            "crate_root": self.crate_root,
            "file": self.item.file,
            "line_start": raw.line_start,
            "line_end": raw.line_end,
            "signature": raw.signature,
            "docs": raw.docs,
            "visibility": self.item.visibility,
            "deprecated": raw.attrs.deprecated,
            "deprecated_note": raw.attrs.deprecated_note,
            "in_macro": raw.in_macro,
        }

    @property
    def label(self) -> str:
        return f"{self.crate}@{self.version}"

    @property
    def location(self) -> str:
        """`file:line`, relative to the current folder when the file is below it."""
        path = Path(self.crate_root, self.item.file)
        try:
            shown = path.relative_to(Path.cwd())
        except ValueError:
            shown = path
        return f"{shown}:{self.item.raw.line_start}"


@dataclass(slots=True)
class Relation:
    """One edge seen from one side, with the item at the other end when it is indexed."""

    kind: str
    target: str  # the path as written in the source
    line: int
    via: str
    other: ItemView | None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "line": self.line,
            "via": self.via,
            "item": self.other.to_json() if self.other else None,
        }


@dataclass(slots=True)
class ShowResult:
    item: ItemView
    alternatives: list[ItemView] = field(default_factory=list)  # other items the query matched
    children: list[ItemView] = field(default_factory=list)  # fields, variants, methods of an impl
    methods: list[ItemView] = field(default_factory=list)  # for types and traits
    impls: list[ImplView] = field(default_factory=list)  # traits a type implements / implementors
    outgoing: list[Relation] = field(default_factory=list)
    incoming: list[Relation] = field(default_factory=list)
    # set when the query named an item the current version lacks: `item` is then its
    # replacement (or, with none, the stale item itself) and this says why
    stale: StaleInfo | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item.to_json(),
            "stale": self.stale.to_json() if self.stale else None,
            "alternatives": [a.to_json() for a in self.alternatives],
            "children": [c.to_json() for c in self.children],
            "methods": [m.to_json() for m in self.methods],
            "impls": [i.to_json() for i in self.impls],
            "outgoing": [r.to_json() for r in self.outgoing],
            "incoming": [r.to_json() for r in self.incoming],
        }


@dataclass(slots=True)
class ImplView:
    trait: str  # trait path (or as written when unresolved)
    type_text: str
    via: str  # "derive" or ""
    impl_block: ItemView | None
    type_item: ItemView | None

    def to_json(self) -> dict[str, Any]:
        return {
            "trait": self.trait,
            "type": self.type_text,
            "via": self.via,
            "impl": self.impl_block.to_json() if self.impl_block else None,
            "type_item": self.type_item.to_json() if self.type_item else None,
        }


class Workspace:
    """A Rust workspace and its index."""

    def __init__(self, path: str | Path = ".", index_dir: str | Path | None = None) -> None:
        self.path = Path(path).resolve()
        root = find_workspace_root(self.path)
        self.root = root or self.path
        self.index_dir = resolve_index_dir(self.path, Path(index_dir) if index_dir else None)
        self._store: Store | None = None
        self._crates: dict[str, StoredCrate] | None = None
        self._scope: ProjectScope | None = None
        self._current: dict[str, str] | None = None
        self._cfg: dict[str, dict[str, list[str]]] = {}

    # -- building -------------------------------------------------------------------------

    def index(
        self,
        *,
        include_deps: bool = True,
        limits: Limits | None = None,
        progress: Progress | None = None,
        embed: bool = False,
    ) -> IndexReport:
        """`embed`: also start the background embedding job for dense search (the CLI
        asks for it unless --no-embed; a library call does not start processes unasked)."""
        self.close()  # a reader handle must not outlive the data it read
        from rustrag.pipeline import index_workspace

        return index_workspace(
            self.path,
            self.index_dir,
            limits=limits,
            include_deps=include_deps,
            progress=progress,
            embed=embed,
        )

    # -- staying current (rustrag.update) -------------------------------------------------

    def status(self, *, verify: bool = False) -> IndexStatus:
        """Crates, counts, sizes, the last run, stale dependencies; `verify` adds the
        integrity checks of rustrag.update.verify."""
        from rustrag.update.status import index_status

        return index_status(self.store, self.index_dir, self.root, verify=verify)

    def snapshot(self, reason: str = "") -> SnapshotInfo:
        """Copy the current index state under index_dir/snapshots/."""
        from rustrag.update.snapshots import take_snapshot

        return take_snapshot(self.store, self.index_dir, reason=reason, automatic=False)

    def snapshots(self) -> list[SnapshotInfo]:
        from rustrag.update.snapshots import list_snapshots

        return list_snapshots(self.index_dir)

    def rollback(self, snapshot_id: str | None = None) -> SnapshotInfo:
        """Restore a snapshot (the newest when None); IndexBusy while a writer runs."""
        from rustrag.update.snapshots import rollback

        self.close()  # no Cozo handle may be open in this process during the swap
        return rollback(self.index_dir, snapshot_id)

    def watcher(
        self,
        *,
        include_deps: bool = True,
        limits: Limits | None = None,
        embed: bool = False,
        on_event: Callable[[WatchEvent], None] | None = None,
    ) -> Watcher:
        """A `Watcher` on this workspace; `run()` it (it blocks until `stop_event`)."""
        from rustrag.update.watch import Watcher

        self.close()
        return Watcher(
            self.path,
            self.index_dir,
            limits=limits,
            include_deps=include_deps,
            embed=embed,
            on_event=on_event,
        )

    # -- reading --------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        if self._store is None:
            try:
                self._store = Store.open(self.index_dir, read_only=True)
            except IndexMissing as exc:
                raise NotIndexed(
                    f"no index at {self.index_dir}; run `rustrag index {self.path}` first"
                ) from exc
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
            self._crates = None
            self._scope = None
            self._current = None
            self._cfg = {}

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def crates(self) -> dict[str, StoredCrate]:
        if self._crates is None:
            self._crates = {c.crate.crate_id: c for c in self.store.crates()}
        return self._crates

    def view(self, item: Item) -> ItemView:
        stored = self.crates().get(item.crate_id)
        if stored is None:
            name, _, version = item.crate_id.partition("@")
            return ItemView(item, name, version, "")
        return ItemView(item, stored.crate.name, stored.crate.version, stored.crate.root)

    def _view_id(self, item_id: str | None) -> ItemView | None:
        if item_id is None:
            return None
        item = self.store.item(item_id)
        return self.view(item) if item else None

    def find(
        self,
        query: str,
        *,
        crate: str | None = None,
        kinds: Sequence[str] | None = None,
        limit: int = 20,
    ) -> list[ItemMatch]:
        crate_id = self._crate_id(crate)
        # Over-fetch, then prefer what this project resolves: with clap 3 and clap 4 both
        # indexed, the direct dependency's version comes first (see Workspace.scope).
        matches = self.store.find_items(query, crate_id=crate_id, kinds=kinds, limit=limit * 3)
        scope = self.scope()
        rank = MATCH_RANK
        matches.sort(key=lambda m: (rank[m.match], scope.rank(m.item.crate_id)))
        return matches[:limit]

    def resolve_one(
        self, query: str, *, crate: str | None = None, kinds: Sequence[str] | None = None
    ) -> tuple[ItemView, list[ItemView]]:
        """The best match for `query` and the other candidates, best first."""
        matches = self.find(query, crate=crate, kinds=kinds)
        if kinds is None:
            # A `use` binds a name without defining anything: show the definition, and the
            # imports only when nothing else carries the name.
            definitions = [m for m in matches if m.item.kind not in IMPORT_KINDS]
            matches = definitions or matches
        if not matches:
            scope = f" in {crate}" if crate else ""
            raise NotFound(
                f"nothing named `{query}`{scope} in the index at {self.index_dir}; "
                "try a shorter path suffix, or `rustrag index` if the code changed"
            )
        views = [self.view(m.item) for m in matches]
        return views[0], views[1:]

    def show(self, query: str, *, crate: str | None = None) -> ShowResult:
        from rustrag.apidiff.outdated import current_for_show, lookup_current

        try:
            best, others = self.resolve_one(query, crate=crate)
        except NotFound:
            # not in the chosen version: an older one may have it (rustrag.apidiff)
            resolution = lookup_current(self, query, crate=crate)
            if resolution.stale is None:
                raise
            best, others = resolution.item or resolution.stale.stale, []
            stale: StaleInfo | None = resolution.stale
        else:
            # never present a stale version's item as current (rustrag.apidiff)
            best, stale = current_for_show(self, best, query, crate)
        item = best.item
        result = ShowResult(item=best, alternatives=others, stale=stale)
        result.children = [self.view(c) for c in self.store.children(item.item_id)]
        if item.kind in TYPE_KINDS and item.kind != "trait":
            result.methods = [self.view(m.method) for m in self.store.methods_of(item.item_id)]
            result.impls = self._impls_of_type(item)
        if item.kind == "trait":
            result.impls = [self._impl_view(item, i) for i in self.store.impls_of(item.item_id)]
        result.outgoing = [self._relation(e, e.dst) for e in self.store.edges_from(item.item_id)]
        result.incoming = [self._relation(e, e.src) for e in self.store.edges_to(item.item_id)]
        return result

    def impls(self, trait: str, *, crate: str | None = None) -> tuple[ItemView, list[ImplView]]:
        best, _ = self.resolve_one(trait, crate=crate, kinds=("trait",))
        return best, [self._impl_view(best.item, i) for i in self.store.impls_of(best.item.item_id)]

    def methods(
        self, type_name: str, *, crate: str | None = None
    ) -> tuple[ItemView, list[ItemView]]:
        best, _ = self.resolve_one(type_name, crate=crate, kinds=TYPE_KINDS)
        return best, [self.view(m.method) for m in self.store.methods_of(best.item.item_id)]

    def uses(self, query: str, *, crate: str | None = None) -> tuple[ItemView, list[Relation]]:
        best, _ = self.resolve_one(query, crate=crate)
        kinds = ("uses_type", "bound", "imports", "reexports", "implements", "impl_of", "calls")
        edges = self.store.edges_to(best.item.item_id, kinds=kinds)
        return best, [self._relation(e, e.src) for e in edges]

    def callers(self, query: str, *, crate: str | None = None) -> tuple[ItemView, list[Relation]]:
        best, _ = self.resolve_one(query, crate=crate, kinds=CALLABLE_KINDS)
        edges = self.store.edges_to(best.item.item_id, kinds=("calls",))
        return best, [self._relation(e, e.src) for e in edges]

    # -- dependencies (rustrag.deps) ------------------------------------------------------

    def scope(self) -> ProjectScope:
        """The crates this project resolves, best first: members, direct dependencies
        (named as themselves before renamed ones), then transitive ones."""
        if self._scope is None:
            from rustrag.deps.scope import load_scope

            # this workspace's own scope: the index folder may hold other workspaces too
            self._scope = load_scope(self.store, self.root)
        return self._scope

    def current_versions(self) -> dict[str, str]:
        """Crate name → the crate id a bare name means here: the version the project
        uses most directly, else the newest (`deps.scope.preferred_versions`, the one
        rule for search defaults, outdated names and `--crate NAME`)."""
        if self._current is None:
            from rustrag.deps.scope import preferred_versions

            crates = (c.crate for c in self.crates().values())
            self._current = preferred_versions(crates, self.scope())
        return dict(self._current)

    def cfg_status(self, item: Item) -> tuple[str, str]:
        """(status, predicate) of an item under the project's enabled features:
        "enabled", "disabled" or "undecidable" (target-dependent or hidden in a macro)."""
        marks = self._cfg.get(item.crate_id)
        if marks is None:
            from rustrag.deps.cfg_marks import load_marks

            marks = self._cfg[item.crate_id] = load_marks(self.store, self.root, item.crate_id)
        status, predicate = marks.get(item.item_id, ["enabled", ""])
        return status, predicate

    def deps_status(self) -> DepsStatus:
        from rustrag.deps.status import dependency_status

        return dependency_status(self.path, self.index_dir)

    def update_deps(self, *, limits: Limits | None = None) -> DepsUpdateReport:
        """Re-index the dependencies whose locked version or sources changed."""
        self.close()
        from rustrag.deps.update import update_dependencies

        return update_dependencies(self.path, self.index_dir, limits=limits)

    def export(self, crate: str | None = None) -> Iterator[dict[str, object]]:
        return self.store.iter_export(self._crate_id(crate))

    # -- retrieval (rustrag.retrieve, rustrag.assemble) -----------------------------------

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        crate: str | None = None,
        kinds: Sequence[str] | None = None,
        origin: str = "all",
        all_versions: bool = False,
        dense: bool | None = None,
    ) -> list[SearchHit]:
        """Ranked items for a question, identifier, path or pasted code: exact names
        first, then BM25, dense (when its vectors are ready) and graph neighbours fused.
        `origin`: "all", "workspace" or "deps"; `dense=False` never loads the model."""
        from rustrag.retrieve.searcher import SearchOptions, search

        if origin not in ("all", "workspace", "deps"):
            raise NotFound(f"origin must be all, workspace or deps, not `{origin}`")
        options = SearchOptions(
            k=k,
            crate=crate,
            kinds=kinds,
            origin=origin,  # type: ignore[arg-type]
            all_versions=all_versions,
            dense=dense,
        )
        return search(self, query, options).hits

    def context(
        self,
        query: str | None = None,
        *,
        at: str | None = None,
        budget: int = 2000,
        crate: str | None = None,
        dense: bool | None = None,
    ) -> ContextPack:
        """The definitions to read for a question and/or a place (`FILE:LINE`), most
        relevant first, within `budget` tokens (MiniLM WordPiece count)."""
        from rustrag.assemble.context import context_pack

        return context_pack(self, query, at=at, budget=budget, crate=crate, dense=dense)

    # -- versions (rustrag.apidiff) -------------------------------------------------------

    def api_diff(self, old: str, new: str, *, use_cache: bool = True) -> ApiDiff:
        """The public API diff between two indexed versions (`NAME@VERSION` each)."""
        from rustrag.apidiff.diff import CrateNotIndexed, diff_crates

        try:
            return diff_crates(self.store, old, new, use_cache=use_cache)
        except CrateNotIndexed as exc:
            raise NotFound(str(exc)) from exc

    def lookup_current(self, query: str, *, crate: str | None = None) -> Resolution:
        """The current item for a name or path; for a name only an older (or newer) indexed
        version has, its replacement with the evidence (renamed, moved, removed)."""
        from rustrag.apidiff.outdated import lookup_current

        return lookup_current(self, query, crate=crate)

    # -- checking code and asking (rustrag.check, rustrag.llm) ------------------------------

    def check(self, source: str, *, file: str | None = None) -> CheckReport:
        """Check Rust code against the indexed versions: unknown, moved, removed and
        deprecated items, wrong argument counts. `file` (where the code lives, when it
        does) picks the member crate whose dependency versions apply."""
        return self._check_session().check(source, file=file)

    def check_code(self, code: str | None = None, file: str | None = None) -> CheckReport:
        """`check` for tools: the code given, else the text of `file` (FILE or FILE:LINE)."""
        path = file.rsplit(":", 1)[0] if file and file.rsplit(":", 1)[-1].isdigit() else file
        if code is None:
            if path is None:
                raise NotFound("give the code to check, or a file inside the workspace")
            code = Path(path).read_text(encoding="utf-8", errors="replace")
        return self.check(code, file=path)

    def ask(
        self,
        question: str,
        *,
        at: str | None = None,
        budget: int = 4000,
        config: LlmConfig | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> AskResult:
        """Answer a question with the project's context and check the code in the answer.
        Raises rustrag.llm.LlmError (endpoint) or rustrag.llm.config.ConfigError."""
        from rustrag.llm import LlmConfig, ask_question

        chosen = config or LlmConfig.load(self.root)
        return ask_question(self, question, chosen, at=at, budget=budget, on_text=on_text)

    def _check_session(self) -> CheckSession:
        """One session per open store: its caches are only valid for the data they read."""
        from rustrag.check import CheckSession

        session: CheckSession | None = self.__dict__.get("_check_session_cache")
        if session is None or session.store is not self.store:
            session = CheckSession(self)
            self.__dict__["_check_session_cache"] = session
        return session

    # -- helpers --------------------------------------------------------------------------

    def _crate_id(self, crate: str | None) -> str | None:
        return None if crate is None else self.crate_id_of(crate)

    def crate_id_of(self, crate: str) -> str:
        """`name@version` as given, or `name` (package or extern name) → the version the
        project uses most directly, else the newest (`deps.scope.preferred_versions`)."""
        crates = self.crates()
        if crate in crates:
            return crate
        name = crate.partition("@")[0]
        named = [c.crate for c in crates.values() if name in (c.crate.name, c.crate.extern_name)]
        if not named:
            known = ", ".join(sorted(crates)) or "none"
            raise NotFound(
                f"crate `{crate}` is not in the index (indexed: {known}); see `rustrag deps`"
            )
        current = self.current_versions()
        return current.get(name) or current[named[0].name]

    def _relation(self, edge: Edge, other_id: str | None) -> Relation:
        return Relation(edge.kind, edge.target, edge.line, edge.via, self._view_id(other_id))

    def _impl_view(self, trait: Item, impl: ImplOf) -> ImplView:
        return ImplView(
            trait=trait.path,
            type_text=impl.type_text,
            via=impl.via,
            impl_block=self._view_id(impl.impl_id),
            type_item=self._view_id(impl.type_id),
        )

    def _impls_of_type(self, item: Item) -> list[ImplView]:
        views: list[ImplView] = []
        for edge in self.store.edges_from(item.item_id, kinds=("implements",)):
            trait_view = self._view_id(edge.dst)
            views.append(
                ImplView(
                    trait=trait_view.item.path if trait_view else edge.target,
                    type_text=item.path,
                    via=edge.via,
                    impl_block=None,
                    type_item=None,
                )
            )
        return views
