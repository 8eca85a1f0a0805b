"""The crate-level pass: every file's item-level calls of the crate's own macros expanded."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from rustrag.limits import (
    MAX_CRATE_EXPANSION_BYTES,
    MAX_EXPANSION_BYTES,
    MAX_EXPANSIONS_PER_CALL,
    MAX_MACRO_EXPANSION_DEPTH,
)
from rustrag.model import ParsedFile, Problem, RawItem
from rustrag.resolve.expand.expander import Expander, MacroDef
from rustrag.resolve.expand.splice import splice


class CrateMacros:
    """The crate's macro_rules by name; expands the calls in any of its files."""

    def __init__(self, files: Mapping[str, ParsedFile]) -> None:
        macros: dict[str, list[MacroDef]] = {}
        # Textual scope is approximated by "defined anywhere in the crate", in file and
        # then source order, so the pick among same-named definitions is deterministic.
        for rel in sorted(files):
            parsed = files[rel]
            for index in sorted(parsed.macro_rules):
                item = parsed.items[index] if 0 <= index < len(parsed.items) else None
                if item is not None and item.kind == "macro_rules" and item.name:
                    macros.setdefault(item.name, []).append(MacroDef(parsed.macro_rules[index]))
        self.expander = Expander(macros)
        # Expansion bytes each file used: the budget is crate-wide, so re-expanding one
        # edited file alone is exact only while the whole crate stays clear of it.
        self.used: dict[str, int] = {}

    def definitions(self, parsed: ParsedFile) -> list[tuple[int, str, str]]:
        """The file's macro_rules as (position, name, rules): what this pass reads of it."""
        return [
            (index, parsed.items[index].name, parsed.macro_rules[index])
            for index in sorted(parsed.macro_rules)
            if 0 <= index < len(parsed.items)
        ]

    def roomy(self) -> bool:
        """Whether no call so far met the crate budget, nor a per-call limit cut by it."""
        expander = self.expander
        return not expander.over_budget and expander.bytes_left >= MAX_EXPANSION_BYTES

    def reexpand(self, parsed: ParsedFile) -> ParsedFile | None:
        """An edited file expanded as a clean pass over the crate would expand it, or None
        when that is not certain (the crate's expansion budget comes into play)."""
        if not self.roomy():
            return None
        others = sum(used for rel, used in self.used.items() if rel != parsed.rel_path)
        self.expander.bytes_left = MAX_CRATE_EXPANSION_BYTES - others
        expanded = self.expand_file(parsed)
        return expanded if self.roomy() else None

    def expand_file(self, parsed: ParsedFile) -> ParsedFile:
        """The file with its known calls expanded; the same object when none is."""
        expander = self.expander
        if not any(expander.knows(call) for call in parsed.macro_calls):
            self.used[parsed.rel_path] = 0
            return parsed
        left_before = expander.bytes_left
        cut_before = len(expander.too_deep)
        budget_before = expander.over_budget
        spliced = splice(parsed.items, parsed.macro_calls, expander.expand_call)
        self.used[parsed.rel_path] = left_before - expander.bytes_left
        problems = list(parsed.problems)
        cut = [call for call in expander.too_deep[cut_before:] if call is not None]
        if cut:
            reason = (
                f"macro expansion of `{cut[0].name}!` nested more than "
                f"{MAX_MACRO_EXPANSION_DEPTH} levels deep or made more than "
                f"{MAX_EXPANSIONS_PER_CALL} expansions; the rest were not expanded"
            )
            problems.append(Problem(parsed.path, cut[0].line_start, reason))
        if expander.over_budget and not budget_before:
            reason = (
                f"macro expansions of this crate passed {MAX_CRATE_EXPANSION_BYTES} bytes; "
                "later calls were read without expanding them"
            )
            problems.append(Problem(parsed.path, 0, reason))
        unchanged = spliced.kept == len(spliced.items) == len(parsed.items)
        if unchanged and len(problems) == len(parsed.problems):
            return parsed
        rules = _renumbered_rules(parsed, spliced.items)
        return dataclasses.replace(
            parsed,
            items=spliced.items,
            macro_calls=spliced.calls,
            macro_rules=rules,
            problems=problems,
        )


def _renumbered_rules(parsed: ParsedFile, items: list[RawItem]) -> dict[int, str]:
    """macro_rules texts keyed by the items' new positions (a kept item keeps its name
    and byte range, even when copied for a new parent)."""
    by_place = {
        (parsed.items[i].byte_start, parsed.items[i].name): text
        for i, text in parsed.macro_rules.items()
        if 0 <= i < len(parsed.items)
    }
    out: dict[int, str] = {}
    for index, item in enumerate(items):
        if item.kind == "macro_rules":
            text = by_place.get((item.byte_start, item.name))
            if text is not None:
                out[index] = text
    return out
