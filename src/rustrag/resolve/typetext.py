"""Reading type and generics text as parse wrote it (`Foo<T>`, `&'a mut dyn Tr + Send`)."""

from __future__ import annotations

import re

PRIMITIVES = frozenset(
    {
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize",
        "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64", "!",
    }
)  # fmt: skip

_PATH_RE = re.compile(r"^(?:::)?(?:r#)?[A-Za-z_][A-Za-z0-9_]*(?:::(?:r#)?[A-Za-z_][A-Za-z0-9_]*)*$")
_QUALIFIED_RE = re.compile(r"^<\s*(.+?)\s+as\s+(.+?)\s*>\s*::\s*(.+)$")
_IDENT_RE = re.compile(r"^(?:r#)?[A-Za-z_][A-Za-z0-9_]*$")


def strip_generics(text: str) -> str:
    """`Vec<Option<T>>` -> `Vec`; the `>` of `->` is not a closing bracket."""
    out: list[str] = []
    depth = 0
    prev = ""
    for ch in text:
        if ch == "<":
            depth += 1
        elif ch == ">" and prev != "-" and depth > 0:
            depth -= 1
        elif depth == 0:
            out.append(ch)
        prev = ch
    return "".join(out)


def squash(text: str) -> str:
    """Whitespace-normalised text, for paths built from text as written."""
    return " ".join(text.split())


def as_type_path(text: str) -> str | None:
    """The path naming the type in `text`, if it names one: `&'a mut crate::Foo<T>` -> `crate::Foo`.

    Returns None for slices, tuples, fn pointers and other types that are not a path.
    """
    t = squash(strip_generics(text))
    while True:
        before = t
        t = t.lstrip("&").strip()
        for prefix in ("mut ", "dyn ", "impl ", "const "):
            if t.startswith(prefix):
                t = t[len(prefix) :].strip()
        if t.startswith("'"):
            t = t.partition(" ")[2].strip()
        if t == before:
            break
    t = t.split("+", 1)[0].strip().replace(" ", "")
    if t.startswith("?"):
        return None
    return t if _PATH_RE.match(t) else None


def qualified_parts(path: str) -> tuple[str, str, str] | None:
    """`<T as Trait>::f` -> ("T", "Trait", "f"); None when the path is not of that form."""
    m = _QUALIFIED_RE.match(path.strip())
    return (m.group(1), m.group(2), m.group(3)) if m else None


def split_path(path: str) -> list[str]:
    """`::a::b` -> ["", "a", "b"]: the leading "" marks an absolute (extern) path."""
    p = path.replace(" ", "")
    if p.startswith("::"):
        return ["", *p[2:].split("::")]
    return p.split("::")


def is_ident(name: str) -> bool:
    return bool(_IDENT_RE.match(name))


def generic_param_names(generics: str) -> set[str]:
    """Type and const parameter names of `<'a, T: Clone, const N: usize>` (not lifetimes)."""
    inner = generics.strip()
    if not inner.startswith("<"):
        return set()
    inner = inner[1:-1] if inner.endswith(">") else inner[1:]
    names: set[str] = set()
    depth = 0
    start = 0
    parts: list[str] = []
    for i, ch in enumerate(inner):
        if ch in "<([":
            depth += 1
        elif ch in ">)]" and depth > 0:
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    for part in parts:
        p = part.strip()
        if not p or p.startswith("'"):
            continue
        if p.startswith("const "):
            p = p[6:].strip()
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", p)
        if m:
            names.add(m.group(0))
    return names
