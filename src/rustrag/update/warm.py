"""What a warm writer (`rustrag watch`) keeps per crate between runs, and the incremental
update it tries before resolving an edited crate again.

The pipeline keeps, for each workspace crate it wrote, the crate's stored rows keyed
(rustrag.store.warm_rows) and its whole resolution (rustrag.resolve.incremental). When
only file contents changed since, `patch_crate` updates the resolution for the edited
files and turns what changed into a delta against the kept rows; when the update cannot
be exact it returns None with the reason, and the crate is resolved in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rustrag.model import CrateSource, ExportTable, ParsedFile, Problem
from rustrag.resolve.crate import crate_problems
from rustrag.resolve.incremental import NotIncremental, WarmCrate
from rustrag.store.delta import CrateDelta
from rustrag.store.warm_rows import KeyedRows, finish_crate_row, patch_changes, patch_keyed
from rustrag.update.crate_state import export_digest, same_source

# Crates an edit can reach: the ones whose resolution is worth keeping in memory.
EDITABLE_SOURCES = frozenset({"workspace", "path"})


@dataclass(slots=True)
class Patched:
    table: ExportTable
    digest: str
    delta: CrateDelta
    problems: list[Problem]


def changed_files(warm: WarmCrate, parsed: Mapping[str, ParsedFile]) -> dict[str, ParsedFile]:
    """The files whose parse differs from the one the resolution holds."""
    held = warm.res.files
    changed: dict[str, ParsedFile] = {}
    for rel, now in parsed.items():
        before = held.get(rel)
        if before is now:
            continue
        if before is None or (before.blake3, before.size, before.mtime_ns, before.path) != (
            now.blake3,
            now.size,
            now.mtime_ns,
            now.path,
        ):
            changed[rel] = now
    return changed


def patch_crate(
    warm: WarmCrate,
    crate: CrateSource,
    parsed: Mapping[str, ParsedFile],
    deps_digest: str,
    digest: str,
    rows: KeyedRows,
) -> Patched | str:
    """Update `warm` and `rows` for the edited files of `crate`; the reason when it cannot
    (then both are stale and must be dropped). `digest` is the crate's export digest."""
    if warm.deps_digest != deps_digest:
        return "a dependency's public items changed"
    if not same_source(warm.res.crate, crate):
        return "the crate's description or file list changed"
    changed = changed_files(warm, parsed)
    try:
        patch = warm.update(changed)
    except NotIncremental as exc:
        return str(exc)
    except Exception as exc:  # a bug here must cost a full resolve, not the update
        return f"incremental resolve failed: {exc!r}"
    res = warm.res
    tree = res.tree
    touched_items = sorted(patch.old_items)
    module_of = {m.file: m.path for m in tree.nodes if m.file is not None}
    unlinked = set(tree.unlinked)
    files = [
        (tree.files[rel], module_of.get(rel), rel not in unlinked)
        for rel in sorted(patch.files)
        if rel in tree.files
    ]
    problems = crate_problems(tree)
    changes = patch_changes(
        crate,
        old_items=[patch.old_items[k] for k in touched_items],
        new_items=[warm.items[k] for k in touched_items],
        edge_keys=patch.edge_keys,
        new_edges=[e for e in patch.edges.values() if e is not None],
        files=files,
        modules=tree.nodes if patch.modules_changed else None,
        problems=problems,
        all_files=[tree.files[rel] for rel in sorted(tree.files)],
    )
    delta = patch_keyed(crate.crate_id, rows, changes)
    finish_crate_row(crate, rows, len(tree.nodes), delta)
    if patch.public_changed:
        digest = export_digest(warm.table)
    return Patched(warm.table, digest, delta, problems)
