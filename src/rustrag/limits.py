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
# macro_rules expansion (resolve/expand): a macro may call itself or another, so every
# expansion is bounded in depth, in matching steps, in output size, and per crate in
# total output, all deterministic (a time limit would make item ids depend on the load).
# Calls nested inside expansions, expanded in turn (`m!() => { m!(); }` stops here).
# rustc's own recursion_limit is 128; tt-munchers (one level per variant) need dozens.
MAX_MACRO_EXPANSION_DEPTH = 64
# Expansions made for one written call, nested ones included (`m!() => { m!() m!() }`
# doubles per level: the depth bound alone would allow 2**64).
MAX_EXPANSIONS_PER_CALL = 1024
# Pattern steps spent matching one invocation against all arms of its macro.
MAX_MACRO_MATCH_STEPS = 200_000
# Token trees one transcription may produce, and bytes of rendered text per expansion.
MAX_EXPANSION_TREES = 200_000
MAX_EXPANSION_BYTES = 2_000_000
# Rendered bytes over all expansions of one crate (syn, the biggest user, needs ~2 MB).
MAX_CRATE_EXPANSION_BYTES = 32_000_000
# Brackets nested in one token tree read by the expander.
MAX_TOKEN_TREE_DEPTH = 128
