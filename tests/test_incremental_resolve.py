"""Incremental resolve in a warm indexer (what `rustrag watch` holds): a sequence of varied
edits to a real crate (Debian's semver 1.0.14, copied into a tmp workspace as a member),
each followed by a comparison of the warm index with a clean index of the same tree, row
by row. Each step also says which way the crate was brought up to date: patched in place
(rustrag.resolve.incremental) or resolved again in full, so both paths are exercised."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.debian_project import lock_against_debian

from incremental_support import (  # noqa: F401 (isolated_caches is a fixture)
    assert_same_index,
    isolated_caches,
    needs_cargo,
)
from rustrag.discover import discover_workspace
from rustrag.model import Workspace
from rustrag.pipeline import Indexer, IndexReport
from rustrag.store import Store
from rustrag.store.delta import read_meta_prefix, read_total_lines
from rustrag.update.crate_state import CRATE_STATE_PREFIX

pytestmark = [needs_cargo, pytest.mark.usefixtures("isolated_caches")]


def _member_workspace(
    root: Path, crate: Path, name: str, version: str, features: list[str]
) -> Path:
    """A workspace whose one member is a copy of a Debian crate's sources, every feature
    listed on by default (plain flags: the copy has no dependencies), locked."""
    shutil.copytree(crate / "src", root / name / "src")
    (root / "Cargo.toml").write_text(f'[workspace]\nmembers = ["{name}"]\nresolver = "2"\n')
    listed = ", ".join(f'"{f}"' for f in features)
    flags = "".join(f"{f} = []\n" for f in features)
    (root / name / "Cargo.toml").write_text(
        f'[package]\nname = "{name}"\nversion = "{version}"\nedition = "2018"\n\n'
        f"[features]\ndefault = [{listed}]\n{flags}"
    )
    lock_against_debian(root)
    return root


SEMVER = Path("/usr/share/cargo/registry/semver-1.0.14")
CRATE = "semverws@1.0.14"


@pytest.fixture()
def warm(tmp_path: Path) -> Iterator[tuple[Path, Path, Indexer]]:
    if not SEMVER.is_dir():
        pytest.skip("needs Debian's semver 1.0.14")
    root = _member_workspace(tmp_path / "ws", SEMVER, "semverws", "1.0.14", ["std"])
    index_dir = tmp_path / "idx"
    with Indexer(index_dir, keep_warm=True) as indexer:
        indexer.run(discover_workspace(root))
        yield root, index_dir, indexer


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def crate_states(index_dir: Path) -> dict[str, str]:
    with Store.open(index_dir, read_only=True) as store:
        return read_meta_prefix(store, CRATE_STATE_PREFIX)


def stored_lines(index_dir: Path) -> int:
    with Store.open(index_dir, read_only=True) as store:
        return read_total_lines(store)


def rerun(indexer: Indexer, workspace: Workspace) -> IndexReport:
    """One watch update: the edited crate only, no dependency planning, no snapshot."""
    return indexer.run(workspace, plan_dependencies=False, auto_snapshot=False, focus={CRATE})


def test_edit_sequence_matches_clean_index(
    warm: tuple[Path, Path, Indexer], tmp_path: Path
) -> None:
    root, index_dir, indexer = warm
    src = root / "semverws/src"
    workspace = discover_workspace(root)
    steps: list[tuple[str, bool]] = []  # (what, patched in place)

    def step(what: str, *, patched: bool, rediscover: bool = False) -> None:
        nonlocal workspace
        if rediscover:
            workspace = discover_workspace(root)
        report = rerun(indexer, workspace)
        assert report.crates_updated == [CRATE], (what, report.to_json())
        ran_patch = report.crates_patched == [CRATE]
        steps.append((what, ran_patch))
        assert ran_patch == patched, (what, report.full_resolve_reasons)
        assert_same_index(index_dir, root, tmp_path / "clean")
        # the export digest dependents are checked against is a clean resolve's too
        assert crate_states(index_dir) == crate_states(tmp_path / "clean"), what
        assert report.lines == stored_lines(index_dir), what  # counted from kept rows

    # bodies, signatures and docs: the file's items are re-read, nothing else moves
    edit(src / "eval.rs", "Op::Greater => matches_greater(cmp, ver),", "Op::Greater => false,")
    step("body", patched=True)
    edit(
        src / "eval.rs",
        "fn pre_is_compatible(cmp: &Comparator, ver: &Version) -> bool {",
        "/// Whether pre-releases may match.\n"
        "fn pre_is_compatible(cmp: &Comparator, ver: &Version, _op: Op) -> bool {",
    )
    step("signature and doc", patched=True)
    # a new pub fn, then a caller in another file: the call edge resolves to it
    with (src / "eval.rs").open("a") as f:
        f.write("\npub fn added_fn() -> Version {\n    unimplemented!()\n}\n")
    step("add pub fn", patched=True)
    edit(src / "lib.rs", "eval::matches_req(self, version)", "eval::added_fn() == *version")
    step("call it from another file", patched=True)
    # a method added to an impl whose type lives in another file's `pub use`
    edit(
        src / "parse.rs",
        "impl Error {\n",
        "impl Error {\n    pub fn added_method(&self) -> u8 {\n        0\n    }\n\n",
    )
    step("add a method", patched=True)
    # rename an item another file calls: that call becomes unresolved, as in a clean index
    edit(src / "eval.rs", "fn matches_comparator(", "fn matches_single(")
    step("rename an item referenced elsewhere", patched=True)
    edit(src / "eval.rs", "\npub fn added_fn() -> Version {\n    unimplemented!()\n}\n", "")
    step("remove pub fn", patched=True)
    # a new type and its impl together in one file
    with (src / "display.rs").open("a") as f:
        f.write("\npub struct Added(u8);\n\nimpl Added {\n    pub fn get(&self) -> u8 {\n")
        f.write("        self.0\n    }\n}\n")
    step("add a type with an impl", patched=True)
    # items inserted above inline modules: the modules' item indices move
    edit(
        src / "backport.rs",
        "#[cfg(no_str_strip_prefix)] // rustc <1.45\n",
        "fn added_top() {}\n\n#[cfg(no_str_strip_prefix)] // rustc <1.45\n",
    )
    step("add a fn above inline modules", patched=True)
    target = src / "identifier.rs"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    step("touch without change", patched=True)
    # what changes imports, the module tree or macros: resolved in full
    edit(src / "eval.rs", "use crate::{", "use crate::Prerelease as _Pre;\nuse crate::{")
    step("add a use", patched=False)
    edit(src / "eval.rs", "use crate::Prerelease as _Pre;\n", "")
    step("remove a use", patched=False)
    (src / "extra.rs").write_text("pub fn extra() -> u8 {\n    2\n}\n")
    edit(src / "lib.rs", "mod eval;\n", "mod eval;\nmod extra;\n")
    step("add a mod", patched=False, rediscover=True)
    edit(
        src / "eval.rs",
        "use crate::{",
        "macro_rules! make_fn {\n    ($n:ident) => {\n        pub fn $n() -> u8 {\n"
        "            1\n        }\n    };\n}\n\nuse crate::{",
    )
    with (src / "extra.rs").open("a") as f:
        f.write("\nmake_fn!(made_one);\n")
    step("add a macro_rules and a call", patched=False)
    # the expansion of an edited file is redone with the crate's unchanged macros
    edit(src / "extra.rs", "make_fn!(made_one);", "make_fn!(made_one);\nmake_fn!(made_two);")
    step("add a macro call", patched=True)
    edit(src / "eval.rs", "pub fn $n() -> u8 {", "pub fn $n() -> u16 {")
    step("change a macro_rules", patched=False)
    edit(src / "extra.rs", "    2\n", "    3\n")
    step("body edit after a full resolve", patched=True)

    assert any(p for _, p in steps) and not all(p for _, p in steps)


SYN = Path("/usr/share/cargo/registry/syn-1.0.107")


def test_edits_in_a_file_of_macro_calls_match_clean_index(tmp_path: Path) -> None:
    """syn's expr.rs is mostly calls of the crate's own `ast_struct!`/`ast_enum!`: after
    an edit the file is expanded again, calls the edit only moved taken from the
    expansions of before (moved as far as they moved). Must equal a clean index."""
    if not SYN.is_dir():
        pytest.skip("needs Debian's syn 1.0.107")
    root = _member_workspace(
        tmp_path / "ws", SYN, "synws", "1.0.107", ["full", "parsing", "printing"]
    )
    expr = root / "synws/src/expr.rs"
    crate_id = "synws@1.0.107"
    with Indexer(tmp_path / "idx", keep_warm=True) as indexer:
        workspace = discover_workspace(root)
        indexer.run(workspace)
        edits = [
            ("ast_struct! {", "// a line above every later call\nast_struct! {"),
        ]
        for old, new in edits:
            edit(expr, old, new)
            report = indexer.run(
                workspace, plan_dependencies=False, auto_snapshot=False, focus={crate_id}
            )
            assert report.crates_patched == [crate_id], report.full_resolve_reasons
            assert_same_index(tmp_path / "idx", root, tmp_path / "clean")
        with expr.open("a") as f:
            f.write("\npub fn added() -> Expr {\n    unimplemented!()\n}\n")
        report = indexer.run(
            workspace, plan_dependencies=False, auto_snapshot=False, focus={crate_id}
        )
        assert report.crates_patched == [crate_id], report.full_resolve_reasons
        assert_same_index(tmp_path / "idx", root, tmp_path / "clean")
