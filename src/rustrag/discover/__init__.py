"""Discover: find the crates of a Cargo workspace and its locked dependencies on disk."""

from rustrag.discover.errors import DiscoveryError
from rustrag.discover.files import list_rust_files
from rustrag.discover.workspace import discover_workspace

__all__ = ["DiscoveryError", "discover_workspace", "list_rust_files"]
