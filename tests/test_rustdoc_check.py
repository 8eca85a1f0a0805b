"""Tests of the rustdoc extraction check (benchmarks/rustdoc_check).

Fast tests: the macro-region lexer, the truth walk on a fixture crate whose public paths
are known by construction (its rustdoc JSON is built here), and the comparison on a
hand-written export. The slow test runs the real comparison on a registry crate.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `benchmarks` lives at the repo root, outside src/
    sys.path.insert(0, str(REPO))

from benchmarks.rustdoc_check.build_truth import run_cargo_rustdoc  # noqa: E402
from benchmarks.rustdoc_check.compare import compare  # noqa: E402
from benchmarks.rustdoc_check.export import parse_jsonl  # noqa: E402
from benchmarks.rustdoc_check.macro_regions import MacroRegions  # noqa: E402
from benchmarks.rustdoc_check.truth import Truth, TruthItem, build_truth  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "rustdoc_mini"
needs_cargo = pytest.mark.skipif(
    shutil.which("cargo") is None, reason="cargo is not installed: cannot build rustdoc JSON"
)


# --- macro regions -------------------------------------------------------------------------

LEXER_SOURCE = """\
const S: &str = "not_a_call!{ x }"; // nor_this!( here )
/* block /* nested */ still!{ comment } */
fn f<'a>(x: &'a str) -> bool { if !(x.is_empty()) { return true; } let c = '{'; false }
cfg_rt! {
    pub fn spawned() {}
}
macro_rules! make { ($n:ident) => { fn $n() {} }; }
let r = r#"raw!{ "quoted" }"#;
"""


def test_lexer_finds_invocations_and_rules_but_not_text_in_literals() -> None:
    regions = MacroRegions(LEXER_SOURCE).regions
    assert [(r.kind, r.macro) for r in regions] == [
        ("invocation", "cfg_rt"),
        ("macro_rules", "make"),
    ]


def test_lexer_locates_points_inside_invocation() -> None:
    source = MacroRegions(LEXER_SOURCE)
    inside = source.containing(5, 5, "invocation")
    assert inside is not None and inside.macro == "cfg_rt"
    assert source.containing(3, 1, "invocation") is None
    assert source.starts_invocation(4, 1)
    assert not source.starts_invocation(3, 1)


# --- truth on the fixture crate ------------------------------------------------------------


@pytest.fixture(scope="module")
def mini_truth(tmp_path_factory: pytest.TempPathFactory) -> Truth:
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed: cannot build rustdoc JSON")
    work = tmp_path_factory.mktemp("rustdoc_mini")
    crate = work / "rustdoc_mini"
    shutil.copytree(FIXTURE, crate)  # cargo writes Cargo.lock; keep the fixture clean
    run_cargo_rustdoc(crate, "rustdoc_mini", work / "target", jobs=1)
    return build_truth(work / "target" / "doc" / "rustdoc_mini.json", crate, "rustdoc_mini-0.1.0")


def paths_by_def(truth: Truth) -> dict[tuple[str, str], list[str]]:
    return {(item.kind, item.def_path or ""): item.paths for item in truth.items}


@needs_cargo
def test_rename_and_module_alias_give_every_path(mini_truth: Truth) -> None:
    paths = paths_by_def(mini_truth)
    assert paths[("struct", "rustdoc_mini::shapes::Circle")] == [
        "rustdoc_mini::Renamed",
        "rustdoc_mini::geometry::Circle",
        "rustdoc_mini::shapes::Circle",
    ]
    assert paths[("const", "rustdoc_mini::shapes::deep::DEPTH")] == [
        "rustdoc_mini::geometry::deep::DEPTH",
        "rustdoc_mini::shapes::deep::DEPTH",
    ]
    assert paths[("field", "rustdoc_mini::shapes::Circle::radius")] == [
        "rustdoc_mini::Renamed::radius",
        "rustdoc_mini::geometry::Circle::radius",
        "rustdoc_mini::shapes::Circle::radius",
    ]


@needs_cargo
def test_private_module_items_are_public_only_when_reexported(mini_truth: Truth) -> None:
    paths = paths_by_def(mini_truth)
    assert paths[("struct", "rustdoc_mini::hidden::Secret")] == ["rustdoc_mini::Secret"]
    assert paths[("method", "rustdoc_mini::hidden::Secret::reveal")] == [
        "rustdoc_mini::Secret::reveal"
    ]
    assert paths[("field", "rustdoc_mini::hidden::Secret::0")] == ["rustdoc_mini::Secret::0"]
    assert paths[("method", "rustdoc_mini::hidden::Secret::conceal")] == []
    assert paths[("fn", "rustdoc_mini::hidden::not_reexported")] == []
    assert ("mod", "rustdoc_mini::hidden") in paths and not paths[("mod", "rustdoc_mini::hidden")]


@needs_cargo
def test_glob_reexport_brings_only_pub_items(mini_truth: Truth) -> None:
    paths = paths_by_def(mini_truth)
    assert paths[("fn", "rustdoc_mini::globbed::from_glob")] == ["rustdoc_mini::from_glob"]
    assert paths[("static", "rustdoc_mini::globbed::GLOBAL")] == ["rustdoc_mini::GLOBAL"]
    assert paths[("fn", "rustdoc_mini::globbed::not_via_glob")] == []


@needs_cargo
def test_members_follow_their_parent(mini_truth: Truth) -> None:
    paths = paths_by_def(mini_truth)
    assert paths[("method", "rustdoc_mini::Pair::new")] == ["rustdoc_mini::Pair::new"]
    assert paths[("method", "rustdoc_mini::Pair::sum")] == []  # private inherent method
    assert paths[("field", "rustdoc_mini::Pair::right")] == []
    # Trait impl items are nameable through the type, trait items through the trait.
    assert paths[("method", "rustdoc_mini::Pair::describe")] == ["rustdoc_mini::Pair::describe"]
    assert paths[("assoc_type", "rustdoc_mini::Describe::Out")] == ["rustdoc_mini::Describe::Out"]
    assert paths[("variant", "rustdoc_mini::Color::Custom")] == ["rustdoc_mini::Color::Custom"]
    assert paths[("field", "rustdoc_mini::Color::Custom::code")] == [
        "rustdoc_mini::Color::Custom::code"
    ]
    assert paths[("macro_rules", "rustdoc_mini::shout")] == ["rustdoc_mini::shout"]


@needs_cargo
def test_private_items_foreign_reexports_and_derives(mini_truth: Truth) -> None:
    paths = paths_by_def(mini_truth)
    assert paths[("fn", "rustdoc_mini::crate_only")] == []
    assert paths[("fn", "rustdoc_mini::private_fn")] == []
    assert ("rustdoc_mini::HashMap", "std::collections::hash::map::HashMap") in (
        mini_truth.foreign_reexports
    )
    assert not any("HashMap" in path for _, path in mini_truth.path_pairs())
    # #[derive(Debug, Clone)] impls are not in the source, so not in the truth.
    impls = sorted((item.file, item.line_start) for item in mini_truth.items if item.kind == "impl")
    assert impls == [
        ("src/hidden.rs", 3),  # impl Secret
        ("src/lib.rs", 40),  # impl Describe for Pair
        ("src/lib.rs", 48),  # impl Pair
        ("src/shapes.rs", 5),  # impl Circle
    ]
    assert mini_truth.skipped.get("synthetic/derived impl or its item", 0) > 0


@needs_cargo
def test_classes_plain_macro_generated(mini_truth: Truth) -> None:
    by_name = {item.name: item for item in mini_truth.items if item.kind != "use"}
    assert by_name["Wrapped"].klass == "macro"
    assert by_name["generated_getter"].klass == "generated"
    assert by_name["Pair"].klass == "plain"
    assert by_name["reveal"].klass == "plain"
    # Out-of-line modules are placed at their `mod name;` line, where rustrag has them.
    shapes = by_name["shapes"]
    assert (shapes.kind, shapes.file, shapes.line_start, shapes.klass) == (
        "mod",
        "src/lib.rs",
        3,
        "plain",
    )


# --- comparison ------------------------------------------------------------------------------


def truth_item(
    kind: str,
    name: str,
    line: int,
    paths: list[str],
    klass: str = "plain",
    def_path: str | None = None,
) -> TruthItem:
    return TruthItem(
        rustdoc_id=f"{kind}{name}{line}",
        kind=kind,
        name=name,
        def_path=def_path,
        file="src/lib.rs",
        line_start=line,
        line_end=line + 2,
        klass=klass,
        reason="test",
        paths=paths,
    )


TINY_TRUTH = Truth(
    crate="tiny-1.0.0",
    crate_name="tiny",
    format_version=57,
    items=[
        truth_item("struct", "A", 10, ["tiny::A", "tiny::a::A"]),
        truth_item("method", "new", 14, ["tiny::A::new", "tiny::a::A::new"]),
        truth_item("fn", "helper", 30, []),
        truth_item("use", "A", 3, []),
        truth_item("use", "B", 3, []),
        truth_item("struct", "Made", 50, ["tiny::Made"], "macro", "tiny::Made"),
        truth_item("struct", "Lost", 60, ["tiny::Lost"], "macro", "tiny::Lost"),
    ],
    foreign_reexports=[],
    unresolved_uses=[],
    skipped={},
)

TINY_EXPORT = """\
{"kind": "struct", "name": "A", "path": "tiny::a::A", "paths": ["tiny::A", "tiny::a::A"], \
"public": true, "crate": "tiny", "version": "1.0.0", "file": "src/lib.rs", \
"line_start": 9, "line_end": 12, "in_macro": false}
{"kind": "fn", "name": "new", "path": "tiny::a::new", "paths": ["tiny::a::new"], \
"public": true, "crate": "tiny", "version": "1.0.0", "file": "src/lib.rs", \
"line_start": 14, "line_end": 16, "in_macro": false}
{"kind": "fn", "name": "helper", "path": "tiny::helper", "paths": [], "public": false, \
"crate": "tiny", "version": "1.0.0", "file": "src/lib.rs", "line_start": 29, "line_end": 33, \
"in_macro": false}
{"kind": "use", "name": "", "path": "", "paths": [], "public": true, "crate": "tiny", \
"version": "1.0.0", "file": "src/lib.rs", "line_start": 3, "line_end": 3, "in_macro": false}
{"kind": "struct", "name": "Made", "path": "tiny::Made", "paths": ["tiny::Made"], \
"public": true, "crate": "tiny", "version": "1.0.0", "file": "src/other.rs", \
"line_start": 1, "line_end": 2, "in_macro": true}
{"kind": "const", "name": "EXTRA", "path": "tiny::EXTRA", "paths": ["tiny::EXTRA"], \
"public": true, "crate": "tiny", "version": "1.0.0", "file": "src/lib.rs", \
"line_start": 80, "line_end": 80, "in_macro": false}
{"kind": "fn", "name": "main", "path": "build_script_build::main", "paths": [], \
"public": false, "crate": "tiny", "version": "1.0.0", "file": "build.rs", \
"line_start": 1, "line_end": 3, "in_macro": false}
"""


def test_compare_counts_recall_per_class_and_names_the_misses() -> None:
    result = compare(TINY_TRUTH, parse_jsonl(TINY_EXPORT.splitlines()))
    # Plain: A, helper and both use leaves (one use statement) match; `new` came out as a fn.
    assert (result.recall["plain"].found, result.recall["plain"].total) == (4, 5)
    assert result.misses["plain"][0]["name"] == "new"
    assert result.misses["plain"][0]["found_as"] == ["fn"]
    # Macro: Made matches through its path though its span differs; Lost is missed.
    assert (result.recall["macro"].found, result.recall["macro"].total) == (1, 2)
    assert result.matched_by_path == 1
    assert not all(result.checks().values())


def test_compare_paths_only_for_kinds_both_sides_have() -> None:
    result = compare(TINY_TRUTH, parse_jsonl(TINY_EXPORT.splitlines()))
    # Kinds on both sides: struct only ("method" is truth-only, "fn"/"const" ours-only).
    assert result.path_kinds == ["struct"]
    assert (result.path_truth, result.path_ours, result.path_common) == (4, 3, 3)
    assert result.path_precision == 1.0
    assert result.path_misses == ["struct tiny::Lost"]
    # EXTRA is a const, a kind the truth lacks: not counted as a false positive; nor is
    # build.rs's main, which is not part of the library rustdoc documents.
    assert result.other_targets == 1
    assert result.false_positive_count == 1  # the `new` fn
    assert result.false_positives[0]["name"] == "new"


def test_perfect_export_passes_every_check() -> None:
    lines = [
        json.dumps(
            {
                "kind": item.kind,
                "name": "" if item.kind == "use" else item.name,
                "path": item.def_path or "",
                "paths": item.paths,
                "public": bool(item.paths),
                "crate": "tiny@1.0.0",
                "file": item.file,
                "line_start": item.line_start,
                "line_end": item.line_end,
            }
        )
        for item in TINY_TRUTH.items
    ]
    result = compare(TINY_TRUTH, parse_jsonl(lines))
    assert result.recall["plain"].recall == 1.0 and result.recall["macro"].recall == 1.0
    assert result.path_recall == 1.0 and result.path_precision == 1.0
    assert all(result.checks().values())


# --- the real thing ----------------------------------------------------------------------------

SLOW_CRATE = "semver-1.0.14"


@pytest.mark.slow
@needs_cargo
def test_extraction_matches_rustdoc_on_a_real_crate() -> None:
    from benchmarks.rustdoc_check.cli import check_crate
    from benchmarks.rustdoc_check.crates import spec_for

    if not spec_for(SLOW_CRATE).root.is_dir():
        pytest.skip(f"{SLOW_CRATE} is not unpacked under /usr/share/cargo/registry")
    if importlib.util.find_spec("rustrag.cli") is None:
        pytest.skip("rustrag.cli does not exist yet")
    result = check_crate(SLOW_CRATE, export=None, jobs=1, listed=20)
    assert result.ours_items > 0
    failed = {name: ok for name, ok in result.checks().items() if not ok}
    assert not failed, (
        f"{failed}; plain misses {result.misses['plain'][:10]}; "
        f"path misses {result.path_misses[:10]}; path extras {result.path_extras[:10]}"
    )


def test_cfg_predicates_as_the_truth_build_saw_them() -> None:
    from benchmarks.rustdoc_check.cfg_eval import CfgEnv

    env = CfgEnv(frozenset({"std", "serde"}))
    assert env.evaluate('feature = "std"') is True
    assert env.evaluate('feature = "sval"') is False
    assert env.evaluate("test") is False and env.evaluate("docsrs") is False
    assert env.evaluate('all(unix, not(windows), target_os = "linux")') is True
    assert env.evaluate('any(docsrs, feature = "serde")') is True
    assert env.evaluate('all(feature = "std", tokio_unstable)') is None  # custom --cfg
    assert env.evaluate('all(feature = "nope", tokio_unstable)') is False
    assert env.evaluate("not(") is None  # unreadable: keep the item
    assert env.all_of(["unix", "not(test)"]) is True
    assert env.all_of(["unix", "test"]) is False


def test_enabled_features_follow_the_features_table(tmp_path: Path) -> None:
    from benchmarks.rustdoc_check.cfg_eval import enabled_features

    manifest = tmp_path / "Cargo.toml"
    manifest.write_text(
        "[features]\n"
        'default = ["std"]\n'
        'std = ["alloc"]\n'
        "alloc = []\n"
        'kv = ["serde/std", "dep:sval", "value-bag?/x"]\n'
        'unused = ["extra"]\n',
        encoding="utf-8",
    )
    assert enabled_features(manifest, ["kv"], True) == {"default", "std", "alloc", "kv", "serde"}
    assert enabled_features(manifest, [], False) == set()


def test_items_off_in_the_truth_build_are_not_false_positives() -> None:
    from benchmarks.rustdoc_check.cfg_eval import CfgEnv

    ours = parse_jsonl(TINY_EXPORT.splitlines())
    [new_fn] = [o for o in ours if o.name == "new"]
    new_fn.extra["effective_cfg"] = ['feature = "absent"', "unix"]
    [struct_a] = [o for o in ours if o.name == "A"]
    struct_a.extra["effective_cfg"] = ["test"]
    result = compare(TINY_TRUTH, ours, cfg_env=CfgEnv(frozenset()))
    assert result.cfg_off == 2
    assert result.false_positive_count == 0
    # Recall still counts the truth's A; its paths are gone from our side only.
    assert result.recall["plain"].found == 4
    assert (result.path_ours, result.path_common) == (1, 1)


def test_effective_cfg_folds_parents_modules_and_file_attributes(tmp_path: Path) -> None:
    from benchmarks.rustdoc_check.item_cfg import CfgChains, inner_cfg

    from rustrag.model import CrateSource, Target
    from rustrag.parse import parse_file
    from rustrag.resolve import resolve_crate

    src = tmp_path / "src"
    src.mkdir()
    (src / "lib.rs").write_text(
        '#[cfg(feature = "x")]\npub mod gated;\n'
        "#[cfg(test)]\nmod tests {\n    pub struct T;\n    impl T { pub fn t() {} }\n}\n"
        "pub struct Plain;\n",
        encoding="utf-8",
    )
    (src / "gated.rs").write_text("#![cfg(unix)]\npub fn inside() {}\n", encoding="utf-8")
    files = {rel: parse_file(str(tmp_path / rel), rel) for rel in ("src/lib.rs", "src/gated.rs")}
    crate = CrateSource(
        "cfgs",
        "0.1.0",
        str(tmp_path),
        "path",
        targets=[Target("lib", "cfgs", "src/lib.rs")],
        files=list(files),
    )
    resolved = resolve_crate(crate, files, {})
    file_cfgs = {
        rel: [p for p in map(inner_cfg, pf.inner_attrs) if p is not None]
        for rel, pf in files.items()
    }
    mounted = {
        (node.declared_in, node.path): node.file
        for node in resolved.modules
        if node.file is not None and node.declared_in is not None
    }
    chains = CfgChains(resolved.items, file_cfgs, mounted)
    by_path = {it.path: it.item_id for it in resolved.items}
    assert chains.of_item(by_path["cfgs::gated::inside"]) == ["unix", 'feature = "x"']
    assert chains.of_item(by_path["cfgs::tests::T::t"]) == ["test"]
    assert chains.of_item(by_path["cfgs::Plain"]) == []
    # The file's `#![cfg(unix)]` is the module's: it gates the declaring `mod` item too.
    gated_mod = next(it for it in resolved.items if it.kind == "mod" and it.name == "gated")
    assert chains.of_item(gated_mod.item_id) == ['feature = "x"', "unix"]


def test_custom_cfg_flags_are_off_unless_passed_or_build_script_may_emit(
    tmp_path: Path,
) -> None:
    from benchmarks.rustdoc_check.cfg_eval import CfgEnv, build_script_words, passed_flags

    manifest = tmp_path / "Cargo.toml"
    manifest.write_text('[package]\nname = "c"\nversion = "0.1.0"\n', encoding="utf-8")
    assert build_script_words(manifest) == frozenset()  # no build script: it sets nothing
    (tmp_path / "build.rs").write_text(
        'fn main() { println!("cargo:rustc-cfg=has_atomics"); }\n', encoding="utf-8"
    )
    words = build_script_words(manifest)
    assert words is not None and "has_atomics" in words
    flags = passed_flags(["-Z", "unstable-options", "--cfg", "given", '--cfg=k="v"'])
    assert flags == frozenset({"given"})
    env = CfgEnv(frozenset(), passed=flags, build_script_words=words)
    assert env.evaluate("given") is True
    assert env.evaluate("has_atomics") is None  # the script may or may not emit it
    assert env.evaluate("tokio_unstable") is False  # nothing could have set it
    assert env.evaluate("not(tokio_unstable)") is True
    assert CfgEnv(frozenset()).evaluate("tokio_unstable") is None  # unknown build script
