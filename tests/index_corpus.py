"""Real item documents from real Rust source, for the index tests and benchmarks.

The project's parser is written elsewhere; until it lands, this reads `pub` item lines
and the `///` docs above them with a crude line scan. It is a test fixture builder, not
a parser: good enough to give BM25 and the embedders real names, signatures and prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import blake3

from rustrag.index.documents import ItemDocument

REGISTRY = Path("/usr/share/cargo/registry")
CLAP_SRC = REGISTRY / "clap-4.0.32" / "src"

_ITEM = re.compile(
    r"^\s*pub(?:\([^)]*\))?\s+(?:const\s+|async\s+|unsafe\s+|extern\s+\"C\"\s+)*"
    r"(fn|struct|enum|trait|type|const|static|mod|union)\s+([A-Za-z_][A-Za-z0-9_]*)"
)
_KIND = {"type": "type_alias"}


def documents_from_file(path: Path, crate_id: str, root: Path) -> Iterator[ItemDocument]:
    module = "::".join(path.relative_to(root).with_suffix("").parts)
    module = module.removesuffix("::mod").removesuffix("lib")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    docs: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("///"):
            docs.append(stripped[3:].strip())
            continue
        if stripped.startswith("#["):
            continue
        match = _ITEM.match(line)
        if match:
            kind = _KIND.get(match.group(1), match.group(1))
            name = match.group(2)
            crate = crate_id.split("@")[0].replace("-", "_")
            item_path = "::".join(p for p in (crate, module.strip(":"), name) if p)
            body = "\n".join(lines[number + 1 : number + 6])
            yield ItemDocument(
                item_id=f"{crate_id}|{item_path}|{kind}#{number + 1}",
                crate_id=crate_id,
                kind=kind,
                name=name,
                path=item_path,
                signature=stripped.rstrip("{").strip(),
                docs="\n".join(docs),
                body_excerpt=body,
                fingerprint=blake3.blake3(f"{item_path}\n{stripped}\n{docs}".encode()).hexdigest(),
            )
        docs = []


def crate_documents(src: Path, crate_id: str) -> list[ItemDocument]:
    found: list[ItemDocument] = []
    for path in sorted(src.rglob("*.rs")):
        found.extend(documents_from_file(path, crate_id, src))
    return found


def registry_documents(limit: int | None = None) -> list[ItemDocument]:
    """Documents from every crate in the Debian cargo registry on this machine."""
    found: list[ItemDocument] = []
    for crate_dir in sorted(REGISTRY.iterdir()):
        src = crate_dir / "src"
        if not src.is_dir():
            continue
        name, _, version = crate_dir.name.rpartition("-")
        found.extend(crate_documents(src, f"{name}@{version}"))
        if limit is not None and len(found) >= limit:
            return found[:limit]
    return found
