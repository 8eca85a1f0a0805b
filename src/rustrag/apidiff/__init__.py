"""API diffs between indexed versions of a crate, and outdated name → current item."""

from rustrag.apidiff.diff import CrateNotIndexed, compute_diff, diff_crates
from rustrag.apidiff.entries import SCHEMA, ApiDiff, CrateVersion, DiffEntry, Side

__all__ = [
    "SCHEMA",
    "ApiDiff",
    "CrateNotIndexed",
    "CrateVersion",
    "DiffEntry",
    "Side",
    "compute_diff",
    "diff_crates",
]
