"""End to end through the command line: index the shipped example, query it, export it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rustrag.cli import app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "geometry"
runner = CliRunner()


@pytest.fixture(scope="module")
def geometry_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("geometry") / "idx"
    result = runner.invoke(app, ["index", str(EXAMPLE), "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 crates" in result.output
    assert "completed" in result.output
    return index_dir


def _json(args: list[str]) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_show_trait_lists_members_and_implementors(geometry_index: Path) -> None:
    data = _json(["show", "Shape", "--index-dir", str(geometry_index), "--json"])
    assert isinstance(data, dict)
    item = data["item"]
    assert item["path"] == "shapes::Shape"
    assert item["kind"] == "trait"
    assert item["crate"] == "shapes" and item["version"] == "0.3.0"
    assert item["docs"] == "Anything with an area and a perimeter."
    assert item["line_start"] == 9  # the doc comment line above `pub trait Shape`
    members = {c["name"] for c in data["children"]}
    assert members == {"area", "perimeter", "corners"}
    implementors = {i["type"] for i in data["impls"]}
    assert implementors == {"Circle", "Polygon"}


def test_show_reexported_item_by_its_public_path(geometry_index: Path) -> None:
    data = _json(["show", "shapes::Len", "--index-dir", str(geometry_index), "--json"])
    assert isinstance(data, dict)
    item = data["item"]
    assert item["path"] == "shapes::units::Length"
    assert item["paths"] == ["shapes::Len"]  # units is private: only the re-export is public
    assert item["public"] is True


def test_methods_include_inherent_and_trait_methods(geometry_index: Path) -> None:
    data = _json(["methods", "Circle", "--index-dir", str(geometry_index), "--json"])
    assert isinstance(data, dict)
    names = sorted(m["name"] for m in data["methods"])
    assert names == ["area", "diameter", "new", "perimeter"]


def test_callers_across_crates(geometry_index: Path) -> None:
    data = _json(["callers", "Circle::new", "--index-dir", str(geometry_index), "--json"])
    assert isinstance(data, dict)
    callers = [r["item"]["path"] for r in data["relations"]]
    assert callers == ["render::draw_unit_circle"]


def test_deprecated_item_shows_its_note(geometry_index: Path) -> None:
    result = runner.invoke(app, ["show", "sum_areas", "--index-dir", str(geometry_index)])
    assert result.exit_code == 0, result.output
    assert "deprecated: use `total_area` instead" in result.output


def test_export_jsonl_has_the_documented_fields(geometry_index: Path) -> None:
    result = runner.invoke(app, ["export", "--index-dir", str(geometry_index), "--crate", "shapes"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    required = {
        "kind",
        "name",
        "path",
        "paths",
        "public",
        "crate",
        "version",
        "file",
        "line_start",
        "line_end",
        "fingerprint",
        "in_macro",
    }
    assert rows and all(required <= row.keys() for row in rows)
    assert {row["crate"] for row in rows} == {"shapes"}
    circle_new = next(r for r in rows if r["path"] == "shapes::shapes::circle::Circle::new")
    assert circle_new["kind"] == "method"
    assert circle_new["paths"] == ["shapes::Circle::new", "shapes::shapes::Circle::new"]
    assert circle_new["file"] == "src/shapes/circle.rs"
    assert (circle_new["line_start"], circle_new["line_end"]) == (11, 14)


def test_unknown_item_is_a_clear_error(geometry_index: Path) -> None:
    result = runner.invoke(app, ["show", "NoSuchThing", "--index-dir", str(geometry_index)])
    assert result.exit_code == 1
    assert "named `NoSuchThing`" in result.stderr
    assert "try a shorter path suffix" in result.stderr


def test_query_without_index_says_how_to_make_one(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", "Shape", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "rustrag index" in result.stderr


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(EXAMPLE, workspace)
    src = workspace / "crates" / "shapes" / "src"
    (src / "latin1.rs").write_bytes(b"// caf\xe9\npub fn cafe() {}\n")
    with (src / "lib.rs").open("a") as lib:
        lib.write("\nmod latin1;\nmod broken;\n")
    (src / "broken.rs").write_text("pub fn ok() {}\npub fn broken( {\n")
    (src / "orphan.rs").write_text("pub fn nobody_links_me() {}\n")
    bad_member = workspace / "crates" / "bad"
    bad_member.mkdir()
    (bad_member / "Cargo.toml").write_text("[package\nname = 'bad'\n")
    index_dir = tmp_path / "idx"

    result = runner.invoke(app, ["index", str(workspace), "--index-dir", str(index_dir), "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    reasons = {(Path(w["file"]).name, w["reason"].split(":")[0]) for w in report["warnings"]}
    files_warned = {name for name, _ in reasons}
    assert {"latin1.rs", "broken.rs", "orphan.rs", "Cargo.toml"} <= files_warned
    assert report["crates"] == 2
    shown = _json(["show", "shapes::broken::ok", "--index-dir", str(index_dir), "--json"])
    assert isinstance(shown, dict) and shown["item"]["name"] == "ok"
    cafe = _json(["show", "cafe", "--index-dir", str(index_dir), "--json"])
    assert isinstance(cafe, dict) and cafe["item"]["path"] == "shapes::latin1::cafe"


def test_fast_path_table_matches_the_registered_commands() -> None:
    """`main` imports one module for the commands in FAST_COMMANDS: each must be
    registered by that module, which must register more than one command (or a group),
    or typer would make the command the root and `rustrag NAME` would stop parsing."""
    from rustrag.cli import FAST_COMMANDS

    module_of = {name: callback.__module__ for name, callback in _commands().items()}
    module_of.update({g.name or "": "rustrag.cli.deps" for g in app.registered_groups})
    per_module: dict[str, int] = {}
    for module in module_of.values():
        per_module[module] = per_module.get(module, 0) + 1
    for command, module in FAST_COMMANDS.items():
        assert module_of[command] == f"rustrag.cli.{module}", command
        assert per_module[module_of[command]] > 1 or command == "deps", command
    multi = {c for c, m in module_of.items() if per_module[m] > 1}
    assert multi <= set(FAST_COMMANDS)


def _commands() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for command in app.registered_commands:
        assert command.callback is not None
        found[command.name or command.callback.__name__] = command.callback
    return found


def _console(args: list[str], code: str = "") -> subprocess.CompletedProcess[str]:
    """The console script's entry point in a fresh interpreter, then `code`."""
    script = (
        "import sys\nfrom rustrag.cli import main\n"
        f"sys.argv = ['rustrag', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        f"{code}"
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )


def test_console_search_loads_only_its_command(geometry_index: Path) -> None:
    loaded = (
        "mods = sorted(m for m in sys.modules if m.startswith('rustrag.cli.'))\n"
        "print('LOADED', mods, 'rich' in sys.modules, file=sys.stderr)\n"
    )
    result = _console(["search", "Circle", "--index-dir", str(geometry_index), "--json"], loaded)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["name"] == "Circle"
    report = result.stderr.split("LOADED", 1)[1]
    assert "rustrag.cli.search" in report and "rustrag.cli.indexing" not in report
    assert "rustrag.cli.serve" not in report and report.strip().endswith("False")  # no rich


def test_console_help_and_module_entry_list_every_command() -> None:
    names = list(_commands())
    for result in (
        _console(["--help"]),
        subprocess.run(
            [sys.executable, "-m", "rustrag", "--help"], capture_output=True, text=True, timeout=120
        ),
    ):
        assert result.returncode == 0, result.stderr
        assert all(f" {name} " in result.stdout for name in [*names, "deps"])
    shown = _console(["show", "--help"])
    assert shown.returncode == 0 and "--crate" in shown.stdout
