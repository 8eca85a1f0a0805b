"""The MCP tools: one `ToolSpec` per tool, each a thin call into `Workspace`.

Registration is data: `available_tools(workspace)` keeps a spec when the Workspace
method it needs exists, so a tool whose API is still being built appears the day that
method lands. Adding such a tool is one `forwarded(...)` line in OPTIONAL_TOOLS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from jsonschema import Draft202012Validator

from rustrag.api import NotFound, NotIndexed, Workspace
from rustrag.serve import render, schemas
from rustrag.serve.adapters import call_with_supported, search_items, to_jsonable, type_methods
from rustrag.serve.paths import PathRejected, safe_path, split_location
from rustrag.store.errors import StoreError

Json = dict[str, Any]


class ArgumentError(ValueError):
    """Tool arguments that do not match the tool's input schema."""


# Errors that are answers ("no such item", "not indexed yet"), returned to the agent as
# tool errors so it can correct itself; anything else is a bug and is logged as well.
EXPECTED_ERRORS: tuple[type[Exception], ...] = (
    NotFound,
    NotIndexed,
    StoreError,
    PathRejected,
    ArgumentError,
)


@dataclass(slots=True)
class ToolOutput:
    structured: Json
    text: str


@dataclass(slots=True)
class Args:
    """Validated tool arguments with typed accessors."""

    values: Mapping[str, Any]

    def text(self, key: str) -> str:
        return str(self.values[key])

    def optional_text(self, key: str) -> str | None:
        value = self.values.get(key)
        return None if value is None else str(value)

    @property
    def crate(self) -> str | None:
        return self.optional_text("crate")


Runner = Callable[[Workspace, Args], ToolOutput]


@dataclass(slots=True)
class ToolSpec:
    name: str
    title: str
    description: str
    input_schema: schemas.Schema
    run: Runner
    output_schema: schemas.Schema | None = None
    requires: str | None = None  # the Workspace method this tool needs, when optional
    _validator: Draft202012Validator | None = field(default=None, repr=False)

    def validate(self, arguments: Mapping[str, Any] | None) -> Args:
        if self._validator is None:
            self._validator = Draft202012Validator(self.input_schema)
        values = dict(arguments or {})
        errors = sorted(self._validator.iter_errors(values), key=lambda e: list(e.path))
        if errors:
            problems = "; ".join(_describe(e.message, list(e.path)) for e in errors)
            raise ArgumentError(f"invalid arguments for `{self.name}`: {problems}")
        return Args(values)


def _describe(message: str, path: Sequence[object]) -> str:
    return f"{'.'.join(map(str, path))}: {message}" if path else message


# -- the core tools -----------------------------------------------------------------------


def _show(workspace: Workspace, args: Args) -> ToolOutput:
    data = workspace.show(args.text("name"), crate=args.crate).to_json()
    return ToolOutput(data, render.render_show(data))


def _impls(workspace: Workspace, args: Args) -> ToolOutput:
    trait, impls = workspace.impls(args.text("trait"), crate=args.crate)
    data = {"trait": trait.to_json(), "impls": [i.to_json() for i in impls]}
    return ToolOutput(data, render.render_impls(data))


def _methods(workspace: Workspace, args: Args) -> ToolOutput:
    owner, methods = type_methods(workspace, args.text("type"), crate=args.crate)
    data = {"type": owner.to_json(), "methods": [m.to_json() for m in methods]}
    return ToolOutput(data, render.render_methods(data))


def _usages(workspace: Workspace, args: Args) -> ToolOutput:
    item, relations = workspace.uses(args.text("name"), crate=args.crate)
    data = {"item": item.to_json(), "relations": [r.to_json() for r in relations]}
    return ToolOutput(data, render.render_relations("usages", data))


def _callers(workspace: Workspace, args: Args) -> ToolOutput:
    item, relations = workspace.callers(args.text("name"), crate=args.crate)
    data = {"item": item.to_json(), "relations": [r.to_json() for r in relations]}
    return ToolOutput(data, render.render_relations("callers", data))


def _search(workspace: Workspace, args: Args) -> ToolOutput:
    kinds = cast("list[str] | None", args.values.get("kinds"))
    limit = int(args.values.get("limit", 20))
    engine, results = search_items(
        workspace, args.text("query"), limit=limit, kinds=kinds, crate=args.crate
    )
    data: Json = {"engine": engine, "results": results}
    return ToolOutput(data, render.render_search(data))


def _deps_status(workspace: Workspace, args: Args) -> ToolOutput:
    wanted = args.crate
    crates = [
        {
            "crate_id": stored.crate.crate_id,
            "name": stored.crate.name,
            "version": stored.crate.version,
            "source": stored.crate.source,
            "root": stored.crate.root,
            "indexed_at": stored.indexed_at,
        }
        for stored in workspace.crates().values()
        if wanted is None
        or wanted in (stored.crate.crate_id, stored.crate.name, stored.crate.extern_name)
    ]
    if wanted is not None and not crates:
        raise NotFound(f"crate `{wanted}` is not in the index at {workspace.index_dir}")
    crates.sort(key=lambda c: (c["source"] != "workspace", c["name"], c["version"]))
    data: Json = {
        "workspace_root": str(workspace.root),
        "index_dir": str(workspace.index_dir),
        "crates": crates,
    }
    return ToolOutput(data, render.render_crates(data))


NAME_ARG = "An item name, a full path or a path suffix: `Shape`, `shapes::Circle`, `Circle::new`."

CORE_TOOLS: list[ToolSpec] = [
    ToolSpec(
        name="show_item",
        title="Show a Rust item",
        description=(
            "Look up one Rust item (struct, enum, trait, fn, method, module, macro, ...) in "
            "the indexed workspace or its exact dependency versions and return its "
            "signature, docs, file:line, crate@version, public paths, members (fields, "
            "variants), methods, trait impls and relations. Use this before writing code "
            "that calls an API, instead of guessing its signature."
        ),
        input_schema=schemas.arguments({"name": schemas.query_arg(NAME_ARG)}, ["name"]),
        output_schema=schemas.SHOW_RESULT,
        run=_show,
    ),
    ToolSpec(
        name="impls",
        title="Implementors of a trait",
        description=(
            "List the types that implement a trait (impl blocks and #[derive]s), with "
            "where each impl is written. Use it to find which types you can pass where "
            "`impl Trait` or `T: Trait` is expected."
        ),
        input_schema=schemas.arguments(
            {"trait": schemas.query_arg("The trait: a name, path or path suffix.")}, ["trait"]
        ),
        output_schema=schemas.IMPLS_RESULT,
        run=_impls,
    ),
    ToolSpec(
        name="methods",
        title="Methods of a type",
        description=(
            "List the methods callable on a struct, enum, union or type alias: inherent "
            "methods first, then those of each trait impl (with the trait named), each "
            "with its full signature and location."
        ),
        input_schema=schemas.arguments(
            {"type": schemas.query_arg("The type: a name, path or path suffix.")}, ["type"]
        ),
        output_schema=schemas.METHODS_RESULT,
        run=_methods,
    ),
    ToolSpec(
        name="find_usages",
        title="Where an item is used",
        description=(
            "Find the items that refer to a given item: that name it as a field, "
            "parameter or return type, bound on it, import or re-export it, implement "
            "it, or call it. Use it to judge the impact of changing an item."
        ),
        input_schema=schemas.arguments({"name": schemas.query_arg(NAME_ARG)}, ["name"]),
        output_schema=schemas.RELATIONS_RESULT,
        run=_usages,
    ),
    ToolSpec(
        name="callers",
        title="Callers of a function",
        description=(
            "Find the functions and methods that call a given function or method "
            "(best effort for method-call syntax). Narrower than find_usages."
        ),
        input_schema=schemas.arguments(
            {"name": schemas.query_arg("The function or method, e.g. `Circle::new`.")},
            ["name"],
        ),
        output_schema=schemas.RELATIONS_RESULT,
        run=_callers,
    ),
    ToolSpec(
        name="search",
        title="Search for items",
        description=(
            "Find candidate items when you do not know the exact name: returns matching "
            "items ranked best first (kind, path, crate@version, location, signature). "
            "Follow up with show_item on the one you need."
        ),
        input_schema=schemas.arguments(
            {
                "query": schemas.query_arg(
                    "What to look for: a name or path suffix (`Circle`, `io::Result`), or "
                    "words describing the item when full-text search is available."
                ),
                "limit": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100,
                    "default": 20,
                    "description": "Most results to return (default 20).",
                },
                "kinds": schemas.KINDS_ARG,
            },
            ["query"],
        ),
        output_schema=schemas.SEARCH_RESULT,
        run=_search,
    ),
    ToolSpec(
        name="deps_status",
        title="Indexed crates and versions",
        description=(
            "List the crates in the index: workspace members and every locked "
            "dependency, each with its exact version, source and folder. Use it to check "
            "which version of a dependency the answers describe."
        ),
        input_schema=schemas.arguments({}, []),
        output_schema=schemas.DEPS_RESULT,
        run=_deps_status,
    ),
]


# -- tools whose Workspace method is still being built ------------------------------------


def forwarded(
    name: str,
    title: str,
    description: str,
    properties: dict[str, schemas.Schema],
    required: list[str],
    *,
    path_args: tuple[str, ...] = (),
    output_schema: schemas.Schema | None = None,
) -> ToolSpec:
    """A tool that forwards its arguments to `Workspace.<name>` as keywords. Arguments in
    `path_args` are FILE or FILE:LINE and pass through `safe_path` first."""

    def run(workspace: Workspace, args: Args) -> ToolOutput:
        values = dict(args.values)
        for key in path_args:
            if values.get(key) is not None:
                values[key] = _checked_location(workspace, str(values[key]))
        method = cast(Callable[..., object], getattr(workspace, name))
        result = to_jsonable(call_with_supported(method, **values))
        data: Json = result if isinstance(result, dict) else {"result": result}
        return ToolOutput(data, render.render_generic(data))

    return ToolSpec(
        name=name,
        title=title,
        description=description,
        input_schema=schemas.arguments(properties, required),
        output_schema=output_schema,
        run=run,
        requires=name,
    )


def _checked_location(workspace: Workspace, location: str) -> str:
    path, line = split_location(location)
    resolved = safe_path(workspace, path)
    return f"{resolved}:{line}" if line is not None else str(resolved)


# `rustrag.check.CheckReport.to_json()`
CHECK_RESULT: schemas.Schema = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean"},
        "errors": {"type": "integer"},
        "warnings": {"type": "integer"},
        "checked": {"type": "integer"},
        "crates": {"type": "object", "additionalProperties": {"type": "string"}},
        "findings": {"type": "array", "items": {"type": "object"}},
    },
}

FILE_LINE_ARG: schemas.Schema = {
    "type": "string",
    "description": "A file inside the workspace, optionally with a line: `src/lib.rs:42`.",
}

# ContextPack.to_json (rustrag.assemble.pack): entries in relevance order, within budget.
CONTEXT_ENTRY: schemas.Schema = schemas.obj(
    {
        "item_id": schemas.STRING,
        "kind": schemas.STRING,
        "path": schemas.STRING,
        "use_path": schemas.STRING,
        "crate": schemas.STRING,
        "version": schemas.STRING,
        "file": schemas.STRING,
        "line_start": schemas.INTEGER,
        "line_end": schemas.INTEGER,
        "signature": schemas.STRING,
        "docs": schemas.STRING,
        "code": schemas.STRING,
        "why": schemas.STRING,
        "tokens": schemas.INTEGER,
    },
    ["item_id", "kind", "path", "use_path", "crate", "version", "file", "why", "tokens"],
)
CONTEXT_RESULT: schemas.Schema = schemas.obj(
    {
        "query": schemas.nullable(schemas.STRING),
        "at": schemas.nullable(schemas.STRING),
        "budget": schemas.INTEGER,
        "tokens": schemas.INTEGER,
        "tokenizer": schemas.STRING,
        "skipped": schemas.INTEGER,
        "entries": schemas.array_of(CONTEXT_ENTRY),
    },
    ["budget", "tokens", "entries"],
)

OPTIONAL_TOOLS: list[ToolSpec] = [
    forwarded(
        "context",
        "Context for a task",
        "Assemble the definitions most relevant to a question or a place in the code, "
        "within a token budget, ready to read before editing.",
        {
            "query": {"type": "string", "description": "The task or question."},
            "at": FILE_LINE_ARG,
            "budget": {"type": "integer", "minimum": 100, "description": "Token budget."},
        },
        [],
        path_args=("at",),
        output_schema=CONTEXT_RESULT,
    ),
    forwarded(
        "diff",
        "API changes",
        "Show how the public API of a crate changed between indexed versions or since "
        "the last index.",
        {"since": {"type": "string", "description": "Version or snapshot to compare with."}},
        [],
    ),
    forwarded(
        "check_code",
        "Check code against the index",
        "Check that the paths, types and methods a piece of Rust code uses exist in the "
        "indexed versions, and say what is wrong.",
        {"code": {"type": "string", "description": "Rust source to check."}, "file": FILE_LINE_ARG},
        [],
        path_args=("file",),
        output_schema=CHECK_RESULT,
    ),
]


def available_tools(workspace: Workspace) -> list[ToolSpec]:
    """The core tools, plus each optional tool whose Workspace method exists."""
    optional = [
        t for t in OPTIONAL_TOOLS if t.requires and callable(getattr(workspace, t.requires, None))
    ]
    return CORE_TOOLS + optional
