"""syn's token types are made by its own macros (define_punctuation!, define_keywords!)."""

from __future__ import annotations

import pytest

from rustrag.model import ResolvedCrate
from test_resolve_helpers import registry_crate, resolve_dir


@pytest.fixture(scope="module")
def syn() -> ResolvedCrate:
    return resolve_dir(registry_crate("syn-1.0.107", "syn", {"proc_macro2": "pm2@1"}))


def test_token_add_struct_is_public(syn: ResolvedCrate) -> None:
    add = [it for it in syn.items if it.kind == "struct" and it.name == "Add"]
    assert len(add) == 1 and "syn::token::Add" in add[0].paths
    assert add[0].raw.macro_name == "define_punctuation_structs"  # define_punctuation! calls it


def test_keyword_structs_and_from_impls(syn: ResolvedCrate) -> None:
    paths = {p for it in syn.items for p in it.paths}
    assert {"syn::token::Abstract", "syn::token::Brace", "syn::token::Paren"} <= paths
    from_impls = [
        it
        for it in syn.items
        if it.kind == "impl" and it.raw.impl_trait == "From<ExprBinary>" and it.raw.in_macro
    ]
    assert len(from_impls) == 1  # ast_enum_of_structs! -> ast_enum_from_struct!
