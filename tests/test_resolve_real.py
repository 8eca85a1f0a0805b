"""Resolve real crates from the Debian registry, parsed by the real parser."""

from __future__ import annotations

import pytest

from rustrag.model import ExportTable, ResolvedCrate
from rustrag.resolve import resolve_crate
from test_resolve_helpers import item, parse_all, registry_crate, resolve_dir, table_of

SYN_DEPS = {
    "proc_macro2": "proc-macro2@1.0.47",
    "quote": "quote@1.0.21",
    "unicode_ident": "unicode-ident@1.0.0",
}


@pytest.fixture(scope="module")
def proc_macro2() -> ExportTable:
    crate = registry_crate(
        "proc-macro2-1.0.47", "proc-macro2", {"unicode_ident": "unicode-ident@1.0.0"}
    )
    return table_of(resolve_dir(crate))


@pytest.fixture(scope="module")
def syn(proc_macro2: ExportTable) -> ResolvedCrate:
    crate = registry_crate("syn-1.0.107", "syn", SYN_DEPS)
    files = parse_all(crate)
    # (its speed is benchmarks/bench_resolve.py's to measure, not a test's)
    return resolve_crate(crate, files, {"proc_macro2": proc_macro2})


def test_proc_macro2_table(proc_macro2: ExportTable) -> None:
    assert proc_macro2.extern_name == "proc_macro2"
    assert proc_macro2.paths["proc_macro2::Ident"] == [
        ("proc-macro2@1.0.47|proc_macro2::Ident|struct", "struct")
    ]
    assert "proc_macro2::TokenStream::new" in proc_macro2.paths
    assert "proc_macro2::token_stream::IntoIter" in proc_macro2.paths


def test_syn_expr_binary_public(syn: ResolvedCrate) -> None:
    expr_binary = item(syn, "syn::expr::ExprBinary", "struct")
    assert expr_binary.public and "syn::ExprBinary" in expr_binary.paths
    assert "syn::expr::ExprBinary" not in expr_binary.paths  # `mod expr` is private
    assert item(syn, "syn::expr::ExprBinary::op", "field").public


def test_syn_ident_reexported_from_proc_macro2(syn: ResolvedCrate) -> None:
    hits = table_of(syn).paths["syn::Ident"]
    assert ("proc-macro2@1.0.47|proc_macro2::Ident|struct", "struct") in hits
    # `pub use crate::ident::Ident` names both the struct ident.rs imports from
    # proc_macro2 (type namespace) and syn's own hidden `fn Ident` (value namespace)
    use = item(syn, "syn::Ident", "use")
    dsts = {e.dst for e in syn.edges if e.src == use.item_id and e.kind == "reexports"}
    assert dsts == {
        "proc-macro2@1.0.47|proc_macro2::Ident|struct",
        "syn@1.0.107|syn::ident::Ident|fn",
    }


def test_syn_parser_trait_and_methods(syn: ResolvedCrate) -> None:
    parser = item(syn, "syn::parse::Parser", "trait")
    assert parser.paths == ["syn::parse::Parser"]
    parse2 = item(syn, "syn::parse::Parser::parse2", "method")
    assert parse2.paths == ["syn::parse::Parser::parse2"]
    contained = {e.dst for e in syn.edges if e.src == parser.item_id and e.kind == "contains"}
    assert parse2.item_id in contained


def test_syn_generated_modules_through_path_attr(syn: ResolvedCrate) -> None:
    files = {m.path: m.file for m in syn.modules}
    assert files["syn::gen::visit"] == "src/gen/visit.rs"
    assert files["syn::gen::helper"] == "src/gen_helper.rs"  # #[path = "../gen_helper.rs"]
    visit = item(syn, "syn::gen::visit::Visit", "trait")
    assert visit.paths == ["syn::visit::Visit"]


def test_syn_has_no_module_problems(syn: ResolvedCrate) -> None:
    module_problems = [p for p in syn.problems if "module" in p.reason and "linked" not in p.reason]
    assert module_problems == []
    assert all(not f.startswith("src/") for f in syn.unlinked_files if f != "src/await.rs")


def test_syn_ids_unique(syn: ResolvedCrate) -> None:
    ids = [it.item_id for it in syn.items]
    assert len(ids) == len(set(ids))


@pytest.fixture(scope="module")
def clap() -> ResolvedCrate:
    crate = registry_crate("clap-4.0.32", "clap", {"clap_lex": "clap_lex@0.3.0"}, "2021")
    return resolve_dir(crate)


def test_clap_command(clap: ResolvedCrate) -> None:
    command = item(clap, "clap::builder::command::Command", "struct")
    assert "clap::Command" in command.paths and "clap::builder::Command" in command.paths
    new = item(clap, "clap::builder::command::Command::new", "method")
    assert "clap::Command::new" in new.paths
    assert new.parent_id is not None and "<impl Command>" in new.parent_id


@pytest.fixture(scope="module")
def tokio() -> ResolvedCrate:
    crate = registry_crate("tokio-1.24.2", "tokio", {"bytes": "bytes@1.2.1", "mio": "mio@0.8.4"})
    return resolve_dir(crate)


def test_tokio_runtime_declared_in_macro(tokio: ResolvedCrate) -> None:
    runtime = item(tokio, "tokio::runtime::runtime::Runtime", "struct")
    assert "tokio::runtime::Runtime" in runtime.paths
    block_on = item(tokio, "tokio::runtime::runtime::Runtime::block_on", "method")
    assert "tokio::runtime::Runtime::block_on" in block_on.paths


def test_tokio_private_module_not_reexported_with_same_named_fn(tokio: ResolvedCrate) -> None:
    # task/mod.rs: `mod spawn; pub use spawn::spawn;` and lib.rs `pub use task::spawn;`
    table = table_of(tokio)
    assert [kind for _, kind in table.paths["tokio::spawn"]] == ["fn"]
    assert "tokio::spawn::spawn" not in table.paths
