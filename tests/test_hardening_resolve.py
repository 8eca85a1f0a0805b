"""Hostile crates to resolve: module chains thousands of files deep, deep inline nesting,
#[path] cycles and escapes, and hypothesis-built module trees. resolve must return a
ResolvedCrate with problems, never raise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rustrag.limits import MAX_MODULE_FILE_DEPTH
from rustrag.model import CrateSource, ParsedFile, ResolvedCrate, Target
from rustrag.parse import parse_bytes
from rustrag.resolve import export_table, resolve_crate


def crate_from(files: dict[str, bytes], root: str = "/hostile/crate") -> CrateSource:
    return CrateSource(
        name="hostile",
        version="0.1.0",
        root=root,
        source="path",
        targets=[Target("lib", "hostile", "src/lib.rs")],
        files=sorted(files),
    )


def resolve_sources(files: dict[str, bytes]) -> ResolvedCrate:
    """Parse and resolve in memory; the loader only knows these files, as the real one
    only knows the crate folder."""
    parsed = {rel: parse_bytes(data, f"/hostile/crate/{rel}", rel) for rel, data in files.items()}

    def load(rel: str) -> ParsedFile | None:
        return parsed.get(rel)

    resolved = resolve_crate(crate_from(files), parsed, {}, load_file=load)
    export_table(resolved)  # the other consumer of a resolved crate
    return resolved


def test_a_module_chain_deeper_than_the_limit_ends_in_a_problem() -> None:
    depth = 1000  # 4 frames a level would be 4,000 frames without the limit
    files = {"src/lib.rs": b'#[path = "f1.rs"] mod m;\n'}
    for i in range(1, depth):
        files[f"src/f{i}.rs"] = f'#[path = "f{i + 1}.rs"] mod m;\npub fn g{i}() {{}}\n'.encode()
    files[f"src/f{depth}.rs"] = b"pub fn last() {}\n"
    resolved = resolve_sources(files)
    mounted = {m.file for m in resolved.modules if m.file}
    assert f"src/f{MAX_MODULE_FILE_DEPTH - 1}.rs" in mounted
    assert f"src/f{MAX_MODULE_FILE_DEPTH + 1}.rs" not in mounted
    [problem] = [p for p in resolved.problems if "files deep" in p.reason]
    assert problem.file.endswith(f"src/f{MAX_MODULE_FILE_DEPTH - 1}.rs")
    assert problem.line == 1


def test_ten_thousand_nested_inline_mods_resolve() -> None:
    source = b"mod a { " * 10_000 + b"pub fn f() {}" + b" }" * 10_000
    resolved = resolve_sources({"src/lib.rs": source})
    assert any(m.path.count("::a") > 10 for m in resolved.modules)
    assert any("nested more than" in p.reason for p in resolved.problems)


def test_path_cycle_and_escapes_are_refused_with_a_reason() -> None:
    files = {
        "src/lib.rs": b'#[path = "lib.rs"] mod again;\n'
        b'#[path = "../../../etc/passwd"] mod up;\n'
        b'#[path = "/etc/passwd"] mod abs;\n'
        b'#[path = "a.rs"] mod a;\n',
        "src/a.rs": b'#[path = "a.rs"] mod a;\npub struct A;\n',
    }
    resolved = resolve_sources(files)
    reasons = " | ".join(p.reason for p in resolved.problems)
    assert "cycle refused" in reasons
    assert reasons.count("leaves the crate root; refused") == 2
    assert {m.file for m in resolved.modules if m.file} == {"src/lib.rs", "src/a.rs"}


def test_glob_import_cycles_terminate() -> None:
    source = (
        b"pub mod a { pub use super::b::*; pub struct A; }\n"
        b"pub mod b { pub use super::a::*; pub use super::c::*; }\n"
        b"pub mod c { pub use super::*; pub use self::c::*; pub use crate::b::*; }\n"
        b"pub use a::*; pub use self::*;\n"
    )
    resolved = resolve_sources({"src/lib.rs": source})
    struct_a = [i for i in resolved.items if i.kind == "struct" and i.name == "A"]
    assert struct_a and "hostile::b::A" in struct_a[0].paths


NAMES = st.sampled_from(["a", "b", "c", "self", "super", "crate", "r#fn", "x1", "mod"])
PATHS = st.sampled_from(["a.rs", "../x.rs", "b/c.rs", "lib.rs", "/abs.rs", "c.rs", "", ".."])


@st.composite
def module_source(draw: st.DrawFn) -> bytes:
    """A file of mod declarations, #[path]s, uses and items that refer to each other."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        name = draw(NAMES)
        choice = draw(st.integers(0, 5))
        if choice == 0:
            parts.append(f"pub mod {name};")
        elif choice == 1:
            parts.append(f'#[path = "{draw(PATHS)}"] mod {name};')
        elif choice == 2:
            parts.append(f"pub mod {name} {{ pub use super::*; pub struct {name.upper()}; }}")
        elif choice == 3:
            glob = draw(st.booleans())
            parts.append(f"pub use {draw(NAMES)}::{draw(NAMES)}{'::*' if glob else ''};")
        elif choice == 4:
            parts.append(f"impl {draw(NAMES)}::T for {draw(NAMES)} {{ fn f(&self) {{}} }}")
        else:
            parts.append(f"pub fn {name}() -> {draw(NAMES)}::Out {{ {draw(NAMES)}::g() }}")
    return "\n".join(parts).encode()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["src/a.rs", "src/b/c.rs", "src/c.rs"]), module_source()))
def test_random_module_trees_resolve_without_raising(extra: dict[str, bytes]) -> None:
    files = {"src/lib.rs": b"pub mod a; pub mod c; pub mod b { pub mod c; }\n", **extra}
    resolved = resolve_sources(files)
    ids = {item.item_id for item in resolved.items}
    assert len(ids) == len(resolved.items)  # ids stay unique whatever the tree
    for item in resolved.items:
        assert item.file in files
        assert item.path.startswith("hostile")
    for edge in resolved.edges:
        assert edge.src in ids and (edge.dst is None or edge.dst in ids or "@" in edge.dst)


def test_pipeline_loader_refuses_reads_outside_the_crate(tmp_path: Path) -> None:
    from rustrag.pipeline import index_workspace
    from rustrag.store import Store

    secret = tmp_path / "secret.rs"
    secret.write_text("pub struct Secret;\n")
    crate = tmp_path / "ws"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text('[package]\nname = "ws"\nversion = "0.1.0"\n')
    (crate / "src" / "lib.rs").write_text(
        '#[path = "../../secret.rs"] mod up;\n#[path = "link.rs"] mod link;\npub struct Mine;\n'
    )
    (crate / "src" / "link.rs").symlink_to(secret)
    report = index_workspace(crate, tmp_path / "idx", include_deps=False)
    reasons = " | ".join(str(p) for p in report.problems)
    assert "leaves the crate root; refused" in reasons
    assert "symlink leaves the indexed root" in reasons
    with Store.open(tmp_path / "idx", read_only=True) as store:
        names = {m.item.name for m in store.find_items("Secret", limit=10)}
        assert "Secret" not in names
        assert {m.item.name for m in store.find_items("Mine", limit=10)} == {"Mine"}
