"""`diff_crates`: the API diff between two indexed versions, cached per version pair."""

from __future__ import annotations

from pathlib import Path

from rustrag.apidiff import cache
from rustrag.apidiff.compare import diff_surfaces
from rustrag.apidiff.entries import ApiDiff, CrateVersion
from rustrag.apidiff.queries import content_key, crate_items
from rustrag.apidiff.surface import build_surface
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


def compute_diff(store: Store, old_id: str, new_id: str) -> ApiDiff:
    """Compare the public APIs of two indexed crates (no cache)."""
    old = _version(store, old_id)
    new = _version(store, new_id)
    old_surface = build_surface(old_id, crate_items(store, old_id))
    new_surface = build_surface(new_id, crate_items(store, new_id))
    return ApiDiff(old=old, new=new, entries=diff_surfaces(old_surface, new_surface))


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
