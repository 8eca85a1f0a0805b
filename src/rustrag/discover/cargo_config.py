"""Cargo source replacement, as configured in .cargo/config.toml files.

Cargo reads the config of the workspace folder and of every folder above it, then
$CARGO_HOME/config.toml; the nearest file wins key by key. Only [source.*] matters
here: it is how vendored and distribution-packaged crates (Debian's
/usr/share/cargo/registry) stand in for crates.io.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rustrag.discover.fs import is_file
from rustrag.model import Problem

CRATES_IO = "crates-io"
CRATES_IO_URLS = frozenset(
    {
        "https://github.com/rust-lang/crates.io-index",
        "https://index.crates.io/",
        "https://index.crates.io",
    }
)


def cargo_home() -> Path:
    home = os.environ.get("CARGO_HOME")
    return Path(home) if home else Path.home() / ".cargo"


@dataclass(slots=True)
class SourceEntry:
    replace_with: str | None = None
    directory: Path | None = None
    registry: str | None = None  # index URL
    git: str | None = None


@dataclass(slots=True)
class SourceConfig:
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    registries: dict[str, str] = field(default_factory=dict)  # [registries.NAME] index

    def source_name(self, url: str) -> str | None:
        """The configured name of the source at `url` (a registry index or git repo)."""
        if url in CRATES_IO_URLS or url.removeprefix("sparse+") in CRATES_IO_URLS:
            return CRATES_IO
        for name, entry in self.sources.items():
            if url in (entry.registry, entry.git):
                return name
        for name, index in self.registries.items():
            if index == url:
                return name
        return None

    def replacement(self, name: str) -> SourceEntry | None:
        """The final source `name` is replaced with, None when it is not replaced."""
        seen = {name}
        entry = self.sources.get(name)
        replaced: SourceEntry | None = None
        while entry is not None and entry.replace_with and entry.replace_with not in seen:
            seen.add(entry.replace_with)
            replaced = self.sources.get(entry.replace_with, SourceEntry())
            entry = replaced
        return replaced

    def directories(self) -> list[Path]:
        return [e.directory for e in self.sources.values() if e.directory is not None]


def config_files(workspace_root: Path) -> list[Path]:
    """Config files in precedence order, nearest first."""
    found: list[Path] = []
    for folder in (workspace_root, *workspace_root.parents):
        for name in ("config.toml", "config"):
            candidate = folder / ".cargo" / name
            if is_file(candidate):
                found.append(candidate)
                break  # cargo prefers config.toml when both exist
    home = cargo_home()
    for name in ("config.toml", "config"):
        candidate = home / name
        if is_file(candidate):
            if candidate.resolve() not in {f.resolve() for f in found}:
                found.append(candidate)
            break
    return found


def load_source_config(workspace_root: Path) -> tuple[SourceConfig, list[Problem]]:
    config = SourceConfig()
    problems: list[Problem] = []
    for path in config_files(workspace_root):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problems.append(Problem(str(path), 0, f"cargo config ignored: {exc}"))
            continue
        # Relative paths in a config are relative to the folder holding its .cargo/.
        _merge(config, data, base=path.parent.parent)
    return config, problems


def _merge(config: SourceConfig, data: dict[str, Any], base: Path) -> None:
    sources = data.get("source")
    if isinstance(sources, dict):
        for name, raw in sources.items():
            if not isinstance(raw, dict):
                continue
            entry = config.sources.setdefault(name, SourceEntry())
            # Nearer files were merged first, so only fill what is still unset.
            if entry.replace_with is None and isinstance(raw.get("replace-with"), str):
                entry.replace_with = raw["replace-with"]
            if entry.directory is None and isinstance(raw.get("directory"), str):
                entry.directory = (base / raw["directory"]).resolve()
            if entry.registry is None and isinstance(raw.get("registry"), str):
                entry.registry = raw["registry"]
            if entry.git is None and isinstance(raw.get("git"), str):
                entry.git = raw["git"]
    registries = data.get("registries")
    if isinstance(registries, dict):
        for name, raw in registries.items():
            if isinstance(raw, dict) and isinstance(raw.get("index"), str):
                config.registries.setdefault(name, raw["index"])
