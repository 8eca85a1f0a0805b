"""Decide whether a truth item is written plainly, written inside a macro call, or generated.

rustdoc tells where an item's span is, not whether a macro was involved, so the class is
read off the source at that span:

* generated -- the span has no source in this crate (another crate, no span), lies in a
  macro_rules body, or the item's declaration text (`fn name`, `struct Name`, ...) appears
  nowhere in the span: a macro made the item from a template (define_keywords!,
  pin_project!). An extractor reading source text cannot be expected to find these.
* macro -- the declaration text is in the span, but the span starts inside a macro
  invocation's token tree (tokio's `cfg_rt! { pub fn spawn .. }`) or is the invocation
  itself (syn's `ast_struct! { pub struct ExprBinary .. }`, which rustdoc reports at the
  call site).
* plain -- neither: the declaration text is at the start of the span (its first three
  lines, from the begin column), outside any invocation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .macro_regions import MacroRegions
from .rustdoc_json import Span

ItemClass = Literal["plain", "macro", "generated"]
# Comments, char and string literals blanked before searching for a declaration, so that
# syn's `define_keywords! { "impl" pub struct Impl /// `impl` }` does not read as an impl.
NON_CODE = re.compile(r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\])'|\"(?:\\.|[^\"\\])*\"", re.DOTALL)
FIRST_LINES = 3  # how far from the span's start the declaration may be (wrapped headers)


@dataclass(frozen=True, slots=True)
class Placement:
    klass: ItemClass
    reason: str
    file: str | None  # relative to the crate root; None outside it
    line_start: int
    line_end: int


def declaration_pattern(kind: str, name: str) -> re.Pattern[str] | None:
    """What the item's own declaration looks like in source; None when nothing to check."""
    ident = r"(?:r#)?" + re.escape(name.removeprefix("r#"))
    keyword = {
        "fn": r"\bfn\s+",
        "method": r"\bfn\s+",
        "struct": r"\bstruct\s+",
        "enum": r"\benum\s+",
        "union": r"\bunion\s+",
        "trait": r"\btrait\s+",
        "mod": r"\bmod\s+",
        "const": r"\bconst\s+",
        "assoc_const": r"\bconst\s+",
        "static": r"\bstatic\s+(?:mut\s+)?",
        "type_alias": r"\btype\s+",
        "assoc_type": r"\btype\s+",
        "macro_rules": r"\bmacro_rules!\s*",
        "extern_crate": r"\bextern\s+crate\s+",
    }.get(kind)
    if keyword is not None:
        return re.compile(keyword + ident + r"\b")
    if kind == "impl":
        return re.compile(r"\bimpl\b")
    if kind == "field":
        return None if name.isdigit() else re.compile(ident + r"\s*:(?!:)")
    if kind == "use":  # a leaf of a use tree; `{self, ..}` binds the module's own name
        return re.compile(r"\*" if name == "*" else r"\b(?:self|" + ident + r")\b")
    if kind == "variant":
        return re.compile(r"\b" + ident + r"\b")
    return None


def code_only(text: str) -> str:
    return NON_CODE.sub(" ", text)


class SourceFiles:
    """Crate files read once, with their macro regions."""

    def __init__(self, crate_root: Path) -> None:
        self.root = crate_root.resolve()
        self._cache: dict[Path, MacroRegions | None] = {}

    def relative(self, filename: str) -> str | None:
        path = Path(filename)
        if not path.is_absolute():
            path = self.root / path
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def regions(self, rel: str) -> MacroRegions | None:
        path = self.root / rel
        if path not in self._cache:
            try:
                self._cache[path] = MacroRegions(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                self._cache[path] = None
        return self._cache[path]


def classify(kind: str, name: str, span: Span | None, files: SourceFiles) -> Placement:
    if span is None:
        return Placement("generated", "no span", None, 0, 0)
    rel = files.relative(span.filename)
    line_start, line_end = span.begin[0], span.end[0]
    if rel is None:
        return Placement("generated", "span outside the crate", None, line_start, line_end)
    source = files.regions(rel)
    if source is None:
        return Placement("generated", "unreadable file", rel, line_start, line_end)
    if source.containing(*span.begin, "macro_rules") is not None:
        return Placement("generated", "in a macro_rules body", rel, line_start, line_end)
    pattern = declaration_pattern(kind, name)
    inside = source.containing(*span.begin, "invocation")
    at_call_site = source.starts_invocation(*span.begin)
    if inside is None and not at_call_site:
        head = code_only(
            source.span_text(span.begin, (min(line_start + FIRST_LINES, line_end + 1), 1))
        )
        if pattern is None or pattern.search(head):
            return Placement("plain", "declaration at span start", rel, line_start, line_end)
        return Placement("generated", "declaration not in span", rel, line_start, line_end)
    body = code_only(source.span_text(span.begin, span.end))
    if pattern is None or pattern.search(body):
        how = f"inside {inside.macro}!" if inside else "span is an invocation"
        return Placement("macro", how, rel, line_start, line_end)
    return Placement("generated", "declaration not in invocation", rel, line_start, line_end)


MOD_DECL = r"\bmod\s+(?:r#)?{name}\s*;"


def module_declaration(name: str, parent_rel: str | None, files: SourceFiles) -> Placement:
    """Where `mod name;` is written, for a module rustdoc reports as its whole file.

    rustdoc's span for an out-of-line module is the module's file; rustrag's item is the
    `mod name;` line in the parent's file. Any occurrence outside an invocation makes it
    plain (cfg'd alternatives are written several times).
    """
    source = files.regions(parent_rel) if parent_rel else None
    if source is None or parent_rel is None:
        return Placement("generated", "parent file unknown", parent_rel, 0, 0)
    pattern = re.compile(MOD_DECL.format(name=re.escape(name)))
    found: list[tuple[int, bool]] = []
    for match in pattern.finditer(source.text):
        line = source.text.count("\n", 0, match.start()) + 1
        column = match.start() - source.line_starts[line - 1] + 1
        in_rules = source.containing(line, column, "macro_rules") is not None
        in_call = source.containing(line, column, "invocation") is not None
        if not in_rules:
            found.append((line, in_call))
    for line, in_call in found:
        if not in_call:
            return Placement("plain", "mod declaration", parent_rel, line, line)
    if found:
        line = found[0][0]
        return Placement("macro", "mod declaration inside invocation", parent_rel, line, line)
    return Placement("generated", "no mod declaration found", parent_rel, 0, 0)
