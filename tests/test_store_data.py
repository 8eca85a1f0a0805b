"""Crates for the store tests and benchmark, built from real model objects.

`small_crate` is a hand-written crate shaped like what resolve produces for a small
CLI library (modules, a struct with inherent and trait impls, a derived trait, a
re-export, an exported macro, an unlinked file, problems). `synthetic_crate` scales the
same shapes up to tens of thousands of items for timing and for the kill -9 test.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from rustrag.model import (
    Attrs,
    CrateSource,
    Edge,
    Item,
    ItemKind,
    ModuleNode,
    ParsedFile,
    Problem,
    RawItem,
    Ref,
    ResolvedCrate,
    Target,
    UseEntry,
)


def item_id(crate_id: str, path: str, kind: str) -> str:
    return f"{crate_id}|{path}|{kind}"


def raw(
    kind: ItemKind,
    name: str,
    line: int,
    *,
    parent: int | None = None,
    visibility: str = "pub",
    signature: str = "",
    docs: str = "",
    attrs: Attrs | None = None,
    **extra: object,
) -> RawItem:
    return RawItem(
        kind=kind,
        name=name,
        parent=parent,
        visibility=visibility,
        generics="",
        where_clause="",
        signature=signature or f"{visibility} {kind} {name}".strip(),
        docs=docs,
        attrs=attrs or Attrs(),
        line_start=line,
        line_end=line + 3,
        byte_start=line * 40,
        byte_end=line * 40 + 120,
        fingerprint=f"fp-{kind}-{name}-{line}",
        **extra,  # type: ignore[arg-type]
    )


def _file(rel_path: str, root: str, lines: int) -> ParsedFile:
    return ParsedFile(
        path=f"{root}/{rel_path}",
        rel_path=rel_path,
        size=lines * 40,
        mtime_ns=1_700_000_000_000_000_000,
        blake3=f"b3-{rel_path}",
        lines=lines,
    )


def small_crate(version: str = "1.0.0", *, variant: int = 0) -> ResolvedCrate:
    """A crate `minicli`. variant=1 drops `Command::arg` and renames `Kind::Flag`, so a
    replace with it must leave no trace of those."""
    crate = CrateSource(
        name="minicli",
        version=version,
        root="/src/minicli",
        source="registry",
        edition="2021",
        targets=[Target(kind="lib", name="minicli", root="src/lib.rs")],
        files=["src/lib.rs", "src/builder/mod.rs", "src/orphan.rs"],
        features=["std"],
        dependencies={"serde": "serde@1.0.0"},
    )
    cid = crate.crate_id
    lib = _file("src/lib.rs", crate.root, 40)
    builder = _file("src/builder/mod.rs", crate.root, 120)
    orphan = _file("src/orphan.rs", crate.root, 5)
    builder.problems.append(Problem(file="src/builder/mod.rs", line=77, reason="syntax error"))
    lib.inner_docs = "A tiny CLI parser."
    lib.inner_attrs = ["warn(missing_docs)"]
    lib.macro_uses = ["cmd"]

    items: list[Item] = []

    def add(
        kind: ItemKind,
        path: str,
        file: str,
        module: str,
        r: RawItem,
        *,
        public: bool = True,
        paths: list[str] | None = None,
        parent: Item | None = None,
        id_path: str | None = None,
    ) -> Item:
        it = Item(
            item_id=item_id(cid, id_path or path, kind),
            crate_id=cid,
            kind=kind,
            name=r.name,
            path=path,
            paths=paths if paths is not None else ([path] if public else []),
            public=public,
            visibility=r.visibility,
            file=file,
            module=module,
            parent_id=parent.item_id if parent else None,
            raw=r,
        )
        items.append(it)
        return it

    lib_f, b_f = "src/lib.rs", "src/builder/mod.rs"
    builder_mod = add("mod", "minicli::builder", lib_f, "minicli", raw("mod", "builder", 3))
    reexport = add(
        "use",
        "minicli::Command",
        lib_f,
        "minicli",
        raw("use", "", 5, uses=[UseEntry(path=["builder", "Command"])]),
        public=False,
        paths=[],
        id_path="minicli::{use#5}",
    )
    command = add(
        "struct",
        "minicli::builder::Command",
        b_f,
        "minicli::builder",
        raw(
            "struct",
            "Command",
            10,
            docs="A command line.",
            attrs=Attrs(derives=["Debug", "Clone"]),
            signature="pub struct Command",
        ),
        paths=["minicli::Command", "minicli::builder::Command"],
    )
    name_field = add(
        "field",
        "minicli::builder::Command::name",
        b_f,
        "minicli::builder",
        raw("field", "name", 12, parent=2, visibility=""),
        public=False,
        parent=command,
    )
    inherent = add(
        "impl",
        "minicli::builder::<impl Command>",
        b_f,
        "minicli::builder",
        raw("impl", "", 20, impl_self="Command", visibility=""),
        public=False,
        paths=[],
    )
    new = add(
        "method",
        "minicli::builder::Command::new",
        b_f,
        "minicli::builder",
        raw(
            "method",
            "new",
            22,
            parent=4,
            signature="pub fn new(name: &str) -> Command",
            refs=[Ref(kind="uses_type", path="Command", line=22)],
        ),
        paths=["minicli::Command::new", "minicli::builder::Command::new"],
        parent=inherent,
    )
    methods = [new]
    if variant == 0:
        methods.append(
            add(
                "method",
                "minicli::builder::Command::arg",
                b_f,
                "minicli::builder",
                raw("method", "arg", 30, parent=4, is_const=True),
                paths=["minicli::Command::arg", "minicli::builder::Command::arg"],
                parent=inherent,
            )
        )
    parser = add(
        "trait",
        "minicli::builder::Parser",
        b_f,
        "minicli::builder",
        raw("trait", "Parser", 50, supertraits=["Sized"]),
        paths=["minicli::builder::Parser"],
    )
    parse_decl = add(
        "method",
        "minicli::builder::Parser::parse",
        b_f,
        "minicli::builder",
        raw("method", "parse", 52, parent=7),
        parent=parser,
    )
    parser_impl = add(
        "impl",
        "minicli::builder::<impl Parser for Command>",
        b_f,
        "minicli::builder",
        raw("impl", "", 60, impl_trait="Parser", impl_self="Command", visibility=""),
        public=False,
        paths=[],
    )
    parse_impl = add(
        "method",
        "minicli::builder::<impl Parser for Command>::parse",
        b_f,
        "minicli::builder",
        raw("method", "parse", 62, parent=9, visibility="", is_async=True),
        public=False,
        parent=parser_impl,
    )
    flag_name = "Flag" if variant == 0 else "Switch"
    kind_enum = add(
        "enum",
        "minicli::builder::Kind",
        b_f,
        "minicli::builder",
        raw(
            "enum",
            "Kind",
            80,
            attrs=Attrs(derives=["Parser"], deprecated=True, deprecated_note="use Command"),
        ),
    )
    variant_item = add(
        "variant",
        f"minicli::builder::Kind::{flag_name}",
        b_f,
        "minicli::builder",
        raw("variant", flag_name, 82, parent=11, visibility=""),
        parent=kind_enum,
    )
    macro = add(
        "macro_rules",
        "minicli::cmd",
        lib_f,
        "minicli",
        raw("macro_rules", "cmd", 30, visibility="", attrs=Attrs(macro_export=True)),
    )
    helper = add(
        "fn",
        "minicli::helper",
        lib_f,
        "minicli",
        raw("fn", "helper", 35, visibility="", in_macro=True, macro_name="cfg_std"),
        public=False,
    )
    del builder_mod, name_field, macro

    edges = [
        Edge(
            src=reexport.item_id,
            kind="reexports",
            dst=command.item_id,
            target="builder::Command",
            line=5,
        ),
        Edge(
            src=command.item_id,
            kind="inherent_impl",
            dst=inherent.item_id,
            target="Command",
            line=20,
        ),
        Edge(src=inherent.item_id, kind="impl_for", dst=command.item_id, target="Command", line=20),
        Edge(src=parser_impl.item_id, kind="impl_of", dst=parser.item_id, target="Parser", line=60),
        Edge(
            src=parser_impl.item_id, kind="impl_for", dst=command.item_id, target="Command", line=60
        ),
        Edge(src=command.item_id, kind="implements", dst=parser.item_id, target="Parser", line=60),
        Edge(
            src=kind_enum.item_id,
            kind="implements",
            dst=parser.item_id,
            target="Parser",
            line=80,
            via="derive",
        ),
        Edge(src=new.item_id, kind="uses_type", dst=command.item_id, target="Command", line=22),
        Edge(src=helper.item_id, kind="calls", dst=new.item_id, target="Command::new", line=36),
        Edge(src=helper.item_id, kind="calls", dst=None, target="std::process::exit", line=37),
        Edge(
            src=parse_impl.item_id,
            kind="calls",
            dst=parse_decl.item_id,
            target="parse",
            line=63,
            via="method_call",
        ),
        Edge(src=variant_item.item_id, kind="uses_type", dst=None, target="serde::Value", line=82),
    ]
    modules = [
        ModuleNode(path="minicli", file="src/lib.rs", item_index=None, declared_in=None),
        ModuleNode(
            path="minicli::builder",
            file="src/builder/mod.rs",
            item_index=0,
            declared_in="src/lib.rs",
        ),
    ]
    return ResolvedCrate(
        crate=crate,
        files=[lib, builder, orphan],
        modules=modules,
        items=items,
        edges=edges,
        unlinked_files=["src/orphan.rs"],
        problems=[
            Problem(file="src/orphan.rs", line=0, reason="file is not linked", severity="warning")
        ],
    )


_KINDS: tuple[ItemKind, ...] = ("fn", "struct", "enum", "trait", "const", "type_alias")
_EDGE_KINDS = ("calls", "uses_type", "bound", "calls")
_NAMES = ("new", "build", "get", "parse", "from_str", "into_inner", "len", "run")


def synthetic_crate(
    name: str = "bigcrate",
    version: str = "1.0.0",
    *,
    n_items: int = 20_000,
    edges_per_item: int = 4,
    seed: int = 1,
) -> ResolvedCrate:
    """A crate with `n_items` items in 200 modules: types with impl blocks and methods,
    free functions, and `edges_per_item` edges per item, a fifth of them unresolved."""
    rng = random.Random(seed)
    crate = CrateSource(name=name, version=version, root=f"/src/{name}", source="registry")
    cid = crate.crate_id
    n_modules = 200
    files = [_file(f"src/m{m}.rs", crate.root, 2_000) for m in range(n_modules)]
    modules = [ModuleNode(path=name, file="src/lib.rs", item_index=None, declared_in=None)]
    modules += [
        ModuleNode(
            path=f"{name}::m{m}", file=f"src/m{m}.rs", item_index=m, declared_in="src/lib.rs"
        )
        for m in range(n_modules)
    ]
    items: list[Item] = []
    while len(items) < n_items:
        i = len(items)
        m = i % n_modules
        module = f"{name}::m{m}"
        kind = _KINDS[rng.randrange(len(_KINDS))]
        item_name = f"Item{i}" if kind != "fn" else f"func_{i}"
        path = f"{module}::{item_name}"
        public = rng.random() < 0.7
        r = raw(
            kind,
            item_name,
            1 + (i // n_modules) * 10,
            visibility="pub" if public else "",
            signature=f"pub {kind} {item_name}<T: Clone>(value: T) -> Result<Self, Error>",
            docs=f"Documentation of {item_name}. " * 4,
            refs=[Ref(kind="uses_type", path="Error", line=3)],
        )
        parent = Item(
            item_id=item_id(cid, path, kind),
            crate_id=cid,
            kind=kind,
            name=item_name,
            path=path,
            paths=[path, f"{name}::{item_name}"] if public else [],
            public=public,
            visibility=r.visibility,
            file=f"src/m{m}.rs",
            module=module,
            parent_id=None,
            raw=r,
        )
        items.append(parent)
        if kind == "struct" and len(items) + 4 <= n_items:
            impl_path = f"{module}::<impl {item_name}>"
            impl = Item(
                item_id=item_id(cid, impl_path, "impl"),
                crate_id=cid,
                kind="impl",
                name="",
                path=impl_path,
                paths=[],
                public=False,
                visibility="",
                file=parent.file,
                module=module,
                parent_id=None,
                raw=raw("impl", "", r.line_end + 1, visibility="", impl_self=item_name),
            )
            items.append(impl)
            for method_name in rng.sample(_NAMES, 3):
                mpath = f"{path}::{method_name}"
                items.append(
                    Item(
                        item_id=item_id(cid, mpath, "method"),
                        crate_id=cid,
                        kind="method",
                        name=method_name,
                        path=mpath,
                        paths=[mpath] if public else [],
                        public=public,
                        visibility="pub",
                        file=parent.file,
                        module=module,
                        parent_id=impl.item_id,
                        raw=raw("method", method_name, r.line_end + 2, parent=i + 1),
                    )
                )
    edges: list[Edge] = []
    for n, it in enumerate(items):
        for k in range(edges_per_item):
            resolved = rng.random() < 0.8
            dst = items[rng.randrange(len(items))] if resolved else None
            edges.append(
                Edge(
                    src=it.item_id,
                    kind=_EDGE_KINDS[k % len(_EDGE_KINDS)],  # type: ignore[arg-type]
                    dst=dst.item_id if dst else None,
                    target=dst.name if dst else f"ext::Thing{n}_{k}",
                    line=it.raw.line_start + k,
                )
            )
    return ResolvedCrate(
        crate=crate, files=files, modules=modules, items=items, edges=edges, unlinked_files=[]
    )


def _worker(argv: list[str]) -> None:
    """Child-process roles for the concurrency and kill -9 tests.

    hold INDEX SECONDS            open as writer, say "holding", sleep, close
    write INDEX N_ITEMS SEEDS...  open as writer, say "ready", then write the synthetic
                                  crate with each seed in turn, saying "wrote SEED" after
                                  each commit and "start SEED" before it
    """
    import time

    from rustrag.store import Store

    role, index_dir = argv[0], Path(argv[1])
    if role == "hold":
        with Store.open(index_dir):
            print("holding", flush=True)
            time.sleep(float(argv[2]))
        return
    if role == "write":
        n_items = int(argv[2])
        crates = [synthetic_crate(n_items=n_items, seed=int(s)) for s in argv[3:]]
        with Store.open(index_dir) as store:
            print("ready", flush=True)
            for seed, crate in zip(argv[3:], crates, strict=True):
                print(f"start {seed}", flush=True)
                store.replace_crate(crate)
                print(f"wrote {seed}", flush=True)
        return
    sys.exit(f"unknown role {role}")


def spawn_worker(*args: str) -> subprocess.Popen[str]:
    """Start `_worker` in a child process; its stdout lines report progress."""
    return subprocess.Popen(
        [sys.executable, str(Path(__file__)), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(child: subprocess.Popen[str], prefix: str) -> str:
    """Read the child's stdout until a line starting with `prefix`."""
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith(prefix):
            return line.strip()
    raise AssertionError(
        f"child ended before saying {prefix!r}: {child.stderr and child.stderr.read()}"
    )


if __name__ == "__main__":
    _worker(sys.argv[1:])
