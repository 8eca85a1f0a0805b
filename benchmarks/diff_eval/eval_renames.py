"""Rename precision and recall of `rustrag diff` against the hand-checked renames.json.

Indexes clap 3.2.23, clap 4.0.32, nom 4.2.3 and nom 7.1.1 from Debian's registry (or
uses `--index-dir` when it already holds them), diffs each pair without the cache and
prints, per pair and overall: reported renames, correct ones, precision, recall, the
truth renames missed and every reported rename that is not a truth rename (a known
non-rename, or unjudged: judge it and add it to renames.json).

Run: python benchmarks/diff_eval/eval_renames.py [--index-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rustrag.apidiff import compute_diff
from rustrag.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from test_apidiff_support import index_versions

HERE = Path(__file__).resolve().parent
FOLDERS = ("clap-3.2.23", "clap-4.0.32", "nom-4.2.3", "nom-7.1.1")


@dataclass
class Score:
    reported: int = 0
    correct: int = 0
    truth: int = 0
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def line(self, label: str) -> str:
        precision = self.correct / self.reported if self.reported else 1.0
        recall = self.correct / self.truth if self.truth else 1.0
        return (
            f"{label}: {self.reported} renames reported, {self.correct} correct, "
            f"{self.truth} in truth -> precision {precision:.2f}, recall {recall:.2f}"
        )


def score_pair(store: Store, pair: dict[str, object]) -> Score:
    diff = compute_diff(store, str(pair["old"]), str(pair["new"]))
    truth = {(str(o), str(n)) for o, n, _ in pair["renames"]}  # type: ignore[attr-defined]
    known_wrong = {(str(o), str(n)) for o, n, _ in pair["not_renames"]}  # type: ignore[attr-defined]
    score = Score(truth=len(truth))
    found: set[tuple[str, str]] = set()
    for entry in diff.of_change("renamed"):
        if entry.old is None or entry.new is None:
            continue
        score.reported += 1
        hits = {(o, n) for o, n in truth if o in entry.old.paths and n in entry.new.paths}
        if hits:
            score.correct += 1
            found |= hits
            continue
        verdict = (
            "known non-rename"
            if any(o in entry.old.paths and n in entry.new.paths for o, n in known_wrong)
            else "unjudged"
        )
        score.wrong.append(
            f"{entry.old.path} -> {entry.new.path} ({verdict}, confidence "
            f"{entry.confidence:.2f}: {entry.evidence[:80]})"
        )
    score.missed = sorted(f"{o} -> {n}" for o, n in truth - found)
    return score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, help="an index holding the four crates")
    args = parser.parse_args()
    pairs = json.loads((HERE / "renames.json").read_text())["pairs"]
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index_dir
        if index_dir is None:
            index_dir = Path(tmp) / "index"
            index_versions(index_dir, *FOLDERS)
        total = Score()
        with Store.open(index_dir, read_only=True) as store:
            for pair in pairs:
                score = score_pair(store, pair)
                print(score.line(f"{pair['old']} -> {pair['new']}"))
                for text in score.missed:
                    print(f"  missed: {text}")
                for text in score.wrong:
                    print(f"  wrong:  {text}")
                total.reported += score.reported
                total.correct += score.correct
                total.truth += score.truth
        print(total.line("all pairs"))


if __name__ == "__main__":
    main()
