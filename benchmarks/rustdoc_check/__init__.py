"""Extraction-correctness check: rustrag's `export` against rustdoc's JSON of real crates.

    python benchmarks/check_extraction.py semver-1.0.14 syn-1.0.107 [--export FILE]
    python -m benchmarks.rustdoc_check.build_truth tokio-1.24.2   # only (re)build truth
    python -m benchmarks.rustdoc_check.truth tokio-1.24.2         # truth summary + JSON

Modules, one job each:
  crates.py         which crates, with which features
  build_truth.py    cargo rustdoc --output-format json, offline, cached in benchmarks/out/truth/
  rustdoc_json.py   typed access to the JSON layout
  macro_regions.py  lexer: macro invocation token trees and macro_rules bodies in a file
  classify.py       plain / macro / generated, and where an out-of-line `mod` is declared
  public_paths.py   every public path of every local item
  truth.py          the truth items of a crate
  export.py         running `rustrag index` + `rustrag export`, reading JSONL
  compare.py        matching, recall, path recall/precision, thresholds
  report.py, cli.py the table, the JSON report (benchmarks/out/extraction-check.json)
"""
