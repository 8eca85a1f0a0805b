"""Shared helpers for the resolve tests: build CrateSources and parse real files.

Holds no tests itself; the test_resolve_* modules import it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from rustrag.model import (
    CrateSource,
    Edge,
    ExportTable,
    Item,
    ParsedFile,
    ResolvedCrate,
    Target,
)
from rustrag.parse import parse_file
from rustrag.resolve import export_table, resolve_crate

REGISTRY = "/usr/share/cargo/registry"
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "resolve")


def rs_files(root: str) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("target", ".git"))
        for name in filenames:
            if name.endswith(".rs"):
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                found.append(rel.replace(os.sep, "/"))
    return sorted(found)


def make_crate(
    root: str,
    name: str,
    version: str = "0.1.0",
    *,
    targets: list[Target] | None = None,
    dependencies: dict[str, str] | None = None,
    edition: str = "2021",
) -> CrateSource:
    return CrateSource(
        name=name,
        version=version,
        root=root,
        source="path",
        edition=edition,
        targets=targets if targets is not None else [Target("lib", name, "src/lib.rs")],
        files=rs_files(root),
        dependencies=dependencies or {},
    )


def parse_all(crate: CrateSource) -> dict[str, ParsedFile]:
    return {rel: parse_file(os.path.join(crate.root, rel), rel) for rel in crate.files}


def loader(crate: CrateSource) -> Callable[[str], ParsedFile | None]:
    def load(rel: str) -> ParsedFile | None:
        path = os.path.join(crate.root, rel)
        return parse_file(path, rel) if os.path.isfile(path) else None

    return load


def resolve_dir(
    crate: CrateSource, externs: Mapping[str, ExportTable] | None = None
) -> ResolvedCrate:
    return resolve_crate(crate, parse_all(crate), externs or {}, load_file=loader(crate))


def registry_crate(
    dirname: str, name: str, deps: dict[str, str] | None = None, edition: str = "2018"
) -> CrateSource:
    root = os.path.join(REGISTRY, dirname)
    version = dirname[len(name) + 1 :]
    return make_crate(root, name, version, dependencies=deps, edition=edition)


def table_of(resolved: ResolvedCrate) -> ExportTable:
    return export_table(resolved)


def fixture_crate(
    name: str,
    version: str = "0.1.0",
    *,
    targets: list[Target] | None = None,
    dependencies: dict[str, str] | None = None,
) -> CrateSource:
    root = os.path.join(FIXTURES, name)
    return make_crate(root, name, version, targets=targets, dependencies=dependencies)


def item(resolved: ResolvedCrate, path: str, kind: str) -> Item:
    """The one item with canonical `path` and `kind` (fails the test when absent)."""
    found = [it for it in resolved.items if it.path == path and it.kind == kind]
    assert len(found) == 1, f"{kind} {path}: {len(found)} matches"
    return found[0]


def edges_from(resolved: ResolvedCrate, src: Item, kind: str) -> list[Edge]:
    return [e for e in resolved.edges if e.src == src.item_id and e.kind == kind]
