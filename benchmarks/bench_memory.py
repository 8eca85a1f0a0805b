"""Peak memory of `rustrag index` on a corpus of at least a million lines.

Usage: python -m benchmarks.bench_memory [--lines 1000000] [--workdir DIR] [--jobs 2]

Builds a workspace whose members are copies of the largest Debian-packaged crates under
/usr/share/cargo/registry (copies, so every file is inside the indexed root), runs the
real `rustrag index --no-deps` on it in a subprocess, and samples the resident memory of
that process and all its descendants (the parse workers) from /proc every 100 ms. Prints
lines, files, seconds, the peak of the summed tree RSS, and the largest single process
(getrusage RUSAGE_CHILDREN) as JSON. The machine is shared: times vary, memory much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REGISTRY = Path("/usr/share/cargo/registry")
RUSTRAG = str(Path(sys.executable).with_name("rustrag"))
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


@dataclass(slots=True)
class MemoryRun:
    crates: int
    files: int
    lines: int
    seconds: float
    peak_tree_rss_mib: float  # parent + workers at the same instant, sampled
    peak_single_process_mib: float  # the largest one process reached (kernel's figure)
    samples: int
    exit_code: int
    machine: str


def rust_lines(root: Path) -> tuple[int, int]:
    files = lines = 0
    for path in root.rglob("*.rs"):
        if path.is_file():
            files += 1
            with path.open("rb") as handle:
                lines += sum(1 for _ in handle)
    return files, lines


def pick_crates(target_lines: int) -> list[tuple[Path, int]]:
    """The largest registry crates (one version per name) until `target_lines`."""
    sized: dict[str, tuple[Path, int]] = {}
    for crate in sorted(REGISTRY.iterdir()):
        if not (crate / "Cargo.toml").is_file():
            continue
        name = crate.name.rsplit("-", 1)[0]
        lines = rust_lines(crate)[1]
        if name not in sized or lines > sized[name][1]:
            sized[name] = (crate, lines)
    chosen: list[tuple[Path, int]] = []
    total = 0
    for crate, lines in sorted(sized.values(), key=lambda c: -c[1]):
        if total >= target_lines:
            break
        chosen.append((crate, lines))
        total += lines
    return chosen


def build_workspace(root: Path, crates: list[tuple[Path, int]]) -> None:
    members = root / "crates"
    members.mkdir(parents=True)
    for crate, _ in crates:
        shutil.copytree(crate, members / crate.name, symlinks=False)
    listed = ", ".join(f'"crates/{crate.name}"' for crate, _ in crates)
    (root / "Cargo.toml").write_text(f'[workspace]\nmembers = [{listed}]\nresolver = "2"\n')


def tree_rss_bytes(pid: int) -> int:
    """Resident bytes of `pid` and every descendant, read from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text().split()
        except OSError:
            continue  # exited while we looked
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
        rss[int(entry.name)] = int(statm[1]) * PAGE_BYTES
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def measure(workspace: Path, index_dir: Path, jobs: int) -> tuple[int, float, int, int]:
    command = [RUSTRAG, "index", str(workspace), "--index-dir", str(index_dir), "--no-deps"]
    command += ["--jobs", str(jobs), "--json"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = samples = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_bytes(process.pid))
        samples += 1
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    return process.returncode, seconds, peak, samples


def run(target_lines: int, workdir: Path, jobs: int) -> MemoryRun:
    crates = pick_crates(target_lines)
    workspace = workdir / "corpus"
    build_workspace(workspace, crates)
    files, lines = rust_lines(workspace)
    code, seconds, peak, samples = measure(workspace, workdir / "index", jobs)
    # ru_maxrss is in KiB on Linux: the largest RSS any waited-for child reached.
    single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return MemoryRun(
        crates=len(crates),
        files=files,
        lines=lines,
        seconds=round(seconds, 1),
        peak_tree_rss_mib=round(peak / MIB, 1),
        peak_single_process_mib=round(single / MIB, 1),
        samples=samples,
        exit_code=code,
        machine=f"{os.cpu_count()} cores, shared with other jobs; {jobs} parse workers",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000, help="corpus size to reach")
    parser.add_argument("--jobs", type=int, default=2, help="parse worker processes")
    parser.add_argument("--workdir", type=Path, default=None, help="kept when given")
    args = parser.parse_args(argv)
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        result = run(args.lines, args.workdir, args.jobs)
    else:
        with tempfile.TemporaryDirectory(prefix="rustrag-mem-") as tmp:
            result = run(args.lines, Path(tmp), args.jobs)
    print(json.dumps(asdict(result), indent=2))
    return 0 if result.exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
