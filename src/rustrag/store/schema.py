"""The whole CozoDB schema of an index, in one place.

Every relation is declared once here as data; the create scripts, the `:put` and `:rm`
statements of the writer and the column order of every row all derive from these
declarations, so a column cannot be added in one place and forgotten in another.

Layout choices that queries depend on:

* Relations owned by one crate (files, modules, item_paths, edges, problems) have
  `crate_id` as their first key column: deleting or exporting a crate is then a key
  prefix scan instead of a full scan, and no extra index is needed for it.
* `items` is keyed by `item_id` alone because lookups by id come from everywhere (edges,
  search hits, the assembler); an index gives its per-crate listing.
* Structured values (attrs, refs, dependencies, ...) are JSON text in String columns, not
  Cozo `Json` columns: converting Python objects to Cozo's Json made writing `items` 75%
  slower (1.32 s against 0.75 s for 20k items), and no query looks inside them.
* `item_paths.rev` holds the path with its segments reversed (`clap::Command::new` is
  stored as `new::Command::clap`), so that a path-suffix query (`Command::new`) becomes a
  key-range scan on `item_paths:by_rev` instead of a scan of every path.

Bump SCHEMA_VERSION whenever a relation, column or index changes: an index on disk with
another version is refused with a message telling the user to rebuild it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = "1"

# meta keys the store itself maintains
META_SCHEMA_VERSION = "schema_version"
# Incremented in the same transaction as every write; readers compare it before and
# after a query to detect a commit that landed between the statements of that query.
META_COMMIT_SEQ = "commit_seq"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # a Cozo column type: "String", "Int?", "Json", ...


@dataclass(frozen=True, slots=True)
class Relation:
    name: str
    keys: tuple[Column, ...]
    values: tuple[Column, ...]
    # computed once: decoding reads them for every row (240k items: 6 s when recomputed)
    key_names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    column_names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_names", tuple(c.name for c in self.keys))
        names = tuple(c.name for c in (*self.keys, *self.values))
        object.__setattr__(self, "column_names", names)

    def create_script(self) -> str:
        keys = ", ".join(f"{c.name}: {c.type}" for c in self.keys)
        values = ", ".join(f"{c.name}: {c.type}" for c in self.values)
        return f":create {self.name} {{{keys} => {values}}}"

    def put_script(self, param: str) -> str:
        """A statement putting the rows of `$param`, each a list in column_names order."""
        cols = ", ".join(self.column_names)
        keys = ", ".join(self.key_names)
        values = ", ".join(c.name for c in self.values)
        return f"?[{cols}] <- ${param} :put {self.name} {{{keys} => {values}}}"


@dataclass(frozen=True, slots=True)
class Index:
    relation: str
    name: str
    columns: tuple[str, ...]  # Cozo appends the relation's remaining key columns itself

    @property
    def full_name(self) -> str:
        return f"{self.relation}:{self.name}"

    def create_script(self) -> str:
        return f"::index create {self.full_name} {{{', '.join(self.columns)}}}"


def _cols(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(name, type_) for name, type_ in pairs)


# Store-wide settings: schema version, commit sequence, and whatever other stages keep.
META = Relation(
    "meta",
    keys=_cols(("key", "String")),
    values=_cols(("value", "String")),
)

# One row per indexed package, enough to rebuild its model.CrateSource.
CRATES = Relation(
    "crates",
    keys=_cols(("crate_id", "String")),  # "name@version"
    values=_cols(
        ("name", "String"),
        ("version", "String"),
        ("source", "String"),  # "workspace", "path", "registry", "directory", "git"
        ("root", "String"),  # absolute folder holding Cargo.toml
        ("edition", "String"),
        ("extern_name", "String"),  # identifier other crates write in paths
        ("lib_name", "String?"),  # the [lib] name when Cargo.toml sets one
        ("indexed_at", "Float"),  # unix seconds of the write
        ("dependencies", "String"),  # JSON {extern name: crate_id}
        ("features", "String"),  # JSON [feature]
        ("targets", "String"),  # JSON [{kind, name, root}]
        ("source_files", "String"),  # JSON CrateSource.files: every .rs file discover listed
        ("row_counts", "String"),  # JSON {relation: rows written}: stats() without scans
    ),
)

# One row per parsed .rs file of a crate.
FILES = Relation(
    "files",
    keys=_cols(("crate_id", "String"), ("rel_path", "String")),  # rel_path "/"-separated
    values=_cols(
        ("abs_path", "String"),
        ("size", "Int"),
        ("mtime_ns", "Int"),
        ("blake3", "String"),  # hex digest of the bytes: what incremental indexing compares
        ("lines", "Int"),
        ("module", "String?"),  # module path this file is the top level of; null if unlinked
        ("linked", "Bool"),  # false when no `mod` declaration reaches the file
        ("inner_docs", "String"),  # //! docs: the docs of `module`
        ("inner_attrs", "String"),  # JSON [#![..] text]
        ("macro_uses", "String"),  # JSON [macro name invoked at item level]
    ),
)

# The module tree of a crate.
MODULES = Relation(
    "modules",
    keys=_cols(("crate_id", "String"), ("path", "String")),  # canonical module path
    values=_cols(
        ("file", "String?"),  # file whose top level is the module; null for inline modules
        ("item_index", "Int?"),  # index of the declaring `mod` RawItem; null for the root
        ("declared_in", "String?"),  # file holding the `mod` item; null for the root
    ),
)

# Every item with all its parse-time facts: a model.Item and its RawItem rebuild from a row.
ITEMS = Relation(
    "items",
    keys=_cols(("item_id", "String")),
    values=_cols(
        ("crate_id", "String"),
        ("kind", "String"),
        ("name", "String"),
        ("path", "String"),  # canonical path
        ("public", "Bool"),  # reachable from outside the crate
        ("visibility", "String"),
        ("file", "String"),  # relative to the crate root
        ("module", "String"),  # canonical path of the module it is written in
        ("parent_id", "String?"),  # enclosing item (impl, trait, enum, ...); null at top level
        ("raw_parent", "Int?"),  # RawItem.parent: index into its file's ParsedFile.items
        ("generics", "String"),
        ("where_clause", "String"),
        ("signature", "String"),
        ("docs", "String"),
        ("attrs", "String"),  # JSON of model.Attrs
        ("deprecated", "Bool"),  # copy of attrs.deprecated: filterable without parsing JSON
        ("line_start", "Int"),
        ("line_end", "Int"),
        ("byte_start", "Int"),
        ("byte_end", "Int"),
        ("fingerprint", "String"),  # blake3 of the normalised tokens: change detection
        ("in_macro", "Bool"),
        ("macro_name", "String?"),
        ("impl_trait", "String?"),  # impl items: trait as written ("!Send" when negative)
        ("impl_self", "String?"),  # impl items: self type as written
        ("mod_inline", "Bool"),
        ("is_unsafe", "Bool"),
        ("is_async", "Bool"),
        ("is_const", "Bool"),
        ("supertraits", "String"),  # JSON [bound text]
        ("uses", "String"),  # JSON [{path, alias, glob}] of use / extern crate items
        ("refs", "String"),  # JSON [{kind, path, line, arg_count}]: unresolved references as parsed
    ),
)

# Every path an item is known under: its canonical path and every public path.
ITEM_PATHS = Relation(
    "item_paths",
    keys=_cols(("crate_id", "String"), ("item_id", "String"), ("path", "String")),
    values=_cols(
        ("rev", "String"),  # segments reversed, "::"-joined: makes suffix lookups key ranges
        ("canonical", "Bool"),  # path is the item's canonical path
        ("public", "Bool"),  # path is one of the public paths (model.Item.paths)
        ("kind", "String"),  # copy of items.kind so searches filter without a join
    ),
)

# The code graph. Unresolved edges keep `target` (the path as written) and a null `dst`.
EDGES = Relation(
    "edges",
    keys=_cols(
        ("crate_id", "String"),  # crate of src: the crate whose re-index replaces the edge
        ("src", "String"),
        ("kind", "String"),
        ("target", "String"),
        ("line", "Int"),
    ),
    values=_cols(
        ("dst", "String?"),  # item_id, possibly in another crate; null when unresolved
        ("via", "String"),  # provenance: "derive", "glob", "method_call", "extern" or ""
    ),
)

# What went wrong reading a crate: shown to the user, never fatal.
PROBLEMS = Relation(
    "problems",
    keys=_cols(
        ("crate_id", "String"),
        ("file", "String"),
        ("line", "Int"),  # 0 when about the whole file
        ("reason", "String"),
    ),
    values=_cols(("severity", "String")),  # "warning" or "error"
)

# Relations replaced as a whole when a crate is re-indexed (everything but meta).
CRATE_RELATIONS: tuple[Relation, ...] = (CRATES, FILES, MODULES, ITEMS, ITEM_PATHS, EDGES, PROBLEMS)
RELATIONS: tuple[Relation, ...] = (META, *CRATE_RELATIONS)

INDEXES: tuple[Index, ...] = (
    # items of one crate: deleting and exporting a crate
    Index("items", "by_crate", ("crate_id",)),
    # children of an item
    Index("items", "by_parent", ("parent_id",)),
    # lookup by exact path, name (= last segment) or suffix; carries what ranking and
    # filters need, so a search reads only this index
    Index("item_paths", "by_rev", ("rev", "canonical", "public", "kind")),
    # who points at an item: callers, implementors, importers
    Index("edges", "by_dst", ("dst", "kind", "via")),
)

RELATIONS_BY_NAME: dict[str, Relation] = {r.name: r for r in RELATIONS}
