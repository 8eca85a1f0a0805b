"""The context put in front of the model.

`Workspace.context` (hybrid retrieval + assembly, built elsewhere) is used when it
exists. Until then this module's FALLBACK assembles a plain context: the items the
question (and the lines around `--at`) names, found by name in the index at the
project's versions, with their signatures, first doc lines and, for types, methods.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from rustrag.api import Workspace
from rustrag.model import Item

_IDENT_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*")
_TYPE_KINDS = frozenset({"struct", "enum", "union", "trait", "type_alias"})
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "for",
        "with",
        "how",
        "do",
        "i",
        "is",
        "it",
        "on",
        "use",
        "using",
        "what",
        "why",
        "can",
        "my",
        "this",
        "that",
        "from",
        "by",
        "be",
        "are",
        "make",
        "write",
        "code",
        "rust",
        "crate",
        "version",
    ]
)
_CHARS_PER_TOKEN = 4


@dataclass(slots=True)
class Context:
    text: str
    items: list[str] = field(default_factory=list)  # paths of the items included
    engine: str = "fallback"  # "context" when Workspace.context assembled it


def build_context(
    workspace: Workspace,
    question: str,
    crates: dict[str, str],
    *,
    at: str | None = None,
    budget: int = 4000,
) -> Context:
    api = getattr(workspace, "context", None)
    if callable(api):
        result = cast(Callable[..., object], api)(question, at=at, budget=budget)
        return _from_api(result)
    return fallback_context(workspace, question, crates, at=at, budget=budget)


def _from_api(result: object) -> Context:
    text = getattr(result, "text", None)
    if not isinstance(text, str):
        render = getattr(result, "to_markdown", None) or getattr(result, "render", None)
        text = str(render()) if callable(render) else str(result)
    items: list[str] = []
    for entry in getattr(result, "entries", None) or getattr(result, "items", None) or []:
        item = getattr(entry, "item", entry)
        path = getattr(item, "path", None) or getattr(getattr(item, "item", None), "path", None)
        if path:
            items.append(str(path))
    return Context(text, items, "context")


def _names(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in _IDENT_PATH.findall(text):
        if match.lower() in _STOP or len(match) < 3:
            continue
        if "::" in match or "_" in match or match[0].isupper() or match.islower():
            seen.setdefault(match, None)
    return list(seen)


def _at_lines(at: str | None) -> str:
    if not at:
        return ""
    path_text, _, line_text = at.rpartition(":")
    if not line_text.isdigit():
        path_text, line_text = at, "0"
    try:
        lines = Path(path_text).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    line = int(line_text)
    start, end = max(0, line - 15), min(len(lines), line + 15) if line else min(len(lines), 40)
    return "\n".join(lines[start:end])


def fallback_context(
    workspace: Workspace,
    question: str,
    crates: dict[str, str],
    *,
    at: str | None = None,
    budget: int = 4000,
) -> Context:
    """FALLBACK (until `Workspace.context` exists): items named in the question, by name."""
    limit = budget * _CHARS_PER_TOKEN
    parts: list[str] = []
    around = _at_lines(at)
    if around:
        parts.append(f"Code at {at}:\n```rust\n{around}\n```")
    in_scope = set(crates.values())
    chosen: dict[str, Item] = {}
    for name in _names(question + "\n" + around):
        for match in workspace.find(name, limit=8):
            item = match.item
            if item.kind in ("use", "extern_crate", "impl") or not item.public:
                continue
            if in_scope and item.crate_id not in in_scope:
                continue  # another version of the crate: exactly what must not be shown
            chosen.setdefault(item.item_id, item)
            break
    used = sum(len(p) for p in parts)
    for item in chosen.values():
        block = _render(workspace, item)
        if used + len(block) > limit:
            break
        parts.append(block)
        used += len(block)
    if not chosen:
        parts.append("(no indexed item matched the names in the question)")
    return Context("\n\n".join(parts), [i.path for i in chosen.values()], "fallback")


def _render(workspace: Workspace, item: Item) -> str:
    name, _, version = item.crate_id.partition("@")
    shown = min(item.paths or [item.path], key=lambda p: (p.count("::"), len(p)))
    docs = "\n".join(f"/// {line}" for line in item.raw.docs.splitlines()[:4])
    lines = [f"// {shown} ({item.kind}, {name} {version})", docs, item.raw.signature]
    if item.kind in _TYPE_KINDS and item.kind != "trait":
        methods: list[Any] = workspace.store.methods_of(item.item_id)
        public = [m.method for m in methods if m.method.visibility == "pub" or m.trait]
        if public:
            lines.append("// methods:")
            lines += [f"//   {m.raw.signature}" for m in public[:30]]
    return "\n".join(line for line in lines if line)
