"""list_rust_files: the walk over one crate's folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import rustrag
from rustrag.discover import discover_workspace, list_rust_files


def make_crate(root: Path) -> Path:
    (root / "src" / "deep").mkdir(parents=True)
    (root / "Cargo.toml").write_text('[package]\nname = "walk"\nversion = "0.1.0"\n')
    (root / "src" / "lib.rs").write_text("mod deep;\n")
    (root / "src" / "deep" / "mod.rs").write_text("pub fn f() {}\n")
    return root


def test_symlink_loop_is_reported_without_hanging(tmp_path: Path) -> None:
    root = make_crate(tmp_path / "crate")
    os.symlink(root / "src", root / "src" / "deep" / "back_to_src")
    os.symlink("self_loop", root / "src" / "self_loop")

    files, problems = list_rust_files(root)

    assert files == ["src/deep/mod.rs", "src/lib.rs"]
    reasons = {Path(p.file).name: p.reason for p in problems}
    assert "loop" in reasons["back_to_src"]
    assert "loop" in reasons["self_loop"]


def test_link_leaving_the_root_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.rs").write_text("fn secret() {}\n")
    root = make_crate(tmp_path / "crate")
    os.symlink(outside, root / "src" / "escape")
    os.symlink(outside / "secret.rs", root / "src" / "secret.rs")

    files, problems = list_rust_files(root)

    assert files == ["src/deep/mod.rs", "src/lib.rs"]
    assert sorted(Path(p.file).name for p in problems) == ["escape", "secret.rs"]
    assert all("symlink leaves the indexed root, not followed" in p.reason for p in problems)


def test_links_inside_the_root_are_followed(tmp_path: Path) -> None:
    root = make_crate(tmp_path / "crate")
    os.symlink(root / "src" / "deep", root / "src" / "alias")
    os.symlink("lib.rs", root / "src" / "lib_link.rs")

    files, problems = list_rust_files(root)

    assert problems == []
    assert files == [
        "src/alias/mod.rs",
        "src/deep/mod.rs",
        "src/lib.rs",
        "src/lib_link.rs",
    ]


def test_crate_reached_through_a_symlink(tmp_path: Path) -> None:
    real = make_crate(tmp_path / "real")
    link = tmp_path / "link"
    os.symlink(real, link)
    files, problems = list_rust_files(link)
    assert (files, problems) == (["src/deep/mod.rs", "src/lib.rs"], [])


def test_broken_link_is_reported(tmp_path: Path) -> None:
    root = make_crate(tmp_path / "crate")
    os.symlink(root / "src" / "missing.rs", root / "src" / "dangling.rs")
    files, problems = list_rust_files(root)
    assert files == ["src/deep/mod.rs", "src/lib.rs"]
    assert len(problems) == 1 and "broken symlink" in problems[0].reason


def test_oversized_file_is_excluded_with_a_problem(tmp_path: Path) -> None:
    root = make_crate(tmp_path / "crate")
    (root / "src" / "huge.rs").write_text("// x\n" * 100)

    files, problems = list_rust_files(root, max_file_bytes=200)

    assert files == ["src/deep/mod.rs", "src/lib.rs"]
    assert [Path(p.file).name for p in problems] == ["huge.rs"]
    assert "500 bytes" in problems[0].reason and "200" in problems[0].reason


def test_discover_passes_the_size_limit_and_problems_on(tmp_path: Path) -> None:
    root = make_crate(tmp_path / "crate")
    (root / "src" / "huge.rs").write_text("// x\n" * 100)
    ws = discover_workspace(root, include_deps=False, max_file_bytes=200)
    assert ws.crates[0].files == ["src/deep/mod.rs", "src/lib.rs"]
    assert [Path(p.file).name for p in ws.problems] == ["huge.rs"]


def test_nested_target_folder_is_a_module_not_build_output(tmp_path: Path) -> None:
    root = make_crate(tmp_path / "crate")
    (root / "src" / "target").mkdir()
    (root / "src" / "target" / "mod.rs").write_text("")
    (root / "target").mkdir()
    (root / "target" / "out.rs").write_text("")
    files, _ = list_rust_files(root)
    assert files == ["src/deep/mod.rs", "src/lib.rs", "src/target/mod.rs"]


SETPRIV = shutil.which("setpriv")
NOBODY = 65534
SRC = Path(rustrag.__file__).parent.parent


def list_as_unprivileged_user(root: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """list_rust_files run by a user that permissions apply to (root reads everything)."""
    if os.geteuid() != 0:
        files, problems = list_rust_files(root)
        return files, [(p.file, p.reason) for p in problems]
    code = (
        "import json, sys\n"
        "from rustrag.discover import list_rust_files\n"
        "files, problems = list_rust_files(sys.argv[1])\n"
        "print(json.dumps([files, [(p.file, p.reason) for p in problems]]))\n"
    )
    unprivileged = [str(SETPRIV), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    done = subprocess.run(
        [*unprivileged, sys.executable, "-c", code, str(root)],
        env={"PYTHONPATH": str(SRC), "HOME": "/tmp", "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    files, problems = json.loads(done.stdout)
    return files, [(file, reason) for file, reason in problems]


@pytest.mark.skipif(os.geteuid() == 0 and SETPRIV is None, reason="running as root without setpriv")
def test_unreadable_folder_and_file_are_reported() -> None:
    # Not tmp_path: pytest makes it private to its user, and the walk runs as another.
    with tempfile.TemporaryDirectory() as scratch:
        os.chmod(scratch, 0o755)
        root = make_crate(Path(scratch) / "crate")
        locked = root / "src" / "locked"
        locked.mkdir()
        (locked / "mod.rs").write_text("")
        (root / "src" / "private.rs").write_text("")
        (root / "src" / "private.rs").chmod(0)
        locked.chmod(0)
        try:
            files, problems = list_as_unprivileged_user(root)
        finally:
            locked.chmod(0o755)
    assert files == ["src/deep/mod.rs", "src/lib.rs"]
    assert sorted(Path(file).name for file, _ in problems) == ["locked", "private.rs"]
    assert all("cannot be read" in reason for _, reason in problems)


def test_missing_root_is_a_problem(tmp_path: Path) -> None:
    files, problems = list_rust_files(tmp_path / "nope")
    assert files == []
    assert len(problems) == 1 and problems[0].file == str(tmp_path / "nope")
