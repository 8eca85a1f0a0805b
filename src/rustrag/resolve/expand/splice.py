"""Replacing the items read from inside macro calls with the items their expansions make.

Parse reads items straight out of a call's token tree (`ast_struct! { pub struct X }`);
when the macro is the crate's own and expands, its expansion is the truth, and the items
read from the call's text must go so that nothing appears twice.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from rustrag.model import MacroCall, RawItem

Expand = Callable[[MacroCall], "list[RawItem] | None"]


@dataclass(slots=True)
class Spliced:
    items: list[RawItem]
    kept: int  # items[:kept] are the input's own items; the rest came from expansions
    calls: list[MacroCall]  # the input's calls that were not expanded, parents renumbered


def splice(items: list[RawItem], calls: list[MacroCall], expand: Expand) -> Spliced:
    """Expand the outermost calls `expand` knows, and swap their items in.

    `items` and `calls` are one text's (a file's, or an expansion's); parents are indices
    into `items`. Expanded items come back with parent None at their top level; they are
    appended, top level attached to the call's parent, after the items that stay.
    """
    starts: list[int] = []
    ends: list[int] = []
    done: list[tuple[MacroCall, list[RawItem]]] = []
    for call in sorted(calls, key=lambda c: (c.byte_start, -c.byte_end)):
        if _inside(starts, ends, call.byte_start, call.byte_end):
            continue  # part of a call already expanded: its expansion has it
        found = expand(call)
        if found is None:
            continue
        starts.append(call.byte_start)  # sorted and disjoint: outermost calls only
        ends.append(call.byte_end)
        done.append((call, found))
    if not done:
        return Spliced(items, len(items), calls)
    renumber: dict[int, int] = {}
    out: list[RawItem] = []
    for index, item in enumerate(items):
        if _inside(starts, ends, item.byte_start, item.byte_end):
            continue
        parent = item.parent
        if parent is not None and parent not in renumber:
            continue  # its parent was read from an expanded call: it went with it
        new_parent = renumber[parent] if parent is not None else None
        renumber[index] = len(out)
        out.append(item if new_parent == parent else dataclasses.replace(item, parent=new_parent))
    kept = len(out)
    for call, found in done:
        if call.parent is not None and call.parent not in renumber:
            continue
        holder = renumber[call.parent] if call.parent is not None else None
        base = len(out)
        for item in found:
            item.parent = holder if item.parent is None else item.parent + base
            out.append(item)
    left = [
        dataclasses.replace(c, parent=renumber[c.parent] if c.parent is not None else None)
        for c in calls
        if not _inside(starts, ends, c.byte_start, c.byte_end)
        and (c.parent is None or c.parent in renumber)
    ]
    return Spliced(out, kept, left)


def _inside(starts: list[int], ends: list[int], start: int, end: int) -> bool:
    """Whether [start, end) lies within one of the disjoint sorted ranges."""
    at = bisect_right(starts, start) - 1
    return at >= 0 and end <= ends[at]
