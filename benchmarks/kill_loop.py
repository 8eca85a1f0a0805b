"""Kill `rustrag index` with SIGKILL at random moments, many times, and check the index.

Each round (optionally after editing a member file, so reruns have work to do) starts a
real `rustrag index` process, kills it with SIGKILL after a random delay, and then checks
that the store still opens and that `verify_index` finds nothing corrupt. After the last
round an unkilled run must finish, leave a fully clean index (no interrupted crate, no
stale file), and export exactly what a clean index of the same tree exports.

    /work/venv/bin/python -m benchmarks.kill_loop --kills 50 [--workspace DIR]

Without --workspace it builds the small two-member workspace of the tests (real Debian
dependencies, ~9k lines) under a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.small_workspace import export_lines, index_contents, make_workspace
from rustrag.pipeline import index_workspace
from rustrag.store import IndexMissing, Store
from rustrag.update.parse_cache import CACHE_DIR_NAME
from rustrag.update.verify import verify_index

_CLI = "from rustrag.cli import main; main()"


@dataclass(slots=True)
class Round:
    delay: float
    finished_before_kill: bool
    findings: list[str]  # severities found by verify_index after the kill
    corrupt: bool


@dataclass(slots=True)
class KillLoopResult:
    rounds: list[Round] = field(default_factory=list)
    final_clean: bool = False
    final_findings: list[str] = field(default_factory=list)

    @property
    def corrupt(self) -> int:
        return sum(r.corrupt for r in self.rounds)


def index_command(root: Path, index_dir: Path) -> list[str]:
    return [sys.executable, "-c", _CLI, "index", str(root), "--index-dir", str(index_dir), "--json"]


def check_after_kill(index_dir: Path) -> tuple[list[str], bool]:
    """(finding severities, corrupt?) of the index as a killed run left it."""
    try:
        store = Store.open(index_dir, read_only=True)
    except IndexMissing:
        return [], False  # killed before the schema existed: nothing to corrupt
    with store:
        store.crates()  # must answer
        report = verify_index(store, index_dir, hash_files=False)
    return [f.severity for f in report.findings], report.corrupt


def mutate(root: Path, round_no: int) -> None:
    """Alternate a member function's body, so consecutive runs have a change to write."""
    target = root / "app" / "src" / "shapes.rs"
    if target.exists():
        text = target.read_text()
        marker = "// round "
        body = text.split(marker)[0].rstrip("\n")
        target.write_text(f"{body}\n{marker}{round_no}\npub fn r{round_no % 3}() {{}}\n")


def run_kill_loop(
    root: Path,
    index_dir: Path,
    *,
    kills: int,
    seed: int,
    max_delay: float,
    env: dict[str, str],
    cold_every: int = 4,
) -> KillLoopResult:
    rng = random.Random(seed)
    result = KillLoopResult()
    for round_no in range(kills):
        if round_no % 2 == 1:
            mutate(root, round_no)
        if cold_every and round_no % cold_every == 0:
            # drop the parse cache now and then so a run has real parsing to be killed in
            shutil.rmtree(index_dir / CACHE_DIR_NAME, ignore_errors=True)
        delay = rng.uniform(0.2, max_delay)
        proc = subprocess.Popen(
            index_command(root, index_dir),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        findings, corrupt = check_after_kill(index_dir)
        result.rounds.append(Round(delay, finished, findings, corrupt))
    final = subprocess.run(
        index_command(root, index_dir), env=env, capture_output=True, timeout=900
    )
    if final.returncode != 0:
        result.final_findings = [final.stderr.decode(errors="replace")]
        return result
    with Store.open(index_dir, read_only=True) as store:
        report = verify_index(store, index_dir)
    result.final_findings = [f"{f.severity}: {f.detail}" for f in report.findings]
    result.final_clean = report.clean
    return result


def _differing(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """`crate relation.column` for every difference between two index_contents."""
    from rustrag.store.schema import RELATIONS_BY_NAME

    found = []
    for crate_id in sorted(set(got) | set(want)):
        mine, theirs = got.get(crate_id, {}), want.get(crate_id, {})
        for relation in sorted(set(mine) | set(theirs)):
            a, b = mine.get(relation, []), theirs.get(relation, [])
            if a == b:
                continue
            names = RELATIONS_BY_NAME[relation].column_names
            if relation == "crates":
                names = tuple(n for n in names if n != "indexed_at")
            columns = {
                names[i]
                for x, y in zip(a, b, strict=False)
                for i in range(min(len(x), len(y)))
                if x[i] != y[i]
            }
            found.append(f"{crate_id} {relation} ({len(a)} vs {len(b)} rows; {sorted(columns)})")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=4.0)
    parser.add_argument("--workspace", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rustrag-kill-") as tmp:
        work = Path(tmp)
        if args.workspace is None:
            root = make_workspace(work / "ws")
        else:
            root = work / "ws"
            shutil.copytree(args.workspace, root, symlinks=True)
        env = {
            **os.environ,
            "RUSTRAG_CACHE_DIR": str(work / "machine-cache"),
            "RUSTRAG_NO_EMBED": "1",  # no background embedding jobs between the kills
        }
        started = time.perf_counter()
        result = run_kill_loop(
            root, work / "idx", kills=args.kills, seed=args.seed, max_delay=args.max_delay, env=env
        )
        elapsed = time.perf_counter() - started
        killed = sum(not r.finished_before_kill for r in result.rounds)
        interrupted = sum("interrupted" in r.findings for r in result.rounds)
        print(f"workspace: {root}  machine: {os.cpu_count()} cores (shared)")
        print(f"rounds: {len(result.rounds)}, killed mid-run: {killed}, seconds: {elapsed:.0f}")
        print(f"corrupt indexes after a kill: {result.corrupt}")
        print(f"rounds leaving interrupted (repairable) crates: {interrupted}")
        print(f"final run clean: {result.final_clean} {result.final_findings[:5]}")
        same = "n/a"
        if result.final_clean:
            os.environ.update(env)  # the clean index uses the same machine cache
            index_workspace(root, work / "clean")
            exports = export_lines(work / "idx") == export_lines(work / "clean")
            print(f"final export (sorted iter_export JSONL) equals a clean index's: {exports}")
            got, want = index_contents(work / "idx"), index_contents(work / "clean")
            same = "yes" if got == want else f"NO: differs in {_differing(got, want)}"
        print(f"final rows (every relation) equal a clean index's: {same}")


if __name__ == "__main__":
    main()
