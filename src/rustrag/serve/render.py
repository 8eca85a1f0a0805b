"""Compact text renderings of tool results.

Many MCP clients show a model only the text content, so the text carries what an agent
needs to write code (signature, docs, location, paths) in as few tokens as possible.
Each function reads the same JSON the structured result carries, so the two agree.
"""

from __future__ import annotations

import json
from typing import Any

MAX_LISTED = 25  # beyond this a list is cut and the rest counted: the JSON has them all

Json = dict[str, Any]


def item_line(item: Json) -> str:
    """`struct shapes::shapes::circle::Circle  shapes@0.1.0  /ws/crates/shapes/src/..:4`"""
    location = f"{item.get('crate_root', '')}/{item.get('file', '')}:{item.get('line_start', 0)}"
    return f"{item['kind']} {item['path']}  {item['crate']}@{item['version']}  {location}"


def item_block(item: Json) -> list[str]:
    lines = [item_line(item)]
    if item.get("signature"):
        lines.append(f"  {item['signature']}")
    if item.get("deprecated"):
        lines.append(f"  DEPRECATED: {item.get('deprecated_note') or ''}".rstrip())
    public = [p for p in item.get("paths", []) if p != item["path"]]
    if public:
        lines.append("  also at: " + ", ".join(public))
    if item.get("docs"):
        lines.extend("  /// " + line for line in str(item["docs"]).splitlines())
    return lines


def section(title: str, entries: list[str]) -> list[str]:
    if not entries:
        return []
    shown = entries[:MAX_LISTED]
    more = len(entries) - len(shown)
    return [f"{title} ({len(entries)}):", *("  " + e for e in shown)] + (
        [f"  … {more} more in the structured result"] if more else []
    )


def short(item: Json) -> str:
    signature = item.get("signature") or item["path"]
    return f"{signature}  [{item['path']}, {item.get('file', '')}:{item.get('line_start', 0)}]"


def impl_line(impl: Json) -> str:
    via = " (derive)" if impl.get("via") == "derive" else ""
    type_item = impl.get("type_item")
    where = f"  [{type_item['path']}]" if type_item else ""
    return f"impl {impl['trait']} for {impl['type']}{via}{where}"


def relation_line(relation: Json) -> str:
    other = relation.get("item")
    where = f"{other['kind']} {other['path']}" if other else "(not indexed)"
    via = f" via {relation['via']}" if relation.get("via") else ""
    return f"{relation['kind']}{via}: {relation['target']} (line {relation['line']}) — {where}"


def render_show(data: Json) -> str:
    lines = item_block(data["item"])
    lines += section("members", [short(c) for c in data.get("children", [])])
    lines += section("methods", [short(m) for m in data.get("methods", [])])
    lines += section("impls", [impl_line(i) for i in data.get("impls", [])])
    lines += section("uses", [relation_line(r) for r in data.get("outgoing", [])])
    lines += section("used by", [relation_line(r) for r in data.get("incoming", [])])
    lines += section("other matches", [item_line(a) for a in data.get("alternatives", [])])
    return "\n".join(lines)


def render_impls(data: Json) -> str:
    lines = item_block(data["trait"])
    impls = [impl_line(i) for i in data["impls"]]
    return "\n".join(lines + (section("implementors", impls) or ["no implementors indexed"]))


def render_methods(data: Json) -> str:
    lines = item_block(data["type"])
    entries = [
        f"{short(m['item'])}" + (f"  (from impl {m['trait']})" if m["trait"] else "")
        for m in data["methods"]
    ]
    return "\n".join(lines + (section("methods", entries) or ["no methods indexed"]))


def render_relations(title: str, data: Json) -> str:
    lines = [item_line(data["item"])]
    entries = [relation_line(r) for r in data["relations"]]
    return "\n".join(lines + (section(title, entries) or [f"no {title} indexed"]))


def render_search(data: Json) -> str:
    results = data["results"]
    if not results:
        return "no matches"
    entries = []
    for result in results:
        item = result.get("item")
        if isinstance(item, dict) and "path" in item and "kind" in item:
            why = _why(result)
            entries.append(
                item_line(item)
                + (f"  [{why}]" if why else "")
                + (f"\n    {item['signature']}" if item.get("signature") else "")
            )
        else:
            entries.append(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(section(f"matches ({data['engine']})", entries))


def _why(result: Json) -> str:
    """Why a hybrid hit ranked: its signals, how a graph neighbour relates, a note."""
    parts = [", ".join(result.get("signals") or [])]
    parts += [str(result[key]) for key in ("via", "note") if result.get(key)]
    return "; ".join(p for p in parts if p)


def render_crates(data: Json) -> str:
    entries = [f"{c['crate_id']}  {c['source']}  {c.get('root', '')}" for c in data["crates"]]
    return "\n".join(section("indexed crates", entries) or ["no crates indexed"])


def render_generic(data: Json) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
