"""`--at FILE:LINE`: the item enclosing a place in the code, what it uses, what calls it."""

from __future__ import annotations

from pathlib import Path

from rustrag.api import NotFound, Workspace
from rustrag.assemble.pack import Candidate
from rustrag.retrieve.searcher import searcher_for

USE_KINDS = ("uses_type", "calls", "bound", "implements")
MAX_NEIGHBOURS = 12


def split_at(at: str) -> tuple[Path, int]:
    path, sep, line = at.rpartition(":")
    if not sep or not line.isdigit():
        raise NotFound(f"`{at}` is not FILE:LINE (for example src/lib.rs:42)")
    return Path(path).expanduser().resolve(), int(line)


def enclosing_candidates(ws: Workspace, at: str) -> list[Candidate]:
    """The innermost indexed item around FILE:LINE, its outer items, then what it uses
    and what calls it."""
    file, line = split_at(at)
    owner: tuple[str, Path] | None = None
    for stored in ws.crates().values():
        root = Path(stored.crate.root)
        if file.is_relative_to(root) and (owner is None or len(root.parts) > len(owner[1].parts)):
            owner = (stored.crate.crate_id, root)
    if owner is None:
        raise NotFound(f"{file} is in no indexed crate; run `rustrag index` on its workspace")
    crate_id, root = owner
    rel = file.relative_to(root).as_posix()
    searcher = searcher_for(ws)
    rows = searcher.rows.enclosing(crate_id, rel, line)
    if not rows:
        raise NotFound(f"no indexed item encloses {rel}:{line} in {crate_id}")
    ids = [searcher.ids[row] for row in rows]
    items = ws.store.items(ids)
    if not items:
        raise NotFound("the index changed since its search snapshot; run `rustrag index`")
    inner = items[0]
    candidates = [Candidate(ws.view(inner), "encloses the location")]
    why: dict[str, str] = {}
    for edge in ws.store.edges_from(inner.item_id, kinds=USE_KINDS):
        if edge.dst and edge.dst != inner.item_id:
            why.setdefault(edge.dst, f"used by {inner.name} ({edge.kind})")
    for edge in ws.store.edges_to(inner.item_id, kinds=("calls",)):
        why.setdefault(edge.src, f"calls {inner.name}")
    found = ws.store.items(list(why)[:MAX_NEIGHBOURS])
    candidates.extend(Candidate(ws.view(item), why[item.item_id]) for item in found)
    candidates.extend(Candidate(ws.view(item), "encloses the location") for item in items[1:2])
    return candidates
