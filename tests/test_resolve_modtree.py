"""Module trees on the `layouts` fixture: every way `mod x;` finds its file, and failures."""

from __future__ import annotations

import pytest

from rustrag.model import ParsedFile, ResolvedCrate
from rustrag.resolve import resolve_crate
from test_resolve_helpers import fixture_crate, item, parse_all, resolve_dir


@pytest.fixture(scope="module")
def layouts() -> ResolvedCrate:
    return resolve_dir(fixture_crate("layouts"))


def module_files(resolved: ResolvedCrate) -> dict[str, str | None]:
    return {m.path: m.file for m in resolved.modules}


def test_name_rs_and_mod_rs_layouts(layouts: ResolvedCrate) -> None:
    files = module_files(layouts)
    assert files["layouts"] == "src/lib.rs"
    assert files["layouts::a"] == "src/a.rs"
    assert files["layouts::a::b"] == "src/a/b.rs"  # child of a non-mod-rs file
    assert files["layouts::c"] == "src/c/mod.rs"
    assert files["layouts::c::d"] == "src/c/d.rs"  # child of a mod.rs file


def test_path_attribute_and_its_children(layouts: ResolvedCrate) -> None:
    files = module_files(layouts)
    assert files["layouts::p"] == "src/other/p.rs"
    # a #[path] file acts as a mod.rs: its children sit beside it
    assert files["layouts::p::q"] == "src/other/q.rs"
    assert item(layouts, "layouts::p::q::InQ", "struct").public


def test_inline_modules_nest_directories(layouts: ResolvedCrate) -> None:
    files = module_files(layouts)
    assert files["layouts::inl"] is None
    assert files["layouts::inl::deep"] == "src/inl/deep.rs"
    # #[path] inside an inline module of the non-mod-rs file a.rs: relative to a/inner/
    assert files["layouts::a::inner::z"] == "src/a/inner/z.rs"
    assert item(layouts, "layouts::inl::InInline", "struct").module == "layouts::inl"


def test_mod_declared_inside_a_macro_call(layouts: ResolvedCrate) -> None:
    assert module_files(layouts)["layouts::from_macro"] == "src/from_macro.rs"
    assert item(layouts, "layouts::from_macro::FromMacro", "struct").paths == [
        "layouts::from_macro::FromMacro"
    ]


def test_missing_module_file_is_a_problem_with_line(layouts: ResolvedCrate) -> None:
    [problem] = [p for p in layouts.problems if "`missing`" in p.reason]
    assert problem.file.endswith("layouts/src/lib.rs")
    assert problem.line == 13
    assert "neither src/missing.rs nor src/missing/mod.rs exists" in problem.reason


def test_path_leaving_the_crate_is_refused(layouts: ResolvedCrate) -> None:
    [problem] = [p for p in layouts.problems if "`evil`" in p.reason]
    assert "refused" in problem.reason and problem.line == 14
    assert "layouts::evil" not in module_files(layouts)


def test_path_cycle_is_refused(layouts: ResolvedCrate) -> None:
    [problem] = [p for p in layouts.problems if "`again`" in p.reason]
    assert "cycle" in problem.reason and problem.line == 16
    assert [m.file for m in layouts.modules].count("src/lib.rs") == 1


def test_unlinked_file_reported(layouts: ResolvedCrate) -> None:
    assert layouts.unlinked_files == ["src/orphan.rs"]
    [problem] = [p for p in layouts.problems if p.file.endswith("src/orphan.rs")]
    assert problem.severity == "warning" and problem.reason == "not linked from any module tree"
    assert all(it.file != "src/orphan.rs" for it in layouts.items)


def test_file_loaded_on_demand_when_not_given() -> None:
    crate = fixture_crate("layouts")
    files = parse_all(crate)
    held_back = files.pop("src/c/d.rs")
    asked: list[str] = []

    def load(rel: str) -> ParsedFile | None:
        asked.append(rel)
        return held_back if rel == "src/c/d.rs" else None

    resolved = resolve_crate(crate, files, {}, load_file=load)
    assert "src/c/d.rs" in asked
    assert item(resolved, "layouts::c::d::InD", "struct").public
    without_loader = resolve_crate(crate, files, {})
    assert any("`d`" in p.reason for p in without_loader.problems)


def test_every_item_has_a_unique_id(layouts: ResolvedCrate) -> None:
    ids = [it.item_id for it in layouts.items]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("layouts@0.1.0|layouts") for i in ids)
