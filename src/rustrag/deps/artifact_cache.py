"""The per-machine cache of indexed dependency crates: one file per crate@version+key.

Each artifact is a pickle of the crate's `ResolvedCrate` and `ExportTable`, so a second
project skips parsing and resolving it. Measured on syn 1.0.107 (6,173 items, 23k edges):
loading the pickle takes 0.56 s against 2.5 s to parse and 0.6 s to resolve; the
project store still writes its rows (1.2 s), see benchmarks/bench_dep_cache.py.

Files are written to a temporary name and renamed, so a reader (another project indexing
at the same time) sees a whole artifact or none. The cache is the user's own folder, as
trusted as their other caches: pickles are only read from it, never from a project.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rustrag.model import CrateSource, ExportTable, ResolvedCrate


@dataclass(slots=True)
class Artifact:
    resolved: ResolvedCrate
    table: ExportTable


class CorruptArtifact(Exception):
    """An artifact file exists but cannot be used; the message names the file and why."""


class ArtifactCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, crate: CrateSource, key: str) -> Path:
        # name@version as a folder keeps `ls` readable and lets a user drop one crate.
        return self.root / "crates" / crate.crate_id / f"{key}.pickle"

    def has(self, crate: CrateSource, key: str) -> bool:
        return self.path_of(crate, key).is_file()

    def load(self, crate: CrateSource, key: str) -> Artifact | None:
        """The artifact, rebased onto `crate` (this project's root, features and
        dependency map); None when absent. Raises CorruptArtifact (and removes the file)
        when it is unreadable or holds another crate."""
        path = self.path_of(crate, key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CorruptArtifact(f"{path}: cannot read ({exc.strerror or exc})") from exc
        try:
            artifact = pickle.loads(data)
        except Exception as exc:  # a truncated or foreign pickle raises almost anything
            path.unlink(missing_ok=True)
            raise CorruptArtifact(f"{path}: unreadable ({type(exc).__name__}); removed") from exc
        if not isinstance(artifact, Artifact) or artifact.table.crate_id != crate.crate_id:
            path.unlink(missing_ok=True)
            raise CorruptArtifact(f"{path}: holds something else than {crate.crate_id}; removed")
        _rebase(artifact.resolved, crate)
        return artifact

    def store(self, key: str, resolved: ResolvedCrate, table: ExportTable) -> Path:
        path = self.path_of(resolved.crate, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump(Artifact(resolved, table), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


def _rebase(resolved: ResolvedCrate, crate: CrateSource) -> None:
    """Make a cached crate describe this project's copy: the same sources may sit in
    another folder (a vendor dir), with other features enabled."""
    old_root = resolved.crate.root
    resolved.crate = crate
    if old_root == crate.root:
        return
    for parsed in resolved.files:
        parsed.path = os.path.join(crate.root, parsed.rel_path)
