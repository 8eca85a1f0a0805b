"""JSON Schemas of tool arguments and structured results.

Output schemas list the fields clients may rely on and leave `additionalProperties`
open, so a field the API adds later does not make a client reject the result.
"""

from __future__ import annotations

from typing import Any

from rustrag.model import ITEM_KINDS

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def array_of(schema: Schema) -> Schema:
    return {"type": "array", "items": schema}


def obj(properties: dict[str, Schema], required: list[str]) -> Schema:
    return {"type": "object", "properties": properties, "required": required}


ITEM: Schema = obj(
    {
        "item_id": STRING,
        "kind": STRING,
        "name": STRING,
        "path": STRING,
        "paths": array_of(STRING),
        "public": BOOLEAN,
        "crate": STRING,
        "version": STRING,
        "crate_root": STRING,
        "file": STRING,
        "line_start": INTEGER,
        "line_end": INTEGER,
        "signature": STRING,
        "docs": STRING,
        "visibility": STRING,
        "deprecated": BOOLEAN,
        "deprecated_note": nullable(STRING),
    },
    ["kind", "name", "path", "crate", "version", "file", "line_start"],
)

RELATION: Schema = obj(
    {"kind": STRING, "target": STRING, "line": INTEGER, "via": STRING, "item": nullable(ITEM)},
    ["kind", "target", "line", "item"],
)

IMPL: Schema = obj(
    {
        "trait": STRING,
        "type": STRING,
        "via": STRING,
        "impl": nullable(ITEM),
        "type_item": nullable(ITEM),
    },
    ["trait", "type"],
)

METHOD: Schema = obj({"item": ITEM, "trait": nullable(STRING)}, ["item", "trait"])

SHOW_RESULT: Schema = obj(
    {
        "item": ITEM,
        "alternatives": array_of(ITEM),
        "children": array_of(ITEM),
        "methods": array_of(ITEM),
        "impls": array_of(IMPL),
        "outgoing": array_of(RELATION),
        "incoming": array_of(RELATION),
    },
    ["item"],
)

IMPLS_RESULT: Schema = obj({"trait": ITEM, "impls": array_of(IMPL)}, ["trait", "impls"])
METHODS_RESULT: Schema = obj({"type": ITEM, "methods": array_of(METHOD)}, ["type", "methods"])
RELATIONS_RESULT: Schema = obj(
    {"item": ITEM, "relations": array_of(RELATION)}, ["item", "relations"]
)
SEARCH_RESULT: Schema = obj(
    {"engine": STRING, "results": array_of({"type": "object"})}, ["engine", "results"]
)
CRATE: Schema = obj(
    {
        "crate_id": STRING,
        "name": STRING,
        "version": STRING,
        "source": STRING,
        "root": STRING,
        "indexed_at": {"type": "number"},
    },
    ["crate_id", "name", "version", "source"],
)
DEPS_RESULT: Schema = obj(
    {"workspace_root": STRING, "index_dir": STRING, "crates": array_of(CRATE)},
    ["crates"],
)

CRATE_ARG: Schema = {
    "type": "string",
    "description": "Optional: limit the lookup to one crate, `name` or `name@version` "
    "(e.g. `tokio` or `tokio@1.24.2`). Without it every indexed crate is searched.",
}

KINDS_ARG: Schema = {
    "type": "array",
    "items": {"type": "string", "enum": list(ITEM_KINDS)},
    "description": 'Optional: only items of these kinds, e.g. ["struct", "trait"].',
}


def arguments(properties: dict[str, Schema], required: list[str]) -> Schema:
    """An input schema: the tool's own arguments plus the optional `crate` every tool
    takes; unknown arguments are rejected so a typo is reported, not ignored."""
    return {
        "type": "object",
        "properties": {**properties, "crate": CRATE_ARG},
        "required": required,
        "additionalProperties": False,
    }


def query_arg(description: str) -> Schema:
    return {"type": "string", "minLength": 1, "description": description}
