"""`check`: verify Rust code (generated or handwritten) against the indexed versions.

Public API: `check_source(workspace, source, file=None) -> CheckReport`, and the
`CheckSession` that keeps index look-ups warm across several checks (ask, the MCP server).
"""

from rustrag.check.findings import CheckReport, Finding
from rustrag.check.session import CheckSession, check_source

__all__ = ["CheckReport", "CheckSession", "Finding", "check_source"]
