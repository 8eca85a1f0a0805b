"""Stopgaps between the MCP tools and `rustrag.api.Workspace` while parts of the API are
being built. Each adapter names the API it waits for; when that lands, the adapter
shrinks to one call (or goes away).
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from rustrag.api import TYPE_KINDS, ItemView, Workspace


@dataclass(slots=True)
class MethodEntry:
    """A method of a type and the trait whose impl provides it (None when inherent)."""

    item: ItemView
    trait: str | None

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item.to_json(), "trait": self.trait}


def type_methods(
    workspace: Workspace, type_name: str, *, crate: str | None = None
) -> tuple[ItemView, list[MethodEntry]]:
    """Methods of a type, inherent first, each with the trait it comes from.

    Waits for `Workspace.methods` to return method views carrying the trait: today it
    passes the store's `MethodOf` records to `Workspace.view`, which expects `Item`s.
    """
    best, _ = workspace.resolve_one(type_name, crate=crate, kinds=TYPE_KINDS)
    records = workspace.store.methods_of(best.item.item_id)
    return best, [MethodEntry(workspace.view(r.method), r.trait) for r in records]


def has_search(workspace: Workspace) -> bool:
    """True once the hybrid retrieval (`Workspace.search`) exists."""
    return callable(getattr(workspace, "search", None))


def search_items(
    workspace: Workspace,
    query: str,
    *,
    limit: int,
    kinds: Sequence[str] | None,
    crate: str | None,
) -> tuple[str, list[dict[str, Any]]]:
    """(engine, results): hybrid retrieval when the API has it, else name lookup."""
    if has_search(workspace):
        # getattr, not `.search`: the attribute is not on the Workspace type yet
        method = cast(Callable[..., object], getattr(workspace, "search"))  # noqa: B009
        found = call_with_supported(method, query, k=limit, kinds=kinds, crate=crate)
        return "hybrid", [to_jsonable(r) for r in _as_list(found)]
    matches = workspace.find(query, crate=crate, kinds=kinds, limit=limit)
    return "name", [
        {
            "match": m.match,
            "matched_path": m.matched_path,
            "item": workspace.view(m.item).to_json(),
        }
        for m in matches
    ]


def call_with_supported(method: Callable[..., object], *args: object, **kwargs: object) -> object:
    """Call `method`, passing only the keyword arguments it declares and that are set:
    the optional tools forward an agent's arguments to Workspace methods whose exact
    signatures are still settling."""
    parameters = inspect.signature(method).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    accepted = {
        key: value
        for key, value in kwargs.items()
        if value is not None and (takes_any or key in parameters)
    }
    return method(*args, **accepted)


def to_jsonable(value: object) -> Any:
    """Plain JSON data from API results: `to_json()` when a result has it, dataclass
    fields otherwise."""
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _as_list(value: object) -> list[object]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]
