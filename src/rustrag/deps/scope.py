"""The crates a project resolves, in the order queries should prefer them.

Members first, then their direct dependencies (a dependency named as itself before a
renamed one, so with `clap = "4"` and `clap3 = { package = "clap", .. }` the clap 4 crate
comes first), then everything reached transitively, breadth first. A name that appears
at two versions is therefore ranked by how directly the project uses it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustrag.deps.state import META_SCOPE, read_for_workspace
from rustrag.model import CrateSource

if TYPE_CHECKING:
    from rustrag.store import Store


@dataclass(slots=True)
class ProjectScope:
    members: list[str] = field(default_factory=list)  # crate ids of the workspace members
    direct: dict[str, str] = field(default_factory=dict)  # extern name -> crate id
    order: list[str] = field(default_factory=list)  # every crate id in scope, best first

    def tier(self, crate: CrateSource) -> int:
        """How directly the project uses a crate: 0 a member, 1 a direct dependency
        named as itself, 2 a renamed one (`clap3 = { package = "clap" }`), 3 reached
        transitively, 4 outside the scope."""
        if crate.crate_id in self.members:
            return 0
        externs = [e for e, dep in self.direct.items() if dep == crate.crate_id]
        if externs:
            return 1 if crate.extern_name in externs or crate.name in externs else 2
        return 3 if crate.crate_id in self.order else 4

    def rank(self, crate_id: str) -> int:
        """Position in the preference order; crates outside the scope come last."""
        try:
            return self.order.index(crate_id)
        except ValueError:
            return len(self.order)

    def to_json(self) -> dict[str, Any]:
        return {"members": self.members, "direct": self.direct, "order": self.order}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)

    @classmethod
    def loads(cls, text: str) -> ProjectScope:
        data = json.loads(text)
        return cls(
            members=[str(x) for x in data.get("members", [])],
            direct={str(k): str(v) for k, v in data.get("direct", {}).items()},
            order=[str(x) for x in data.get("order", [])],
        )


def project_scope(crates: list[CrateSource]) -> ProjectScope:
    """The scope of a discovered workspace (`crates` as discover returns them, members
    having source "workspace")."""
    by_id = {c.crate_id: c for c in crates}
    members = [c for c in crates if c.source == "workspace"]
    scope = ProjectScope(members=[m.crate_id for m in members])
    order: dict[str, None] = dict.fromkeys(scope.members)
    direct: list[tuple[int, str, str]] = []
    for member in members:
        for extern, dep_id in member.dependencies.items():
            dep = by_id.get(dep_id)
            renamed = dep is None or dep.extern_name != extern
            direct.append((int(renamed), extern, dep_id))
            scope.direct.setdefault(extern, dep_id)
    for _, _, dep_id in sorted(direct):
        order.setdefault(dep_id, None)
    queue = [dep_id for _, _, dep_id in sorted(direct)]
    while queue:
        crate = by_id.get(queue.pop(0))
        if crate is None:
            continue
        for dep_id in sorted(crate.dependencies.values()):
            if dep_id not in order:
                order[dep_id] = None
                queue.append(dep_id)
    scope.order = list(order)
    return scope


def preferred_versions(crates: Iterable[CrateSource], scope: ProjectScope) -> dict[str, str]:
    """Crate name -> the crate id a query means by the bare name: the version the
    project uses most directly (`ProjectScope.tier`), the newest among equals. So a
    project gets the version it depends on, and a workspace listing clap 2, 3 and 4 as
    members (a corpus, not a project) gets clap 4. The one rule for "current": search
    defaults, outdated-name lookups and `--crate NAME` all use it."""
    # imported here: the discover package costs a CLI query 20 ms it otherwise never pays
    from rustrag.discover.semver import version_order

    by_name: dict[str, list[CrateSource]] = {}
    for crate in crates:
        by_name.setdefault(crate.name, []).append(crate)
    chosen: dict[str, str] = {}
    for name, group in by_name.items():
        tiers = {crate.crate_id: scope.tier(crate) for crate in group}
        closest = min(tiers.values())
        nearest = [crate for crate in group if tiers[crate.crate_id] == closest]
        chosen[name] = max(nearest, key=lambda crate: version_order(crate.version)).crate_id
    return chosen


def load_scope(store: Store, root: str | Path) -> ProjectScope:
    """The scope recorded for the workspace at `root` (empty when it was never indexed
    with its dependencies)."""
    text = read_for_workspace(store, META_SCOPE, root)
    return ProjectScope.loads(text) if text else ProjectScope()
