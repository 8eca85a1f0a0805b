"""Resolve stage: module trees, canonical and public paths, `use` resolution, edges."""

from rustrag.resolve.crate import resolve_crate
from rustrag.resolve.exports import export_table

__all__ = ["export_table", "resolve_crate"]
