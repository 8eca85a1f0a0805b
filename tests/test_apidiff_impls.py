"""API diff of trait impls, trait items and renames onto existing items, on a fixture crate
written in two versions (every case below is one line of Rust that changed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rustrag.api import Workspace
from rustrag.apidiff import ApiDiff, DiffEntry
from test_apidiff_support import index_versions

OLD, NEW = "shapes@1.0.0", "shapes@2.0.0"

V1 = """\
//! Shapes, version 1.
pub trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> String { String::from("shape") }
    fn sides(&self) -> u32;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Square<T> { pub side: T }
impl<T> Shape for Square<T> {
    fn area(&self) -> f64 { 1.0 }
    fn sides(&self) -> u32 { 4 }
}
impl From<u32> for Square<u32> { fn from(side: u32) -> Self { Square { side } } }
impl<T: Clone> Iterator for Square<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> { None }
}

pub struct Circle;
impl Default for Circle { fn default() -> Self { Circle } }
use std::fmt::Display as Show;
impl Show for Circle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) }
}
impl<T: std::fmt::Debug> Shape for Vec<T> {
    fn area(&self) -> f64 { 0.0 }
    fn sides(&self) -> u32 { 0 }
}

struct Hidden;
impl Shape for Hidden {
    fn area(&self) -> f64 { 0.0 }
    fn sides(&self) -> u32 { 0 }
}

pub mod old {
    pub struct Gone;
    impl Clone for Gone { fn clone(&self) -> Self { Gone } }
}

pub struct Round;
impl Clone for Round { fn clone(&self) -> Self { Round } }
#[deprecated(note = "Renamed to `Round`")]
pub struct Disk;
impl Clone for Disk { fn clone(&self) -> Self { Disk } }

pub fn sum(x: u32, y: u32) -> u32 { x + y }
pub fn mul(x: u32, y: u32) -> u32 { x * y }
pub fn fresh() {}
#[deprecated(note = "use `sum` instead")]
pub fn legacy_sum(a: u32, b: u32) -> u32 { a + b }
#[deprecated(note = "Replaced with `mul`")]
pub fn legacy_square(a: u32) -> u32 { a * a }
#[deprecated(note = "Replaced with `fresh`")]
pub fn stale_a() {}
#[deprecated(note = "Replaced with `fresh`")]
pub fn stale_b() {}

#[cfg(test)]
mod tests {
    pub struct Local;
    impl From<Local> for String { fn from(_: Local) -> String { String::new() } }
}
"""

V2 = """\
//! Shapes, version 2.
pub trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> String { String::from("shape") }
    fn sides(&self) -> u32 { 0 }
    fn perimeter(&self) -> f64;
}

#[derive(Debug, Clone, Hash)]
pub struct Square<T> { pub side: T }
impl<U> Shape for Square<U> {
    fn area(&self) -> f64 { 1.0 }
    fn sides(&self) -> u32 { 4 }
    fn perimeter(&self) -> f64 { 4.0 }
}
impl From<u64> for Square<u64> { fn from(side: u64) -> Self { Square { side } } }
impl<T: Clone> Iterator for Square<T> {
    type Item = Vec<T>;
    fn next(&mut self) -> Option<Vec<T>> { None }
}

#[derive(Default)]
pub struct Circle;
impl std::fmt::Display for Circle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) }
}
impl<T: std::fmt::Debug + Clone> Shape for Vec<T> {
    fn area(&self) -> f64 { 0.0 }
    fn perimeter(&self) -> f64 { 0.0 }
}

struct Hidden;

pub mod old {}

pub struct Round;
impl Clone for Round { fn clone(&self) -> Self { Round } }

pub fn sum(x: u32, y: u32) -> u32 { x + y }
pub fn mul(x: u32, y: u32) -> u32 { x * y }
pub fn fresh() {}
"""


def _crate(root: Path, version: str, lib: str) -> Path:
    folder = root / f"shapes-{version}"
    (folder / "src").mkdir(parents=True)
    (folder / "Cargo.toml").write_text(
        f'[package]\nname = "shapes"\nversion = "{version}"\nedition = "2021"\n'
    )
    (folder / "src" / "lib.rs").write_text(lib)
    return folder


@pytest.fixture(scope="module")
def diff(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiDiff]:
    root = tmp_path_factory.mktemp("shapes")
    old, new = _crate(root, "1.0.0", V1), _crate(root, "2.0.0", V2)
    index_versions(root / "index", str(old), str(new))
    with Workspace(root / "index", root / "index") as ws:
        yield ws.api_diff(OLD, NEW, use_cache=False)


def _impls(diff: ApiDiff, change: str) -> dict[str, DiffEntry]:
    return {e.name: e for e in diff.of_change(change) if e.kind == "impl"}  # type: ignore[arg-type]


def test_trait_impls_added_removed_and_changed(diff: ApiDiff) -> None:
    removed, added, changed = (_impls(diff, c) for c in ("removed", "added", "changed"))
    assert set(removed) == {"impl From<u32> for Square<u32>", "impl PartialEq for Square<T>"}
    assert removed["impl PartialEq for Square<T>"].old is not None
    assert removed["impl PartialEq for Square<T>"].old.signature == "#[derive(PartialEq)]"
    assert removed["impl From<u32> for Square<u32>"].owner == "shapes::Square"
    assert set(added) == {"impl From<u64> for Square<u64>", "impl Hash for Square<T>"}
    iterator = changed["impl Iterator for Square<T>"]
    assert iterator.details == ["assoc_types"]
    assert "type Item = T" in iterator.evidence and "type Item = Vec<T>" in iterator.evidence
    blanket = changed["impl Shape for Vec<T>"]
    assert blanket.details == ["bounds"] and blanket.owner == "shapes::Shape"
    where = next(i for i, ln in enumerate(V2.splitlines(), 1) if "Shape for Vec<T>" in ln)
    assert blanket.new is not None and blanket.new.line == where


def test_unchanged_impls_and_what_users_cannot_name_stay_out(diff: ApiDiff) -> None:
    names = {e.name for e in diff.entries if e.kind == "impl"}
    # renamed type parameter, derive swapped for a hand-written impl, a trait named
    # through a `use .. as` alias, derives kept
    assert not names & {"impl Shape for Square<U>", "impl Default for Circle"}
    assert not any("Show" in n or "Display" in n for n in names)
    assert not any("Debug" in n or "Clone for Square" in n for n in names)
    # a private type's impl, a `#[cfg(test)]` impl, the impl of a removed type
    assert not any("Hidden" in n or "Local" in n or "Gone" in n for n in names)
    gone = next(e for e in diff.of_change("removed") if e.name == "Gone")
    assert gone.members == 1  # its `impl Clone` is counted on it
    # `Disk` became `Round`: its `impl Clone` is Round's, which both versions have
    assert not any("Disk" in n or "Round" in n for n in names)


def test_trait_methods_required_and_provided(diff: ApiDiff) -> None:
    sides = next(e for e in diff.of_change("changed") if e.name == "sides")
    assert sides.owner == "shapes::Shape" and sides.details == ["provided"]
    perimeter = next(e for e in diff.of_change("added") if e.name == "perimeter")
    assert perimeter.details == ["required"]
    assert not any(e.name in ("name", "area") for e in diff.entries)


def test_renames_onto_items_that_already_existed(diff: ApiDiff) -> None:
    renamed = {e.old.path: e for e in diff.of_change("renamed") if e.old is not None}
    disk = renamed["shapes::Disk"]
    assert disk.new is not None and disk.new.path == "shapes::Round"
    assert disk.confidence == 0.8 and "Renamed to `Round`" in disk.evidence
    assert "already existed" in disk.evidence
    legacy = renamed["shapes::legacy_sum"]  # parameter names differ, the call does not
    assert legacy.new is not None and legacy.new.path == "shapes::sum"
    removed = {e.old.path: e for e in diff.of_change("removed") if e.old is not None}
    # another call shape: a replacement, not a rename
    assert removed["shapes::legacy_square"].replacements == ["shapes::mul"]
    # two items named one successor: both were replaced by it
    for name in ("shapes::stale_a", "shapes::stale_b"):
        assert removed[name].replacements == ["shapes::fresh"]
    assert not {"shapes::legacy_square", "shapes::stale_a"} & set(renamed)
