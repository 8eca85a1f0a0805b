"""Keep file-path arguments from MCP clients inside the roots rustrag has indexed.

A tool argument is typed by a model that may have been steered by text it read, so a
path such as `../../etc/passwd`, `/home/me/.ssh/id_rsa` or a symlink planted in the
workspace must not become a read outside the code the user chose to expose.
"""

from __future__ import annotations

from pathlib import Path

from rustrag.api import NotIndexed, Workspace
from rustrag.store.errors import StoreError


class PathRejected(ValueError):
    """A user-supplied path points outside every allowed root, or at nothing."""


def allowed_roots(workspace: Workspace) -> list[Path]:
    """The workspace root and the root of every indexed crate, symlinks resolved."""
    roots = [workspace.root.resolve()]
    try:
        crates = workspace.crates()
    except (NotIndexed, StoreError):
        crates = {}  # before the first index only the workspace itself is readable
    for stored in crates.values():
        if stored.crate.root:
            roots.append(Path(stored.crate.root).resolve())
    return list(dict.fromkeys(roots))


def safe_path(workspace: Workspace, user_path: str, *, must_exist: bool = True) -> Path:
    """`user_path` (relative to the workspace root, or absolute) as a resolved path that
    lies inside the workspace root or an indexed crate root.

    The path is resolved (following every symlink) before the check, so a link inside a
    root that leads out of it is rejected like a `..` that does.
    """
    if not user_path or not user_path.strip():
        raise PathRejected("empty path: give a file inside the workspace, e.g. src/lib.rs")
    if "\x00" in user_path:
        raise PathRejected("path contains a NUL byte")
    candidate = Path(user_path)
    if not candidate.is_absolute():
        candidate = workspace.root / candidate
    resolved = candidate.resolve(strict=False)
    roots = allowed_roots(workspace)
    if not any(resolved.is_relative_to(root) for root in roots):
        raise PathRejected(
            f"path `{user_path}` resolves to {resolved}, outside the workspace root "
            f"{workspace.root} and the indexed crate roots; only indexed code can be read"
        )
    if must_exist and not resolved.is_file():
        raise PathRejected(f"no file at `{user_path}` (looked at {resolved})")
    return resolved


def split_location(location: str) -> tuple[str, int | None]:
    """`"src/lib.rs:42"` → `("src/lib.rs", 42)`; a path without a line gives None."""
    path, sep, line = location.rpartition(":")
    if sep and path and line.isdigit():
        return path, int(line)
    return location, None
