"""Bounds on how deep rustrag follows nested input, shared by parse and resolve.

Indexed code is written by strangers (every dependency), so nothing may recurse as deep
as the input asks: Python's recursion limit (1000 frames) would turn 10,000 nested
`mod a {` into a crash, and each nested item re-hashes its whole extent, so unbounded
nesting also costs quadratic time. Real code stays far below these numbers (the deepest
item nesting in the Debian registry crates is under 10), so hitting one is reported as a
problem on the file and the deeper part is skipped, never silently truncated.
"""

from __future__ import annotations

# Items inside items (mod in mod, impl in fn body in mod, ...) read per file.
MAX_ITEM_NESTING = 32
# Braces in one `use` tree: `use a::{b::{c::{..}}}`.
MAX_USE_TREE_DEPTH = 64
# Segments of one path (`a::b::c::..`) read from a `use`; longer paths are cut.
MAX_PATH_SEGMENTS = 256
# Bounds inside type arguments inside bounds: `T: Fn(Box<dyn Fn(..)>)`.
MAX_BOUND_DEPTH = 64
# Files mounted inside files through `mod x;` (each level is a file on disk).
MAX_MODULE_FILE_DEPTH = 128
