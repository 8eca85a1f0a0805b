"""check_extraction: rustrag's extraction of real crates against rustdoc's JSON.

    python benchmarks/check_extraction.py semver-1.0.14 syn-1.0.107 [--export FILE]

Without --export it indexes each crate with `rustrag index` and reads `rustrag export`.
Exit status 0 when every crate meets the thresholds (see compare.py), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .build_truth import meta_path
from .cfg_eval import CfgEnv, build_script_words, enabled_features, passed_flags
from .compare import CrateComparison, compare
from .crates import CrateSpec, spec_for
from .export import ExportError, export_with_rustrag, read_export
from .paths import OUT_DIR
from .report import details, table, write_json
from .truth import load_or_build_truth

DEFAULT_CRATES = [
    "semver-1.0.14",
    "log-0.4.17",
    "nom-7.1.1",
    "clap-4.0.32",
    "syn-1.0.107",
    "tokio-1.24.2",
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="check_extraction", description=__doc__)
    parser.add_argument("crates", nargs="*", metavar="NAME-VERSION", default=DEFAULT_CRATES)
    parser.add_argument(
        "--export",
        type=Path,
        help="a `rustrag export --format jsonl` file "
        "to read instead of running rustrag (may hold several crates)",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR / "extraction-check.json")
    parser.add_argument("--list", type=int, default=10, help="misses shown per category")
    parser.add_argument("--jobs", type=int, default=2, help="cargo -j for truth builds")
    return parser.parse_args(argv)


def truth_cfg(spec: CrateSpec) -> CfgEnv:
    """The cfg the truth was built with: the features its meta.json records (the spec's
    when there is none), closed over the crate's [features] table."""
    features, default = list(spec.features), spec.default_features
    flags: list[str] = []
    meta = meta_path(spec)
    if meta.is_file():
        recorded = json.loads(meta.read_text(encoding="utf-8"))
        features = [str(f) for f in recorded.get("features", features)]
        default = bool(recorded.get("default_features", default))
        flags = [str(f) for f in recorded.get("rustdoc_flags", [])]
        flags += [str(f) for f in recorded.get("env_flags", [])]
    manifest = spec.root / "Cargo.toml"
    return CfgEnv(
        enabled_features(manifest, features, default),
        passed=passed_flags(flags),
        build_script_words=build_script_words(manifest),
    )


def check_crate(key: str, export: Path | None, jobs: int, listed: int) -> CrateComparison:
    spec = spec_for(key)
    truth = load_or_build_truth(key, jobs=jobs)
    if export is not None:
        ours = [item for item in read_export(export) if item.belongs_to(spec.name, spec.version)]
    else:
        ours = export_with_rustrag(spec.root, spec.name, spec.version)
    return compare(truth, ours, max_listed=max(listed, 50), cfg_env=truth_cfg(spec))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results: list[CrateComparison] = []
    for key in args.crates:
        try:
            results.append(check_crate(key, args.export, args.jobs, args.list))
        except ExportError as err:
            print(f"{key}: rustrag failed: {err}", file=sys.stderr)
            return 2
    for result in results:
        details(result, sys.stdout, args.list)
    print()
    print(table(results))
    write_json(results, args.out)
    print(f"\nwritten {args.out}")
    return 0 if all(all(r.checks().values()) for r in results) else 1
