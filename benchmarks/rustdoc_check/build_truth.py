"""Build rustdoc JSON for one crate from /usr/share/cargo/registry, offline, and cache it.

The crate is documented as a dependency of a throwaway cargo project in a temp dir, so
the registry copy is never written to. This compiles the crate's dependencies (their
build scripts and proc-macros run): acceptable for a ground-truth tool, and the reason
it is never part of rustrag itself.

rustdoc's JSON output is unstable (`-Z unstable-options`); `RUSTC_BOOTSTRAP=1` lets the
stable toolchain accept it, and is set for the rustdoc command only. A nightly toolchain
would not help: it rejects Debian's old proc-macro2.

    python -m benchmarks.rustdoc_check.build_truth semver-1.0.14 [--force] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from .crates import CrateSpec, spec_for
from .paths import TRUTH_DIR

CARGO_CONFIG = """\
[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "{registry}"

[net]
offline = true
"""


# Private and #[doc(hidden)] items are real items rustrag extracts; without these flags
# they would be missing from the truth and look like false positives.
RUSTDOC_FLAGS = (
    "-Z",
    "unstable-options",
    "--output-format",
    "json",
    "--document-private-items",
    "--document-hidden-items",
)


class BuildError(RuntimeError):
    """cargo failed; the message holds the tail of its output."""


def truth_json_path(spec: CrateSpec, out_dir: Path = TRUTH_DIR) -> Path:
    return out_dir / f"{spec.key}.rustdoc.json"


def meta_path(spec: CrateSpec, out_dir: Path = TRUTH_DIR) -> Path:
    return out_dir / f"{spec.key}.meta.json"


def lib_name(crate_root: Path) -> str:
    """The [lib] name, which is what rustdoc names its JSON file after."""
    manifest = tomllib.loads((crate_root / "Cargo.toml").read_text(encoding="utf-8"))
    name = manifest.get("lib", {}).get("name") or manifest["package"]["name"]
    return str(name).replace("-", "_")


def dependency_line(spec: CrateSpec) -> str:
    features = ", ".join(json.dumps(f) for f in spec.features)
    default = "true" if spec.default_features else "false"
    return (
        f'{json.dumps(spec.name)} = {{ version = "={spec.version}", '
        f"default-features = {default}, features = [{features}] }}"
    )


def write_project(project: Path, spec: CrateSpec, registry: Path) -> None:
    (project / "src").mkdir(parents=True)
    (project / "src" / "lib.rs").write_text("", encoding="utf-8")
    (project / "Cargo.toml").write_text(
        "[package]\n"
        'name = "rustdoc-truth-host"\n'
        'version = "0.0.0"\n'
        'edition = "2021"\n'
        "publish = false\n\n"
        # An empty [workspace] keeps cargo from adopting an enclosing workspace.
        "[workspace]\n\n"
        "[dependencies]\n" + dependency_line(spec) + "\n",
        encoding="utf-8",
    )
    (project / ".cargo").mkdir()
    (project / ".cargo" / "config.toml").write_text(
        CARGO_CONFIG.format(registry=registry), encoding="utf-8"
    )


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        raise BuildError(f"{' '.join(cmd)} failed ({done.returncode}):\n{tail}")


def rustc_version() -> str:
    done = subprocess.run(["rustc", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def run_cargo_rustdoc(project: Path, package: str, target: Path, jobs: int = 2) -> None:
    """`cargo rustdoc` with JSON output for `package`, built in `target`.

    RUSTC_BOOTSTRAP is set here only, so nothing else in the process runs as nightly.
    """
    env = {**os.environ, "CARGO_TARGET_DIR": str(target), "RUSTC_BOOTSTRAP": "1"}
    run(
        [
            "cargo",
            "rustdoc",
            "--offline",
            "-j",
            str(jobs),
            "-p",
            package,
            "--lib",
            "--",
            *RUSTDOC_FLAGS,
        ],
        project,
        env,
    )


def build_rustdoc_json(spec: CrateSpec, jobs: int = 2, registry: Path | None = None) -> Path:
    """Run cargo rustdoc in a temp project; return the JSON copied into `TRUTH_DIR`."""
    registry = registry or spec.root.parent
    TRUTH_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"rustdoc-truth-{spec.key}-") as tmp:
        project = Path(tmp) / "host"
        write_project(project, spec, registry)
        target = Path(tmp) / "target"
        base_env = {**os.environ, "CARGO_TARGET_DIR": str(target)}
        run(["cargo", "generate-lockfile", "--offline"], project, base_env)
        run_cargo_rustdoc(project, f"{spec.name}@{spec.version}", target, jobs)
        produced = target / "doc" / f"{lib_name(spec.root)}.json"
        if not produced.is_file():
            raise BuildError(f"rustdoc did not write {produced}")
        dest = truth_json_path(spec)
        shutil.copyfile(produced, dest)
    format_version = json.loads(dest.read_text(encoding="utf-8")).get("format_version")
    meta = {
        "crate": spec.key,
        "features": list(spec.features),
        "default_features": spec.default_features,
        "rustdoc_flags": list(RUSTDOC_FLAGS),
        # Inherited by cargo: a `--cfg` in them was on in the truth build (see cfg_eval).
        "env_flags": [os.environ.get(k, "") for k in ("RUSTFLAGS", "RUSTDOCFLAGS")],
        "rustc": rustc_version(),
        "format_version": format_version,
    }
    meta_path(spec).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return dest


def cached_or_build(spec: CrateSpec, force: bool = False, jobs: int = 2) -> Path:
    """The cached JSON when it was built with the same features, else a fresh build."""
    dest, meta = truth_json_path(spec), meta_path(spec)
    if not force and dest.is_file() and meta.is_file():
        recorded = json.loads(meta.read_text(encoding="utf-8"))
        wanted = {
            "features": list(spec.features),
            "default_features": spec.default_features,
            "rustdoc_flags": list(RUSTDOC_FLAGS),
        }
        if all(recorded.get(key) == value for key, value in wanted.items()):
            return dest
    return build_rustdoc_json(spec, jobs=jobs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("crates", nargs="+", metavar="NAME-VERSION")
    parser.add_argument("--force", action="store_true", help="rebuild even when cached")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    status = 0
    for key in args.crates:
        spec = spec_for(key)
        try:
            path = cached_or_build(spec, force=args.force, jobs=args.jobs)
        except BuildError as err:
            print(f"{key}: {err}", file=sys.stderr)
            status = 1
            continue
        print(f"{key}: {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
