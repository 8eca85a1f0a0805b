"""Names that are never in the index and must never be flagged: std, core, alloc, the
prelude, std's macros, and methods every type gets from std traits or blanket impls."""

from __future__ import annotations

STD_CRATES = frozenset({"std", "core", "alloc", "proc_macro", "test"})
PATH_KEYWORDS = frozenset({"self", "super", "crate", "Self"})

STD_MACROS = frozenset(
    [
        "assert",
        "assert_eq",
        "assert_ne",
        "debug_assert",
        "debug_assert_eq",
        "debug_assert_ne",
        "panic",
        "print",
        "println",
        "eprint",
        "eprintln",
        "format",
        "format_args",
        "write",
        "writeln",
        "vec",
        "todo",
        "unimplemented",
        "unreachable",
        "matches",
        "dbg",
        "include",
        "include_str",
        "include_bytes",
        "concat",
        "stringify",
        "env",
        "option_env",
        "file",
        "line",
        "column",
        "module_path",
        "cfg",
        "compile_error",
        "thread_local",
        "macro_rules",
        "try",
        "addr_of",
    ]
)

# Methods a caller can use on almost any type through std traits (Clone, Into, ToString,
# Default, PartialEq, Debug/Display via format, Borrow, Any, ...). A missing one of these
# is never reported: the impl may come from a derive or a blanket impl the index does not
# tie to the type.
COMMON_TRAIT_METHODS = frozenset(
    [
        "clone",
        "clone_from",
        "into",
        "try_into",
        "from",
        "try_from",
        "to_string",
        "to_owned",
        "default",
        "eq",
        "ne",
        "cmp",
        "partial_cmp",
        "lt",
        "le",
        "gt",
        "ge",
        "max",
        "min",
        "clamp",
        "hash",
        "fmt",
        "borrow",
        "borrow_mut",
        "as_ref",
        "as_mut",
        "deref",
        "deref_mut",
        "type_id",
        "into_iter",
        "from_str",
        "drop",
    ]
)

# Traits whose implementors gain a large open set of methods (Iterator adaptors, Deref
# targets' methods): method calls on such types are not checked.
OPEN_TRAITS = frozenset({"Deref", "DerefMut", "Iterator", "Future", "Stream", "Read", "Write"})
