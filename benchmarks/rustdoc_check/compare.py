"""Compare rustrag's exported items with the rustdoc truth of one crate.

An exported item matches a truth item when kind and file agree, their line ranges overlap
and the names agree (impls have no name; rustrag's `use` items are whole statements named
after their first binding, so any use item overlapping a rustdoc use leaf matches it).
Truth items made by macros whose span does not point at their text may instead match by
path: our canonical path equal to the truth's definition path or one of its public paths.
Several truth items may match one of ours (`pub use a::{b, c}` is one item to rustrag, two
leaves to rustdoc).

Public paths are compared as sets of (path, kind) pairs, only for kinds both sides report.

Given the truth build's cfg (`CfgEnv`), our items whose effective cfg is off in that build
(`cfg(test)` modules, `cfg(docsrs)`, features it lacked) count neither as false positives
nor as extra paths: rustdoc cannot see them, so they say nothing about our precision.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from .cfg_eval import CfgEnv
from .export import ExportItem
from .truth import Truth, TruthItem

PLAIN_RECALL = 0.99
MACRO_RECALL = 0.80
PATH_RECALL = 0.97
PATH_PRECISION = 0.97
CLASSES = ("plain", "macro", "generated")


def _name(name: str) -> str:
    return name.removeprefix("r#")


def _overlaps(truth: TruthItem, ours: ExportItem) -> bool:
    return ours.line_start <= truth.line_end and truth.line_start <= ours.line_end


def ratio(found: int, total: int) -> float | None:
    return found / total if total else None


@dataclass(slots=True)
class ClassCount:
    found: int = 0
    total: int = 0

    @property
    def recall(self) -> float | None:
        return ratio(self.found, self.total)


@dataclass(slots=True)
class CrateComparison:
    crate: str
    truth_summary: dict[str, Any]
    ours_items: int  # of the library target
    other_targets: int = 0  # our items of build.rs, benches, ...: left out
    cfg_off: int = 0  # our items switched off by cfg in the truth build: not counted
    recall: dict[str, ClassCount] = field(default_factory=dict)
    per_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    matched_by_path: int = 0
    in_macro_flags: dict[str, int] = field(default_factory=dict)
    misses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    false_positive_count: int = 0
    path_kinds: list[str] = field(default_factory=list)
    path_truth: int = 0
    path_ours: int = 0
    path_common: int = 0
    path_misses: list[str] = field(default_factory=list)
    path_extras: list[str] = field(default_factory=list)

    @property
    def path_recall(self) -> float | None:
        return ratio(self.path_common, self.path_truth)

    @property
    def path_precision(self) -> float | None:
        return ratio(self.path_common, self.path_ours)

    def checks(self) -> dict[str, bool]:
        """Each threshold and whether it is met (a metric with nothing to measure passes)."""

        def at_least(value: float | None, floor: float) -> bool:
            return value is None or value >= floor

        return {
            f"plain recall >= {PLAIN_RECALL}": at_least(self.recall["plain"].recall, PLAIN_RECALL),
            f"macro recall >= {MACRO_RECALL}": at_least(self.recall["macro"].recall, MACRO_RECALL),
            f"path recall >= {PATH_RECALL}": at_least(self.path_recall, PATH_RECALL),
            f"path precision >= {PATH_PRECISION}": at_least(self.path_precision, PATH_PRECISION),
        }

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["recall"] = {k: {**asdict(v), "recall": v.recall} for k, v in self.recall.items()}
        data["path_recall"] = self.path_recall
        data["path_precision"] = self.path_precision
        data["checks"] = self.checks()
        data["passed"] = all(self.checks().values())
        return data


class Matcher:
    def __init__(self, ours: list[ExportItem]) -> None:
        self.by_name: dict[tuple[str, str, str], list[ExportItem]] = defaultdict(list)
        self.by_file: dict[tuple[str, str], list[ExportItem]] = defaultdict(list)
        self.by_path: dict[tuple[str, str], list[ExportItem]] = defaultdict(list)
        self.anything_at: dict[tuple[str, str], list[ExportItem]] = defaultdict(list)
        for item in ours:
            self.by_name[(item.kind, item.file, _name(item.name))].append(item)
            self.by_file[(item.kind, item.file)].append(item)
            self.anything_at[(item.file, _name(item.name))].append(item)
            for path in {item.path, *item.paths}:
                if path:
                    self.by_path[(item.kind, path)].append(item)

    def by_span(self, truth: TruthItem) -> ExportItem | None:
        if truth.file is None or truth.line_start == 0:
            return None
        if truth.kind in ("impl", "use"):
            pool = self.by_file[(truth.kind, truth.file)]
        else:
            pool = self.by_name[(truth.kind, truth.file, _name(truth.name))]
        hits = [o for o in pool if _overlaps(truth, o)]
        # Prefer the item starting on the same line, then the tightest: an impl's span
        # overlaps every impl nested in a macro, or written in one of its methods.
        return (
            min(hits, key=lambda o: (o.line_start != truth.line_start, o.line_end - o.line_start))
            if hits
            else None
        )

    def by_paths(self, truth: TruthItem) -> ExportItem | None:
        for path in [truth.def_path, *truth.paths]:
            if path and self.by_path.get((truth.kind, path)):
                return self.by_path[(truth.kind, path)][0]
        return None

    def other_kinds(self, truth: TruthItem) -> list[str]:
        """Kinds of our items at the truth item's place with its name: a kind mix-up."""
        found = self.anything_at.get((truth.file or "", _name(truth.name)), [])
        return sorted({o.kind for o in found if _overlaps(truth, o) and o.kind != truth.kind})


def _miss(truth: TruthItem, matcher: Matcher) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "kind": truth.kind,
        "name": truth.name,
        "def_path": truth.def_path,
        "at": f"{truth.file}:{truth.line_start}-{truth.line_end}",
        "why": truth.reason,
    }
    kinds = matcher.other_kinds(truth)
    if kinds:
        entry["found_as"] = kinds
    return entry


def library_items(truth: Truth, ours: list[ExportItem]) -> list[ExportItem]:
    """Our items of the library target: rustdoc documents only the lib, not build.rs,
    benches or examples. Named items tell by their path's root; nameless ones (impls,
    use items) by being in a file that holds library items."""
    root = truth.crate_name
    named = [o for o in ours if o.path == root or o.path.startswith(f"{root}::")]
    lib_files = {o.file for o in named} | {t.file for t in truth.items if t.file}
    return [o for o in ours if o in named or (not o.path and o.file in lib_files)]


def compare(
    truth: Truth, ours: list[ExportItem], max_listed: int = 25, cfg_env: CfgEnv | None = None
) -> CrateComparison:
    lib = library_items(truth, ours)
    result = CrateComparison(truth.crate, truth.summary(), len(lib))
    result.other_targets = len(ours) - len(lib)
    ours = lib
    live = ours if cfg_env is None else [o for o in ours if cfg_env.all_of(o.cfg) is not False]
    result.cfg_off = len(ours) - len(live)
    live_ids = {id(o) for o in live}
    matcher = Matcher(ours)
    result.recall = {klass: ClassCount() for klass in CLASSES}
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    misses: dict[str, list[dict[str, Any]]] = {klass: [] for klass in CLASSES}
    matched: set[int] = set()
    flags: Counter[str] = Counter()
    for item in truth.items:
        count = result.recall[item.klass]
        count.total += 1
        per_kind[item.kind][f"truth_{item.klass}"] += 1
        hit = matcher.by_span(item)
        if hit is None and item.klass != "plain":
            hit = matcher.by_paths(item)
            result.matched_by_path += hit is not None
        if hit is None:
            per_kind[item.kind][f"missed_{item.klass}"] += 1
            if len(misses[item.klass]) < max_listed:
                misses[item.klass].append(_miss(item, matcher))
            continue
        count.found += 1
        matched.add(id(hit))
        flags[f"truth {item.klass} / ours in_macro={hit.in_macro}"] += 1
    truth_kinds = {item.kind for item in truth.items}
    for our in ours:
        per_kind[our.kind]["ours"] += 1
        # rustdoc keeps only `pub use`; private imports are not in the truth at all.
        counted = our.kind in truth_kinds and (our.kind != "use" or our.public)
        counted = counted and id(our) in live_ids
        if id(our) not in matched and counted:
            per_kind[our.kind]["unmatched_ours"] += 1
            result.false_positive_count += 1
            if len(result.false_positives) < max_listed:
                result.false_positives.append(
                    {
                        "kind": our.kind,
                        "name": our.name,
                        "path": our.path,
                        "at": f"{our.file}:{our.line_start}-{our.line_end}",
                    }
                )
    result.per_kind = {kind: dict(counts) for kind, counts in sorted(per_kind.items())}
    result.misses = misses
    result.in_macro_flags = dict(sorted(flags.items()))
    _compare_paths(result, truth, live, max_listed)
    return result


def _compare_paths(
    result: CrateComparison, truth: Truth, ours: list[ExportItem], max_listed: int
) -> None:
    truth_pairs = truth.path_pairs()
    our_pairs = {(path, item.kind) for item in ours if item.public for path in item.paths}
    kinds = {kind for _, kind in truth_pairs} & {kind for _, kind in our_pairs}
    truth_pairs = {pair for pair in truth_pairs if pair[1] in kinds}
    our_pairs = {pair for pair in our_pairs if pair[1] in kinds}
    result.path_kinds = sorted(kinds)
    result.path_truth, result.path_ours = len(truth_pairs), len(our_pairs)
    result.path_common = len(truth_pairs & our_pairs)
    result.path_misses = [f"{k} {p}" for p, k in sorted(truth_pairs - our_pairs)][:max_listed]
    result.path_extras = [f"{k} {p}" for p, k in sorted(our_pairs - truth_pairs)][:max_listed]


def overall(results: list[CrateComparison]) -> dict[str, Any]:
    """Totals across crates: recall per class and path recall/precision."""
    totals = {klass: ClassCount() for klass in CLASSES}
    for result in results:
        for klass, count in result.recall.items():
            totals[klass].found += count.found
            totals[klass].total += count.total
    common = sum(r.path_common for r in results)
    return {
        "recall": {k: {**asdict(v), "recall": v.recall} for k, v in totals.items()},
        "path_recall": ratio(common, sum(r.path_truth for r in results)),
        "path_precision": ratio(common, sum(r.path_ours for r in results)),
        "passed": all(all(r.checks().values()) for r in results),
    }
