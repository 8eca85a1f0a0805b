"""Reading item source text from the indexed crate roots, bounded and never outside them.

Bodies are not stored in Cozo (the spans are), so documents and context packs read them
from the files. A file is read once per `SourceReader` however many items it holds.
"""

from __future__ import annotations

from pathlib import Path

# A file larger than this is not read for excerpts (generated bindings, tables).
MAX_FILE_BYTES = 4 << 20


class SourceReader:
    """Lines of files under crate roots, cached for the reader's lifetime."""

    def __init__(self, max_cached_files: int = 256) -> None:
        self._lines: dict[tuple[str, str], list[str]] = {}
        self._max = max_cached_files

    def lines(self, crate_root: str, rel_file: str) -> list[str]:
        key = (crate_root, rel_file)
        found = self._lines.get(key)
        if found is None:
            found = _read_lines(crate_root, rel_file)
            if len(self._lines) >= self._max:
                self._lines.pop(next(iter(self._lines)))  # oldest first: files come in order
            self._lines[key] = found
        return found

    def span(self, crate_root: str, rel_file: str, line_start: int, line_end: int) -> list[str]:
        """Lines `line_start..=line_end` (1-based), empty when the file is unreadable."""
        lines = self.lines(crate_root, rel_file)
        return lines[max(0, line_start - 1) : max(0, line_end)]


def _read_lines(crate_root: str, rel_file: str) -> list[str]:
    if not crate_root or not rel_file:
        return []
    root = Path(crate_root).resolve()
    path = (root / rel_file).resolve()
    # The index only ever names files inside a crate root; refuse anything else.
    if not path.is_relative_to(root):
        return []
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return []
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def code_lines(lines: list[str]) -> list[str]:
    """An item's lines without its leading doc comments and attributes (shown apart).
    An attribute may span lines (clap's `#[cfg_attr(feature = .., deprecated(note =
    "..multi-line.."))]`): it ends where its brackets close, strings aside."""
    start = 0
    while start < len(lines):
        stripped = lines[start].lstrip()
        if stripped.startswith(("#[", "#![")):
            start = _attribute_end(lines, start) + 1
            continue
        if stripped.startswith(("///", "//!")) or not stripped:
            start += 1
            continue
        break
    return lines[start:]


def _attribute_end(lines: list[str], first: int) -> int:
    """The line on which the attribute opening on line `first` closes."""
    depth = 0
    in_string = escaped = False
    for index in range(first, len(lines)):
        for char in lines[index]:
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return index
    return len(lines) - 1


def body_excerpt(lines: list[str], max_chars: int) -> str:
    """The first `max_chars` of an item's code after its signature line, whitespace
    collapsed: enough for embedding and lexical hints, bounded for huge items."""
    code = code_lines(lines)[1:]
    text = " ".join(" ".join(code[:40]).split())
    return text[:max_chars]
