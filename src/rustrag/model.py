"""Plain data shared between pipeline stages.

Every stage speaks in these types and nothing else: discover produces `CrateSource`s,
parse turns one file into a `ParsedFile`, resolve turns a crate's parsed files into a
`ResolvedCrate`, and store writes that. Keeping them here (and free of behaviour) is what
lets each stage be tested and replaced alone. All of them are picklable, because parsed
files cross a process-pool boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ItemKind = Literal[
    "fn",
    "method",
    "struct",
    "enum",
    "union",
    "trait",
    "impl",
    "mod",
    "const",
    "static",
    "type_alias",
    "macro_rules",
    "use",
    "extern_crate",
    "field",
    "variant",
    "assoc_const",
    "assoc_type",
]
ITEM_KINDS: tuple[str, ...] = ItemKind.__args__  # type: ignore[attr-defined]

EdgeKind = Literal[
    "contains",  # parent item -> child item (mod -> item, impl -> method, enum -> variant)
    "implements",  # type -> trait (impl Trait for Type, and #[derive(Trait)])
    "inherent_impl",  # type -> impl block without a trait
    "impl_of",  # impl block -> the trait it implements
    "impl_for",  # impl block -> its self type
    "uses_type",  # item -> type named in a field, param, return or alias
    "bound",  # item -> trait named in a generic bound, where-clause or supertrait list
    "calls",  # fn/method -> fn/method called (path calls and method calls, best effort)
    "reexports",  # `pub use` item -> the item it makes visible
    "imports",  # private `use` item -> the item it brings into scope
]
EDGE_KINDS: tuple[str, ...] = EdgeKind.__args__  # type: ignore[attr-defined]

RefKind = Literal["uses_type", "bound", "calls", "method_call", "derive"]

TargetKind = Literal["lib", "bin", "example", "test", "bench", "build"]


@dataclass(slots=True)
class Problem:
    """Something wrong with the input, reported to the user and never fatal to an index."""

    file: str  # path as the user would type it (absolute, or relative to the workspace)
    line: int  # 1-based; 0 when the problem is about the whole file
    reason: str
    severity: Literal["warning", "error"] = "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class Attrs:
    """The attributes of an item that change what it means to a user of the API."""

    derives: list[str] = field(
        default_factory=list
    )  # paths as written: ["Debug", "serde::Serialize"]
    cfg: str | None = None  # the predicate text of #[cfg(..)], several joined with " && "
    deprecated: bool = False
    deprecated_note: str | None = None  # note = ".." (or the bare string form)
    deprecated_since: str | None = None
    doc_hidden: bool = False
    path_attr: str | None = None  # #[path = ".."] on a `mod`
    macro_export: bool = False  # #[macro_export] on macro_rules
    other: list[str] = field(default_factory=list)  # every other attribute, text inside #[..]


@dataclass(slots=True)
class UseEntry:
    """One leaf of a `use` tree, flattened: `use a::{b as c, d::*}` gives two entries."""

    path: list[str]  # segments as written, leading `crate`/`self`/`super`/`::` kept ("" for ::)
    alias: str | None = None  # `as name`; "_" for `as _`
    glob: bool = False  # `path::*`

    @property
    def name(self) -> str:
        """The name this entry binds in its module (meaningless for globs)."""
        if self.alias is not None:
            return self.alias
        last = self.path[-1] if self.path else ""
        return last


@dataclass(slots=True)
class Ref:
    """A reference from an item to a name, as written, for resolve to turn into an edge."""

    kind: RefKind
    path: str  # "io::Result", "Vec", "Self::new", or for method_call just "push"
    line: int  # 1-based line of the reference
    arg_count: int | None = None  # for calls: number of arguments when known


@dataclass(slots=True)
class RawItem:
    """One item as found in one file, before paths are known.

    `parent` is the index (into ParsedFile.items) of the enclosing item: an impl for its
    methods, a trait for its assoc items, a struct/enum/union for fields/variants, an
    inline `mod` for its contents, an enum variant for its fields. None at file level.
    Names: impl items get "" (their identity is impl_trait/impl_self); tuple fields get
    their index ("0", "1"); use items get "" (see `uses`); `extern crate foo as bar`
    gets "foo" with alias in uses.
    """

    kind: ItemKind
    name: str
    parent: int | None
    visibility: str  # "" (private), "pub", "pub(crate)", "pub(super)", "pub(self)", "pub(in a::b)"
    generics: str  # "<T: Clone, const N: usize>" or ""
    where_clause: str  # "where T: Copy" or ""
    signature: str  # declaration without body or docs: "pub fn f<T>(x: T) -> u8 where T: Copy"
    docs: str  # doc comment text, markers stripped, lines joined with "\n"
    attrs: Attrs
    line_start: int  # 1-based, inclusive; includes leading attributes and doc comment
    line_end: int  # 1-based, inclusive
    byte_start: int  # 0-based offset into the file bytes, inclusive, same extent as lines
    byte_end: int  # exclusive
    fingerprint: str  # blake3 hex of the item's normalised token stream
    in_macro: bool = False  # written inside a macro invocation's token tree
    macro_name: str | None = None  # the invoked macro when in_macro ("cfg_rt", "ast_struct")
    impl_trait: str | None = None  # impl: trait path as written, "!Send" for negative impls
    impl_self: str | None = None  # impl: self type as written, "Foo<T>"
    mod_inline: bool = False  # mod: has a `{ .. }` body in this file
    uses: list[UseEntry] = field(default_factory=list)  # use / extern_crate
    refs: list[Ref] = field(default_factory=list)
    supertraits: list[str] = field(default_factory=list)  # trait: bounds after `:`
    is_unsafe: bool = False
    is_async: bool = False
    is_const: bool = False


@dataclass(slots=True)
class MacroCall:
    """An item-level macro invocation, kept so resolve can expand the crate's own macros.

    Parse sees one file, while a crate's `macro_rules!` are defined in other files than
    their calls, so parse records the call and resolve expands it.
    """

    name: str  # the macro path as written: "ast_struct", "crate::cfg_rt"
    tokens: str  # the source between the invocation's delimiters
    parent: int | None  # the enclosing item (index into ParsedFile.items), as RawItem.parent
    container: str  # "file", "mod", "impl", "trait" or "extern": what holds the call
    cfg: str | None  # #[cfg(..)] written on the invocation itself, as Attrs.cfg
    line_start: int  # 1-based, inclusive, of the whole `name!(..)`
    line_end: int
    byte_start: int  # of the whole invocation, 0-based, end exclusive
    byte_end: int
    tokens_byte: int  # file offset of the first byte of `tokens`
    tokens_line: int  # 1-based line of the first byte of `tokens`


@dataclass(slots=True)
class ParsedFile:
    """Everything parse knows about one file. Produced in a worker process."""

    path: str  # absolute path
    rel_path: str  # relative to the crate root, "/"-separated
    size: int
    mtime_ns: int
    blake3: str  # hex digest of the file bytes
    lines: int
    items: list[RawItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # syntax errors (file:line), decoding
    inner_docs: str = ""  # //! and #![doc] text: the docs of the module this file is
    inner_attrs: list[str] = field(default_factory=list)  # #![..] texts
    macro_uses: list[str] = field(default_factory=list)  # names of macros invoked at item level
    macro_calls: list[MacroCall] = field(default_factory=list)  # item-level invocations
    macro_rules: dict[int, str] = field(default_factory=dict)  # macro_rules item -> its rules


@dataclass(slots=True)
class Target:
    kind: TargetKind
    name: str
    root: str  # path of the root file, relative to the crate root


@dataclass(slots=True)
class CrateSource:
    """One package to index: where it is and what it is."""

    name: str  # package name as in Cargo.toml ("proc-macro2")
    version: str
    root: str  # absolute path of the folder holding Cargo.toml
    source: str  # "workspace", "path", "registry", "directory", "git"
    edition: str = "2021"
    lib_name: str | None = None  # the [lib] name; defaults to name with - replaced by _
    targets: list[Target] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every .rs file under root, relative
    features: list[str] = field(default_factory=list)  # enabled features when known
    dependencies: dict[str, str] = field(default_factory=dict)  # extern name -> crate_id

    @property
    def crate_id(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def extern_name(self) -> str:
        """The identifier other crates write in paths (`proc_macro2`)."""
        return self.lib_name or self.name.replace("-", "_")


@dataclass(slots=True)
class Workspace:
    """What discover found at a path."""

    root: str  # absolute path of the workspace root (holds the top Cargo.toml)
    crates: list[CrateSource] = field(default_factory=list)  # members first
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class Item:
    """An item with its place in the crate: what store writes and queries return."""

    item_id: str  # stable: f"{crate_id}|{path}|{kind}" plus "#n" when not unique
    crate_id: str
    kind: ItemKind
    name: str
    path: str  # canonical: "krate::module::Item", "krate::Type::method", "krate::Enum::Variant"
    paths: list[str]  # every public path it is reachable under (sorted, canonical first)
    public: bool  # reachable from outside the crate
    visibility: str
    file: str  # relative to the crate root
    module: str  # canonical path of the module it is written in
    parent_id: str | None
    raw: RawItem  # all parse-time facts (signature, docs, attrs, spans, fingerprint)


@dataclass(slots=True)
class Edge:
    src: str  # item_id
    kind: EdgeKind
    dst: str | None  # item_id when resolved, else None
    target: str  # the path as written (kept even when resolved)
    line: int
    via: str = ""  # extra provenance: "derive", "glob", "method_call", "extern"


@dataclass(slots=True)
class ModuleNode:
    """One node of a crate's module tree."""

    path: str  # canonical path: "krate", "krate::a::b"
    file: str | None  # file whose top level is this module (None for inline modules)
    item_index: int | None  # index of the `mod` RawItem declaring it, None for the root
    declared_in: str | None  # file holding the `mod` item, None for the root


@dataclass(slots=True)
class ResolvedCrate:
    crate: CrateSource
    files: list[ParsedFile]
    modules: list[ModuleNode]
    items: list[Item]
    edges: list[Edge]
    unlinked_files: list[str]  # .rs files no module declaration reaches (relative)
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class ExportTable:
    """The public face of an indexed crate, as other crates' `use` resolution needs it.

    `paths` maps every public path, starting with the crate's extern name
    ("clap::builder::Arg"), to the items reachable under it as (item_id, kind) pairs:
    a name can stand for a type and a function at once (type and value namespaces).
    `macros` maps exported macro names (`#[macro_export]`, reachable at the crate root)
    to item ids.
    """

    crate_id: str
    extern_name: str
    paths: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    macros: dict[str, str] = field(default_factory=dict)
