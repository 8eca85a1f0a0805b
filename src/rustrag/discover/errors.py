"""The one failure discover raises instead of reporting as a Problem."""

from __future__ import annotations


class DiscoveryError(Exception):
    """The given path is not inside a Cargo project, so there is nothing to index."""
