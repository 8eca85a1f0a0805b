"""The crates a project resolves, in the order queries should prefer them.

Members first, then their direct dependencies (a dependency named as itself before a
renamed one, so with `clap = "4"` and `clap3 = { package = "clap", .. }` the clap 4 crate
comes first), then everything reached transitively, breadth first. A name that appears
at two versions is therefore ranked by how directly the project uses it.
"""

from __future__ import annotations

import json
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


def load_scope(store: Store, root: str | Path) -> ProjectScope:
    """The scope recorded for the workspace at `root` (empty when it was never indexed
    with its dependencies)."""
    text = read_for_workspace(store, META_SCOPE, root)
    return ProjectScope.loads(text) if text else ProjectScope()
