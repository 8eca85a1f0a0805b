"""Expanding a crate's own `macro_rules!` macros where they are called at item level.

A crate-level pass run by resolve before the module tree is built: parse recorded the
calls and the definitions (`ParsedFile.macro_calls`, `.macro_rules`), and expansions
replace what parse read straight out of the calls' token trees. Static analysis only:
macro_rules is a token-rewriting language, interpreted here, nothing is run.
"""

from rustrag.resolve.expand.crate_pass import CrateMacros

__all__ = ["CrateMacros"]
