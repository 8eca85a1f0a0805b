"""rustrag's side of the comparison: `rustrag export --format jsonl`, read into records.

Runs the CLI's console-script target (`rustrag.cli:app`, as pyproject.toml declares it)
in `sys.executable`, so the check uses the rustrag installed in the running interpreter,
never one found on PATH, and does not depend on `rustrag.cli` being runnable with `-m`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .item_cfg import effective_cfgs

RUN_CLI = "import sys; from rustrag.cli import app; sys.argv[0] = 'rustrag'; app()"


@dataclass(slots=True)
class ExportItem:
    kind: str
    name: str
    path: str
    paths: list[str]
    public: bool
    crate: str
    version: str
    file: str
    line_start: int
    line_end: int
    in_macro: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> ExportItem:
        known = {
            "kind",
            "name",
            "path",
            "paths",
            "public",
            "crate",
            "version",
            "file",
            "line_start",
            "line_end",
            "in_macro",
        }
        return cls(
            kind=str(record.get("kind", "")),
            name=str(record.get("name") or ""),
            path=str(record.get("path") or ""),
            paths=[str(p) for p in record.get("paths") or []],
            public=bool(record.get("public", False)),
            crate=str(record.get("crate", "")),
            version=str(record.get("version", "")),
            file=str(record.get("file") or "").replace("\\", "/").removeprefix("./"),
            line_start=int(record.get("line_start") or 0),
            line_end=int(record.get("line_end") or record.get("line_start") or 0),
            in_macro=bool(record.get("in_macro", False)),
            extra={k: v for k, v in record.items() if k not in known},
        )

    @property
    def cfg(self) -> list[str]:
        """The cfg predicates that must all hold for the item to be compiled (its own and
        its ancestors'), when the export carries them; empty means unconditional."""
        found = self.extra.get("effective_cfg") or []
        return [str(p) for p in found] if isinstance(found, list) else []

    def belongs_to(self, name: str, version: str) -> bool:
        """Whether the record is of crate NAME@VERSION ("crate" may be a name or crate id)."""
        crate_name, _, crate_version = self.crate.partition("@")
        if crate_name not in (name, name.replace("-", "_")):
            return False
        found_version = crate_version or self.version
        return not found_version or found_version == version


class ExportError(RuntimeError):
    pass


def parse_jsonl(lines: Iterable[str]) -> list[ExportItem]:
    items: list[ExportItem] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ExportError(f"line {number} is not JSON: {err}") from err
        if isinstance(record, dict):
            items.append(ExportItem.from_json(record))
    return items


def read_export(path: Path) -> list[ExportItem]:
    with path.open(encoding="utf-8") as handle:
        return parse_jsonl(handle)


def _rustrag(args: list[str], cwd: Path, timeout: float) -> str:
    cmd = [sys.executable, "-c", RUN_CLI, *args]
    done = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-20:])
        raise ExportError(f"rustrag {' '.join(args)} exited {done.returncode}:\n{tail}")
    return done.stdout


def export_with_rustrag(
    crate_dir: Path, name: str, version: str, timeout: float = 1800.0
) -> list[ExportItem]:
    """Index the crate into a temp index, export it as JSONL, keep this crate's records."""
    # Another process (a search index flush) may still write there: cleanup must not fail.
    with tempfile.TemporaryDirectory(
        prefix="rustrag-check-", ignore_cleanup_errors=True
    ) as index_dir:
        # Run from the crate dir too: export finds its workspace from the current folder.
        _rustrag(["index", str(crate_dir), "--index-dir", index_dir], crate_dir, timeout)
        out = _rustrag(
            [
                "export",
                "--index-dir",
                index_dir,
                "--crate",
                f"{name}@{version}",
                "--format",
                "jsonl",
            ],
            crate_dir,
            timeout,
        )
        ours = [item for item in parse_jsonl(out.splitlines()) if item.belongs_to(name, version)]
        ids = [str(item.extra.get("item_id")) for item in ours if item.extra.get("item_id")]
        cfgs = effective_cfgs(Path(index_dir), f"{name}@{version}", ids)
    for item in ours:
        item.extra["effective_cfg"] = cfgs.get(str(item.extra.get("item_id")), [])
    return ours
