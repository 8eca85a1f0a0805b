"""Where the per-machine artifact cache lives: shared by every project of this user."""

from __future__ import annotations

import os
from pathlib import Path

ENV_CACHE_DIR = "RUSTRAG_CACHE_DIR"
_APP = "rustrag"


def cache_dir() -> Path:
    """$RUSTRAG_CACHE_DIR, else $XDG_CACHE_HOME/rustrag, else ~/.cache/rustrag."""
    explicit = os.environ.get(ENV_CACHE_DIR)
    if explicit:
        return Path(explicit).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says a relative value is invalid and must be ignored.
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / _APP
    return Path.home() / ".cache" / _APP
