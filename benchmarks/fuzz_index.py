"""Mutation run: index thousands of damaged copies of real crate files and check nothing
is lost.

Usage: python -m benchmarks.fuzz_index [--files 10000] [--seed 1] [--workdir DIR] [--jobs 2]

Builds one package whose src/lib.rs declares a `mod` for every mutated file (so each is
really mounted and resolved), plus some files no module reaches, all cut from the .rs
files of real Debian-packaged crates. Runs the real `rustrag index` in a subprocess, then
checks: no crash (exit 0, no Python traceback, no dead worker), every mutated file is in
the store (with the hash of its mutated bytes) or named by a warning with a reason, the
index opens and is internally consistent, and every unmutated control file holds exactly
the items a clean parse of the original finds. Prints the counts as JSON.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import blake3

from rustrag.parse import parse_file
from rustrag.store import Store, StoredFile

REGISTRY = Path("/usr/share/cargo/registry")
SOURCE_CRATES = (
    "syn-1.0.107",
    "tokio-1.24.2",
    "clap-4.0.32",
    "nom-7.1.1",
    "serde-1.0.152",
    "regex-1.7.1",
)
# The installed console script, exactly what a user runs.
RUSTRAG = [str(Path(sys.executable).with_name("rustrag"))]
PACKAGE = "fuzzed"
# Files per workspace member: crates of real size, so resolve cost stays per crate (one
# 10,000-file crate spends over 10 minutes in the import fixpoint, see the report).
FILES_PER_CRATE = 250
HUGE_BYTES = 10 * 1024 * 1024  # over the default 8 MB cap: must be reported, not read
LONG_LINE_CHARS = 100_000
DEEP_LEVELS = 10_000
MAX_SOURCE_BYTES = 60_000  # keeps the bulk small; the big cases are built on purpose

# Share of the mutated files per mutation; the expensive kinds are fixed counts below.
SHARES = {
    "truncate": 0.22,
    "flip": 0.22,
    "invalid_utf8": 0.16,
    "splice": 0.14,
    "token_soup": 0.12,
    "empty": 0.04,
    "unlinked": 0.05,
}
# Expensive kinds: (count at 10,000 files, minimum in a small run).
FIXED = {"long_line": (40, 1), "deep": (40, 4), "huge": (12, 1)}
CONTROL_SHARE = 0.08  # unmutated copies, on top of the mutated files
SOUP = [b"{", b"}", b"(", b")", b"<", b">", b"::", b";", b"fn", b"mod", b"impl", b"#[", b"]"]
SOUP += [b"'a", b'"', b'r#"', b"/*", b"*/", b"//", b"\n", b"macro_rules!", b"m!", b"pub", b"$"]
BAD_UTF8 = [b"\xff", b"\xfe\xfe", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]
DEEP_SHAPES: list[tuple[bytes, bytes, bytes]] = [
    (b"mod a { ", b"pub fn f() {}", b" }"),
    (b"fn f() ", b"", b""),  # braces: filled in below
    (b"use ", b"b", b""),
    (b"type T = ", b"u8", b";"),
]


@dataclass(slots=True)
class Case:
    crate: str  # the workspace member holding it
    rel: str  # relative to the workspace root: "fuzzed_003/src/m00012.rs"
    kind: str  # mutation name, or "control"
    source: str  # the real file it was cut from
    linked: bool
    blake3: str


@dataclass(slots=True)
class Outcome:
    files_tried: int = 0
    mutated: int = 0
    controls: int = 0
    crashes: int = 0
    exit_code: int = 0
    seconds: float = 0.0
    files_indexed: int = 0
    files_reported: int = 0
    files_lost: int = 0  # neither in the store nor named by a warning: must be 0
    controls_matching: int = 0
    controls_differing: int = 0
    corrupt_indexes: int = 0
    warnings: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    lost_examples: list[str] = field(default_factory=list)
    control_examples: list[str] = field(default_factory=list)
    corruption: list[str] = field(default_factory=list)
    stderr_tail: str = ""

    @property
    def ok(self) -> bool:
        return (
            self.crashes == 0
            and self.files_lost == 0
            and self.controls_differing == 0
            and self.corrupt_indexes == 0
        )


# -- building ---------------------------------------------------------------------------


def real_sources() -> list[Path]:
    found: list[Path] = []
    for crate in SOURCE_CRATES:
        for path in sorted((REGISTRY / crate / "src").rglob("*.rs")):
            if path.is_file() and 200 <= path.stat().st_size <= MAX_SOURCE_BYTES:
                found.append(path)
    return found


def plan(total: int) -> list[str]:
    """The mutation kind of each of `total` mutated files."""
    kinds: list[str] = []
    scale = total / 10_000
    for kind, (full, minimum) in FIXED.items():
        kinds += [kind] * max(minimum, round(full * scale))
    rest = total - len(kinds)
    for kind, share in SHARES.items():
        kinds += [kind] * round(rest * share / sum(SHARES.values()))
    kinds += ["flip"] * (total - len(kinds))  # rounding remainder
    return kinds[:total]


def mutate(kind: str, data: bytes, rng: random.Random, serial: int) -> bytes:
    builders: dict[str, Callable[[bytes, random.Random, int], bytes]] = {
        "truncate": lambda d, r, _: d[: r.randrange(len(d) + 1)],
        "flip": _flip,
        "invalid_utf8": _invalid_utf8,
        "splice": _splice,
        "token_soup": _token_soup,
        "empty": lambda d, r, _: b"",
        "unlinked": _flip,
        "long_line": _long_line,
        "deep": _deep,
        "huge": _huge,
    }
    return builders[kind](data, rng, serial)


def _flip(data: bytes, rng: random.Random, _serial: int) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _invalid_utf8(data: bytes, rng: random.Random, _serial: int) -> bytes:
    out = data
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(out) + 1)
        out = out[:at] + rng.choice(BAD_UTF8) + out[at:]
    return out


def _splice(data: bytes, rng: random.Random, _serial: int) -> bytes:
    cut = rng.randrange(len(data))
    removed = data[:cut] + data[cut + rng.randint(1, 4000) :]
    start = rng.randrange(len(data))
    chunk = data[start : start + rng.randint(1, 2000)]
    at = rng.randrange(len(removed) + 1)
    return removed[:at] + chunk + removed[at:]


def _token_soup(data: bytes, rng: random.Random, _serial: int) -> bytes:
    soup = b" ".join(rng.choice(SOUP) for _ in range(rng.randint(1, 200)))
    at = rng.randrange(len(data) + 1)
    return data[:at] + soup + data[at:]


def _long_line(data: bytes, rng: random.Random, serial: int) -> bytes:
    if serial % 2:
        line = b'pub const LONG: &str = "' + b"a" * LONG_LINE_CHARS + b'";'
    else:  # one line of code tokens, no newline anywhere in it
        line = b"pub fn long() { f(" + b"x, " * (LONG_LINE_CHARS // 3) + b"); }"
    return data + b"\n" + line + b"\n"


def _deep(data: bytes, rng: random.Random, serial: int) -> bytes:
    shape = serial % 5
    n = DEEP_LEVELS
    if shape == 0:
        nested = b"mod a { " * n + b"pub fn f() {}" + b" }" * n
    elif shape == 1:
        nested = b"fn deep() " + b"{" * n + b"}" * n
    elif shape == 2:
        nested = b"use " + b"a::{" * n + b"b" + b"}" * n + b";"
    elif shape == 3:
        nested = b"m! " + b"{ m! " * n + b"}" * n
    else:
        nested = b"fn g<" + b"T: Fn(" * n + b")" * n + b">() {}"
    return data + b"\n" + nested + b"\n"


def _huge(data: bytes, rng: random.Random, _serial: int) -> bytes:
    return (data * (HUGE_BYTES // len(data) + 1))[:HUGE_BYTES]


def build(workdir: Path, total: int, seed: int) -> list[Case]:
    """Write the package of `total` mutated files (plus controls) under `workdir`."""
    rng = random.Random(seed)
    sources = real_sources()
    root = workdir / "ws"
    kinds = plan(total) + ["control"] * round(total * CONTROL_SHARE)
    rng.shuffle(kinds)  # every member gets a mix, controls included
    cases: list[Case] = []
    for serial, kind in enumerate(kinds):
        crate = f"{PACKAGE}_{serial // FILES_PER_CRATE:03d}"
        source = rng.choice(sources)
        original = source.read_bytes()
        data = original if kind == "control" else mutate(kind, original, rng, serial)
        linked = kind != "unlinked"
        name = f"src/m{serial:05d}.rs" if linked else f"src/unlinked/u{serial:05d}.rs"
        rel = f"{crate}/{name}"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
        digest = blake3.blake3(data).hexdigest()
        cases.append(Case(crate, rel, kind, str(source), linked, digest))
    members = sorted({c.crate for c in cases})
    for crate in members:
        manifest = f'[package]\nname = "{crate}"\nversion = "0.1.0"\nedition = "2021"\n'
        (root / crate / "Cargo.toml").write_text(manifest)
        mods = "".join(
            f"pub mod {Path(c.rel).stem};\n" for c in cases if c.linked and c.crate == crate
        )
        (root / crate / "src" / "lib.rs").write_text(mods)
    listed = ", ".join(f'"{crate}"' for crate in members)
    (root / "Cargo.toml").write_text(f'[workspace]\nmembers = [{listed}]\nresolver = "2"\n')
    return cases


# -- running and checking -------------------------------------------------------------------


def run_index(root: Path, index_dir: Path, jobs: int) -> tuple[int, dict[str, object], str, float]:
    started = time.perf_counter()
    command = [*RUSTRAG, "index", str(root), "--index-dir", str(index_dir), "--no-deps"]
    command += ["--json", "--jobs", str(jobs)]
    done = subprocess.run(command, capture_output=True, timeout=3600, check=False)
    seconds = time.perf_counter() - started
    stderr = done.stderr.decode("utf-8", errors="replace")
    try:
        report = json.loads(done.stdout) if done.returncode == 0 else {}
    except json.JSONDecodeError:
        report = {}
    return done.returncode, report, stderr, seconds


def is_crash(code: int, stderr: str) -> bool:
    markers = ("Traceback (most recent call last)", "BrokenProcessPool", "Segmentation fault")
    return code != 0 or any(marker in stderr for marker in markers)


def check(
    cases: list[Case], root: Path, index_dir: Path, report: dict[str, object], out: Outcome
) -> None:
    warned: dict[str, list[str]] = collections.defaultdict(list)
    warnings = report.get("warnings", [])
    assert isinstance(warnings, list)
    out.warnings = len(warnings)
    for warning in warnings:
        file, reason = str(warning.get("file", "")), str(warning.get("reason", ""))
        if file and reason:
            warned[_rel_to(file, root)].append(reason)
    crate_ids = sorted({f"{case.crate}@0.1.0" for case in cases})
    try:
        with Store.open(index_dir, read_only=True) as store:
            stored: dict[str, StoredFile] = {}
            items_by_file: dict[str, list[tuple[str, int, int]]] = collections.defaultdict(list)
            item_ids: set[str] = set()
            for crate_id in crate_ids:
                crate = crate_id.partition("@")[0]
                if store.crate(crate_id) is None:
                    out.corruption.append(f"crate {crate_id} missing")
                stored |= {f"{crate}/{f.rel_path}": f for f in store.files(crate_id)}
                for row in store.iter_export(crate_id):
                    item_ids.add(str(row["item_id"]))
                    if row["in_macro"]:
                        # Items from macro calls depend on the macros the whole crate
                        # defines (resolve expands them), not on this file alone.
                        continue
                    key = (str(row["kind"]), _int(row["line_start"]), _int(row["line_end"]))
                    items_by_file[f"{crate}/{row['file']}"].append(key)
            out.corruption += _consistency(store, item_ids, stored)
    except Exception as error:  # an index that cannot be read back is the failure counted
        out.corruption.append(f"index cannot be read: {error!r}")
        out.corrupt_indexes = 1
        return
    out.corrupt_indexes = 1 if out.corruption else 0
    for case in cases:
        kind_counts = out.by_kind.setdefault(case.kind, collections.Counter())
        file_row = stored.get(case.rel)
        indexed = file_row is not None and file_row.blake3 == case.blake3
        reported = bool(warned.get(case.rel))
        out.files_indexed += indexed
        out.files_reported += reported
        kind_counts["indexed" if indexed else "not_indexed"] += 1
        kind_counts["reported"] += reported
        if not indexed and not reported:
            out.files_lost += 1
            if len(out.lost_examples) < 10:
                out.lost_examples.append(f"{case.rel} ({case.kind})")
        if case.kind == "control":
            _check_control(case, items_by_file.get(case.rel, []), out)
    out.by_kind = {kind: dict(counts) for kind, counts in out.by_kind.items()}


def _check_control(case: Case, stored_items: list[tuple[str, int, int]], out: Outcome) -> None:
    clean = parse_file(case.source, case.rel)
    expected = sorted((i.kind, i.line_start, i.line_end) for i in clean.items if not i.in_macro)
    if sorted(stored_items) == expected:
        out.controls_matching += 1
        return
    out.controls_differing += 1
    if len(out.control_examples) < 10:
        out.control_examples.append(
            f"{case.rel} from {case.source}: {len(stored_items)} stored, {len(expected)} parsed"
        )


def _consistency(store: Store, item_ids: set[str], stored: Mapping[str, object]) -> list[str]:
    """Cross-relation checks a half-written or corrupted index would fail."""
    found: list[str] = []
    counts = store.count_rows()
    if counts.get("items", 0) != len(item_ids):
        found.append(f"items relation has {counts.get('items')} rows, export {len(item_ids)}")
    if counts.get("files", len(stored)) != len(stored):
        found.append(f"files relation has {counts.get('files')} rows, listing {len(stored)}")
    return found


def _rel_to(file: str, root: Path) -> str:
    path = Path(file)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return file
    return file


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | str) else 0


def fuzz(total: int, workdir: Path, *, seed: int = 1, jobs: int = 2) -> Outcome:
    """Build, index and check; the result says what happened to every file."""
    cases = build(workdir, total, seed)
    root = workdir / "ws"
    index_dir = workdir / "index"
    out = Outcome(files_tried=len(cases), controls=sum(c.kind == "control" for c in cases))
    out.mutated = out.files_tried - out.controls
    code, report, stderr, out.seconds = run_index(root, index_dir, jobs)
    out.exit_code = code
    out.stderr_tail = stderr[-2000:]
    if is_crash(code, stderr):
        out.crashes = 1
        return out
    check(cases, root, index_dir, report, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000, help="mutated files to make")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="parse worker processes")
    parser.add_argument("--workdir", type=Path, default=None, help="kept when given")
    args = parser.parse_args(argv)
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        outcome = fuzz(args.files, args.workdir, seed=args.seed, jobs=args.jobs)
    else:
        with tempfile.TemporaryDirectory(prefix="rustrag-fuzz-") as tmp:
            outcome = fuzz(args.files, Path(tmp), seed=args.seed, jobs=args.jobs)
    summary = asdict(outcome)
    summary["ok"] = outcome.ok
    summary["machine"] = f"{os.cpu_count()} cores (shared with other jobs)"
    print(json.dumps(summary, indent=2))
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
