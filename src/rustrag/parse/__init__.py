"""The parse stage: one Rust source file to a `ParsedFile` of raw items.

Public API: `parse_file` (reads from disk, applies the size cap), `parse_bytes` (bytes
already in hand) and `fingerprint_tokens` (the layout-blind hash items carry).
"""

from rustrag.parse.extract import parse_bytes
from rustrag.parse.fingerprint import fingerprint_tokens
from rustrag.parse.reader import parse_file

__all__ = ["fingerprint_tokens", "parse_bytes", "parse_file"]
