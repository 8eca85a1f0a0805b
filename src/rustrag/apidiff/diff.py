"""`diff_crates`: the API diff between two indexed versions, cached per version pair."""

from __future__ import annotations

from pathlib import Path

from rustrag.apidiff import cache
from rustrag.apidiff.bodies import mark_provided
from rustrag.apidiff.compare import diff_surfaces
from rustrag.apidiff.entries import ApiDiff, CrateVersion
from rustrag.apidiff.impls import TraitImpl, collect_impls
from rustrag.apidiff.queries import content_key, crate_items
from rustrag.apidiff.surface import ApiSurface, build_surface
from rustrag.store import Store


class CrateNotIndexed(LookupError):
    """A crate id given to the diff is not in the index."""


def _version(store: Store, crate_id: str) -> CrateVersion:
    stored = store.crate(crate_id)
    if stored is None:
        raise CrateNotIndexed(
            f"`{crate_id}` is not in the index; index its folder first "
            f"(`rustrag index <crate folder> --index-dir {store.index_dir}`)"
        )
    source = stored.crate
    return CrateVersion(
        crate_id=crate_id,
        name=source.name,
        version=source.version,
        root=source.root,
        key=content_key(store, crate_id),
    )


def _surface(store: Store, version: CrateVersion) -> tuple[ApiSurface, list[TraitImpl]]:
    """A crate's API surface (trait methods marked provided or required) and its impls."""
    items = crate_items(store, version.crate_id)
    surface = build_surface(version.crate_id, items)
    impl_ids = [i.item_id for i in items if i.kind == "impl" and i.raw.impl_trait]
    edges = store.edges_from_many(impl_ids, kinds=("impl_of", "impl_for"))
    stored = store.crate(version.crate_id)
    lib_root = stored.crate.extern_name if stored is not None else version.name
    impls = collect_impls(items, surface.by_id, edges, lib_root)
    hashes = {f.rel_path: f.blake3 for f in store.files(version.crate_id)}
    traits = (api for api in surface.by_id.values() if api.kind == "trait")
    mark_provided(traits, Path(version.root), hashes)
    return surface, impls


def compute_diff(store: Store, old_id: str, new_id: str) -> ApiDiff:
    """Compare the public APIs of two indexed crates (no cache)."""
    old = _version(store, old_id)
    new = _version(store, new_id)
    old_surface, old_impls = _surface(store, old)
    new_surface, new_impls = _surface(store, new)
    entries = diff_surfaces(old_surface, new_surface, (old_impls, new_impls))
    return ApiDiff(old=old, new=new, entries=entries)


def diff_crates(store: Store, old_id: str, new_id: str, *, use_cache: bool = True) -> ApiDiff:
    """The API diff from `old_id` to `new_id`, from the cache when both sides are unchanged."""
    if not use_cache:
        return compute_diff(store, old_id, new_id)
    old = _version(store, old_id)
    new = _version(store, new_id)
    path = cache.cache_file(Path(store.index_dir), old_id, new_id, old.key, new.key)
    cached = cache.load(path)
    if cached is not None:
        return cached
    result = compute_diff(store, old_id, new_id)
    cache.save(path, result)
    return result
