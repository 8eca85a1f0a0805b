"""Markdown and self-contained HTML renderings of an `ApiDiff` (JSON is `ApiDiff.to_json`).

Both list every entry grouped by change kind, with old and new paths, signatures and
`file:line` locations relative to each crate's root. The HTML page has no external
resources and escapes every text taken from the sources.
"""

from __future__ import annotations

from html import escape

from rustrag.apidiff.entries import CHANGE_KINDS, ApiDiff, DiffEntry, Side

_TITLES = {
    "removed": "Removed",
    "renamed": "Renamed",
    "moved": "Moved",
    "changed": "Changed",
    "deprecated": "Newly deprecated",
    "added": "Added",
    "body_changed": "Body changed (same signature)",
}


def _title(diff: ApiDiff) -> str:
    return f"API diff: {diff.old.name} {diff.old.version} → {diff.new.name} {diff.new.version}"


def _notes(entry: DiffEntry) -> list[str]:
    notes: list[str] = []
    if entry.details:
        notes.append("differs in: " + ", ".join(entry.details))
    if entry.confidence < 1.0:
        notes.append(f"confidence {entry.confidence:.2f}")
    if entry.evidence:
        notes.append(entry.evidence)
    if entry.replacements:
        notes.append("replacement: " + ", ".join(entry.replacements))
    if entry.members:
        notes.append(f"{entry.members} members")
    return notes


def _md_code(text: str) -> str:
    return "`` " + text.replace("`", "'") + " ``" if "`" in text else f"`{text}`"


def _md_side(label: str, side: Side | None) -> list[str]:
    if side is None:
        return []
    lines = [f"  - {label}: {_md_code(side.path)} at `{side.location}`"]
    if side.signature:
        lines.append(f"    {_md_code(side.signature)}")
    return lines


def to_markdown(diff: ApiDiff) -> str:
    lines = [f"# {_title(diff)}", ""]
    summary = diff.summary()
    lines.append(" · ".join(f"{_TITLES[k].lower()}: {summary[k]}" for k in CHANGE_KINDS))
    for change in CHANGE_KINDS:
        entries = diff.of_change(change)
        if not entries:
            continue
        lines += ["", f"## {_TITLES[change]} ({len(entries)})", ""]
        for entry in entries:
            lines.append(f"- **{entry.kind}** {_md_code(entry.path)}")
            lines += _md_side(f"old ({diff.old.version})", entry.old)
            lines += _md_side(f"new ({diff.new.version})", entry.new)
            for note in _notes(entry):
                lines.append(f"  - {note}")
    return "\n".join(lines) + "\n"


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}
code{font-size:.85rem;white-space:pre-wrap}.loc{color:#666;font-size:.8rem}
.removed{color:#a00}.added{color:#070}.note{color:#555;font-size:.85rem}
"""


def _html_side(side: Side | None) -> str:
    if side is None:
        return ""
    return (
        f"<code>{escape(side.path)}</code><br><span class=loc>{escape(side.location)}</span>"
        f"<br><code>{escape(side.signature)}</code>"
    )


def to_html(diff: ApiDiff) -> str:
    title = escape(_title(diff))
    parts = [
        "<!doctype html><html><head><meta charset=utf-8>",
        f"<title>{title}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p class=loc>{escape(diff.old.root)} → {escape(diff.new.root)}</p>",
        "<ul>",
    ]
    summary = diff.summary()
    parts += [f"<li>{escape(_TITLES[k])}: {summary[k]}</li>" for k in CHANGE_KINDS]
    parts.append("</ul>")
    for change in CHANGE_KINDS:
        entries = diff.of_change(change)
        if not entries:
            continue
        parts.append(f"<h2 class={change}>{escape(_TITLES[change])} ({len(entries)})</h2>")
        parts.append(
            f"<table><tr><th>kind</th><th>{escape(diff.old.version)}</th>"
            f"<th>{escape(diff.new.version)}</th><th>notes</th></tr>"
        )
        for entry in entries:
            notes = "<br>".join(escape(n) for n in _notes(entry))
            parts.append(
                f"<tr><td>{escape(entry.kind)}</td><td>{_html_side(entry.old)}</td>"
                f"<td>{_html_side(entry.new)}</td><td class=note>{notes}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
