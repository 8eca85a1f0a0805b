"""File-system questions that answer False instead of raising.

pathlib's is_file()/exists() raise PermissionError for an unreadable folder on the
way; discover must report such folders, not stop on them.
"""

from __future__ import annotations

import os
from pathlib import Path


def is_file(path: Path) -> bool:
    return os.path.isfile(path)


def is_dir(path: Path) -> bool:
    return os.path.isdir(path)


def exists(path: Path) -> bool:
    return os.path.exists(path)


def children(folder: Path) -> list[Path]:
    """Entries of `folder` sorted by name; empty when it cannot be listed."""
    try:
        return sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
