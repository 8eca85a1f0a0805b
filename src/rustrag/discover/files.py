"""The .rs files of one crate: a careful walk that never leaves the crate or loops."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from rustrag.discover.fs import exists
from rustrag.discover.manifest import MANIFEST
from rustrag.model import Problem

DEFAULT_MAX_FILE_BYTES = 8_000_000
# Only the build output folder at the crate root: `src/target/` can be a real module.
_BUILD_DIR = "target"


def list_rust_files(
    crate_root: Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[list[str], list[Problem]]:
    """Every .rs file under `crate_root`, relative and "/"-separated, sorted.

    Skips the root's target/, hidden entries, and subfolders holding their own Cargo.toml
    (they are other packages). Symlinks are followed only while they stay inside the
    crate root; links out, broken links, loops, unreadable entries and files larger than
    `max_file_bytes` are reported as Problems and left out.
    """
    root = Path(crate_root).absolute()
    problems: list[Problem] = []
    files: list[str] = []
    try:
        real_root = os.path.realpath(root, strict=True)
    except OSError as exc:
        return [], [Problem(str(root), 0, f"crate folder cannot be read: {_reason(exc)}", "error")]
    # Each stack entry carries the real paths of the folders above it, so a link back to
    # an ancestor is seen as a loop rather than walked forever.
    stack: list[tuple[Path, str, str, frozenset[str]]] = [
        (root, "", real_root, frozenset({real_root}))
    ]
    while stack:
        folder, rel, real_folder, ancestors = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(str(folder), 0, f"folder cannot be read: {_reason(exc)}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel_path = f"{rel}{entry.name}"
            path = folder / entry.name
            if entry.is_symlink():
                real = _follow_link(path, real_root, problems)
                if real is None:
                    continue
                is_dir = os.path.isdir(real)
            else:
                real = os.path.join(real_folder, entry.name)
                is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir:
                if (rel == "" and entry.name == _BUILD_DIR) or exists(path / MANIFEST):
                    continue
                if real in ancestors:
                    problems.append(
                        Problem(str(path), 0, "symlink loop (leads back to a parent folder)")
                    )
                    continue
                stack.append((path, rel_path + "/", real, ancestors | {real}))
            elif entry.name.endswith(".rs") and _readable_and_small(
                path, real, max_file_bytes, problems
            ):
                files.append(rel_path)
    files.sort()
    return files, problems


def _follow_link(path: Path, real_root: str, problems: list[Problem]) -> str | None:
    """The real path behind a link, or None (with a Problem) when it must not be walked."""
    try:
        real = os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            problems.append(Problem(str(path), 0, "symlink loop, not followed"))
        else:
            problems.append(Problem(str(path), 0, f"broken symlink: {_reason(exc)}"))
        return None
    if real != real_root and not real.startswith(real_root + os.sep):
        problems.append(
            Problem(str(path), 0, f"symlink leaves the indexed root, not followed (-> {real})")
        )
        return None
    return real


def _readable_and_small(
    path: Path, real: str, max_file_bytes: int, problems: list[Problem]
) -> bool:
    try:
        size = os.stat(real).st_size
    except OSError as exc:
        problems.append(Problem(str(path), 0, f"file cannot be read: {_reason(exc)}"))
        return False
    if size > max_file_bytes:
        problems.append(
            Problem(
                str(path), 0, f"file is {size} bytes, over the {max_file_bytes} byte limit; skipped"
            )
        )
        return False
    if not os.access(real, os.R_OK):
        problems.append(Problem(str(path), 0, "file cannot be read: permission denied"))
        return False
    return True


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
