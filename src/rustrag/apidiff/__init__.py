"""API diffs between indexed versions of a crate, and outdated name → current item.

* `diff_crates(store, "clap@3.2.23", "clap@4.0.32")` → `ApiDiff` (cached per version
  pair under the index folder; JSON schema in entries.py), also `Workspace.api_diff`.
* `Workspace.lookup_current(name)` → `Resolution` (outdated.py): the current item, or the
  replacement of a name only another indexed version has, with evidence.
* `replacement_for(workspace, path_as_written, crate_name)` → `Replacement | None`: for
  the code checker (replacement.py).
"""

from rustrag.apidiff.diff import CrateNotIndexed, compute_diff, diff_crates
from rustrag.apidiff.entries import SCHEMA, ApiDiff, CrateVersion, DiffEntry, Side
from rustrag.apidiff.replacement import Replacement, replacement_for

__all__ = [
    "SCHEMA",
    "ApiDiff",
    "CrateNotIndexed",
    "CrateVersion",
    "DiffEntry",
    "Replacement",
    "Side",
    "compute_diff",
    "diff_crates",
    "replacement_for",
]
