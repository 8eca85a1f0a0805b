"""The three query sets, sampled with a fixed seed from the indexed crates."""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from rustrag.api import Workspace

SEED = 20240601
DOC_QUERIES_PER_CRATE = 60
DOC_CRATES = ("syn", "clap", "tokio", "nom", "serde")  # at their current versions
IDENT_NAMES = 100
IDENT_SUFFIXES = 100
DOC_KINDS = frozenset(
    {"fn", "method", "struct", "enum", "trait", "type_alias", "macro", "const", "static"}
)
OUTDATED_PAIRS = (("clap@3.2.23", "clap@4.0.32"), ("nom@4.2.3", "nom@7.1.1"))

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_LINK = re.compile(r"\[`?([^\]`]+)`?\](?:\([^)]*\)|\[[^\]]*\])?")


@dataclass(slots=True)
class Query:
    qid: str
    set: str  # "docs", "ident", "outdated"
    text: str
    relevant: list[str]  # item ids; a hit on any of them counts
    split: str = ""  # "dev" or "test"
    info: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def split_of(qid: str) -> str:
    digest = hashlib.blake2b(f"{SEED}:{qid}".encode(), digest_size=4).digest()
    return "dev" if digest[0] % 2 == 0 else "test"


def first_sentence(docs: str) -> str | None:
    """The first sentence of the docs as written (so it can be cut out of them), when it
    is prose worth asking: 5..40 words, no code block or heading first."""
    paragraph = docs.strip().split("\n\n")[0]
    if not paragraph or paragraph.startswith(("#", "```", "|", "<", "-", "*")):
        return None
    end = _SENTENCE_END.search(paragraph)
    sentence = paragraph[: end.end()] if end else paragraph
    words = sentence.split()
    if not 5 <= len(words) <= 40 or "deprecated" in sentence.lower():
        return None
    return sentence


def as_question(sentence: str) -> str:
    """The sentence as someone would type it: links and backticks unwrapped."""
    text = _LINK.sub(r"\1", sentence).replace("`", "")
    return " ".join(text.split())


def export_rows(ws: Workspace, crate_ids: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for crate_id in crate_ids:
        rows.extend(dict(r) for r in ws.export(crate_id))
    for row in rows:
        row["crate_id"] = f"{row['crate']}@{row['version']}"
    return [r for r in rows if r["kind"] not in ("use", "extern_crate")]


def doc_queries(ws: Workspace) -> tuple[list[Query], dict[str, str]]:
    """Doc-sentence queries and the held-out map {item id: sentence as written}."""
    current = ws.current_versions()
    rng = random.Random(SEED)
    queries: list[Query] = []
    held_out: dict[str, str] = {}
    for crate in DOC_CRATES:
        rows = export_rows(ws, [current[crate]])
        by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in rows:
            by_key[(row["path"], row["kind"])].append(row["item_id"])
        pool = []
        for row in rows:
            if row["public"] and row["kind"] in DOC_KINDS and row["docs"]:
                sentence = first_sentence(str(row["docs"]))
                if sentence:
                    pool.append((row, sentence))
        pool.sort(key=lambda p: str(p[0]["item_id"]))
        seen_text: set[str] = set()
        for row, sentence in rng.sample(pool, min(len(pool) * 2 // 3, 4 * DOC_QUERIES_PER_CRATE)):
            text = as_question(sentence)
            if text in seen_text:
                continue  # the same sentence on several items asks nothing specific
            seen_text.add(text)
            # cfg twins (same path and kind, different spans) are the same answer
            relevant = by_key[(row["path"], row["kind"])]
            for item_id in relevant:
                held_out[item_id] = sentence
            qid = f"docs:{row['item_id']}"
            info = {"crate": crate, "kind": row["kind"], "path": row["path"]}
            queries.append(Query(qid, "docs", text, relevant, split_of(qid), info))
            if sum(q.info["crate"] == crate for q in queries) == DOC_QUERIES_PER_CRATE:
                break
    return queries, held_out


def ident_queries(ws: Workspace) -> list[Query]:
    """Exact names (relevant: every in-scope item of that name) and path suffixes of two
    segments (relevant: every in-scope item with a path ending so)."""
    rows = export_rows(ws, sorted(set(ws.current_versions().values())))
    by_name: dict[str, list[str]] = defaultdict(list)
    by_suffix: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["name"]:
            by_name[row["name"]].append(row["item_id"])
        for path in {row["path"], *row["paths"]}:
            parts = path.split("::")
            if len(parts) >= 3:
                by_suffix["::".join(parts[-2:])].append(row["item_id"])
    rng = random.Random(SEED + 1)
    public = sorted(
        (r for r in rows if r["public"] and r["name"] and r["kind"] != "impl"),
        key=lambda r: str(r["item_id"]),
    )
    queries: list[Query] = []
    names = sorted({r["name"] for r in public if len(r["name"]) >= 4})
    for name in rng.sample(names, IDENT_NAMES):
        qid = f"ident-name:{name}"
        relevant = sorted(set(by_name[name]))
        queries.append(Query(qid, "ident", name, relevant, split_of(qid), {"form": "name"}))
    suffixes = sorted(
        s
        for s in {"::".join(p.split("::")[-2:]) for r in public for p in r["paths"]}
        if s.count("::") == 1 and s in by_suffix and _IDENT.fullmatch(s.split("::")[1])
    )
    for suffix in rng.sample(suffixes, IDENT_SUFFIXES):
        qid = f"ident-suffix:{suffix}"
        relevant = sorted(set(by_suffix[suffix]))
        queries.append(Query(qid, "ident", suffix, relevant, split_of(qid), {"form": "suffix"}))
    return queries


def outdated_queries(ws: Workspace) -> list[Query]:
    """Old paths the new version renamed, moved, or removed naming a replacement."""
    queries: list[Query] = []
    for old, new in OUTDATED_PAIRS:
        diff = ws.api_diff(old, new)
        new_rows = export_rows(ws, [new])
        by_path: dict[str, list[str]] = defaultdict(list)
        for row in new_rows:
            for path in {row["path"], *row["paths"]}:
                by_path[path].append(row["item_id"])
        for entry in diff.entries:
            if entry.old is None:
                continue
            relevant: list[str] = []
            if entry.change in ("renamed", "moved") and entry.new is not None:
                relevant = [entry.new.item_id]
            elif entry.change == "removed" and entry.replacements:
                relevant = sorted({i for p in entry.replacements for i in by_path.get(p, [])})
            if not relevant or entry.old.path in by_path:
                continue  # nothing to find, or the old path still resolves in the new version
            qid = f"outdated:{old}:{entry.old.path}"
            info = {"change": entry.change, "from": old, "to": new}
            queries.append(Query(qid, "outdated", entry.old.path, relevant, split_of(qid), info))
    unique = {q.qid: q for q in queries}
    return sorted(unique.values(), key=lambda q: q.qid)
