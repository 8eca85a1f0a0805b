"""What the dependency layer keeps in the project index (store meta rows, JSON text).

Meta rows rather than relations of our own: the store API offers them, they need no
schema change, and each is read once per query session.

One index folder can hold several workspaces (each keeps its own crates, see
`pipeline.remove_vanished`), and each has its own lock, scope and enabled features, so
every key below is stored per workspace root: `workspace_key(META_SCOPE, root)` is
"deps.scope@/abs/root". `read_for_workspace` falls back to the bare key, which indexes
written before per-workspace keys have (there it is the last indexed workspace's).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustrag.model import Problem

if TYPE_CHECKING:
    from rustrag.store import Store

META_SCOPE = "deps.scope"  # ProjectScope JSON
META_STATE = "deps.state"  # {crate_id: CrateState}
META_LOCKFILE = "deps.lockfile_blake3"  # blake3 of Cargo.lock at the last index
META_LAST_UPDATE = "deps.last_update"  # DepsUpdateReport JSON of the last index run
META_CFG_PREFIX = "deps.cfg."  # + crate_id: {item_id: [status, predicate]}


def workspace_key(key: str, root: str | Path) -> str:
    """`key` for the workspace at `root` (resolved, so `Workspace.root` and discover's
    root name the same row): "deps.scope@/abs/root", "deps.cfg.clap@4.0.32@/abs/root"."""
    return f"{key}@{Path(root).resolve()}"


def read_for_workspace(store: Store, key: str, root: str | Path) -> str | None:
    """The workspace's own row for `key`, else the bare row an older index wrote."""
    text = store.get_meta(workspace_key(key, root))
    return text if text is not None else store.get_meta(key)


@dataclass(slots=True)
class CrateState:
    """What a dependency crate was indexed from."""

    key: str  # artifact key (sources + dependencies' keys)
    sources: str  # sources blake3
    features: list[str] = field(default_factory=list)

    @staticmethod
    def load_all(text: str | None) -> dict[str, CrateState]:
        if not text:
            return {}
        data = json.loads(text)
        return {
            crate_id: CrateState(str(v["key"]), str(v["sources"]), list(v.get("features", [])))
            for crate_id, v in data.items()
        }

    @staticmethod
    def dump_all(states: dict[str, CrateState]) -> str:
        return json.dumps({k: asdict(v) for k, v in sorted(states.items())})


@dataclass(slots=True)
class DepsUpdateReport:
    """What an index run did with the dependencies."""

    reindexed: list[str] = field(default_factory=list)  # parsed and resolved here
    from_cache: list[str] = field(default_factory=list)  # written from the machine cache
    unchanged: list[str] = field(default_factory=list)  # already in this index, untouched
    removed: list[str] = field(default_factory=list)  # no longer locked: deleted
    lockfile_changed: bool = False
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "reindexed": self.reindexed,
            "from_cache": self.from_cache,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "lockfile_changed": self.lockfile_changed,
            "seconds": round(self.seconds, 3),
            "problems": [
                {"file": p.file, "line": p.line, "reason": p.reason, "severity": p.severity}
                for p in self.problems
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DepsUpdateReport:
        return cls(
            reindexed=list(data.get("reindexed", [])),
            from_cache=list(data.get("from_cache", [])),
            unchanged=list(data.get("unchanged", [])),
            removed=list(data.get("removed", [])),
            lockfile_changed=bool(data.get("lockfile_changed", False)),
            seconds=float(data.get("seconds", 0.0)),
            problems=[
                Problem(str(p["file"]), int(p["line"]), str(p["reason"]), p["severity"])
                for p in data.get("problems", [])
            ],
        )
