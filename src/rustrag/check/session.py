"""One check session: the look-up caches of a Workspace, reused across checks."""

from __future__ import annotations

from rustrag.api import Workspace
from rustrag.check.checker import Checker
from rustrag.check.collect import collect
from rustrag.check.findings import CheckReport
from rustrag.check.lookup import IndexLookup
from rustrag.check.resolve import PathResolver
from rustrag.check.snippet import prepare
from rustrag.check.versions import dependency_scope


class CheckSession:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.store = workspace.store  # the caches below are only valid for this handle
        self.lookup = IndexLookup(workspace)
        self.resolver = PathResolver(self.lookup)
        self._scopes: dict[str | None, dict[str, str]] = {}

    def scope(self, file: str | None) -> dict[str, str]:
        if file not in self._scopes:
            self._scopes[file] = dependency_scope(self.workspace, file)
        return self._scopes[file]

    def check(self, source: str, *, file: str | None = None) -> CheckReport:
        snippet = prepare(source)
        scope = self.scope(file)
        checker = Checker(self.workspace, self.lookup, self.resolver, scope, snippet.local_names())
        checker.run(collect(snippet.data, snippet.root))
        findings = []
        last_line = source.count("\n") + 1
        for finding in checker.findings:
            finding.line -= snippet.line_offset
            if 1 <= finding.line <= last_line:  # nothing on the wrapper's own lines
                findings.append(finding)
        findings.sort(key=lambda f: (f.line, f.column, f.kind))
        used = {c: scope[c] for c in sorted(_used_crates(checker, scope))}
        return CheckReport(file, findings, used, checker.checked, snippet.wrapped)


def _used_crates(checker: Checker, scope: dict[str, str]) -> set[str]:
    heads = {path[0] for path in checker.uses.values() if path}
    heads |= {glob[0] for glob in checker.globs if glob}
    heads |= set(checker.macro_use_crates)
    heads |= {f.crate.partition("@")[0] for f in checker.findings if f.crate}
    return {h for h in heads if h in scope}


def check_source(workspace: Workspace, source: str, *, file: str | None = None) -> CheckReport:
    return CheckSession(workspace).check(source, file=file)
