"""What `check` reports: findings with a place, a severity and what to write instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
FindingKind = Literal[
    "unknown_item",  # a path into an indexed crate that names nothing at the locked version
    "unknown_method",  # a method call on a known type that the type does not have
    "unknown_macro",  # a macro the crate it should come from does not export
    "removed",  # unknown, and the version diff says when it went away
    "renamed",  # unknown, and the version diff knows its new name
    "moved",  # exists under another public path
    "deprecated",
    "arg_count",
    "unknown_crate",  # a crate that is neither indexed nor std
]


@dataclass(slots=True)
class Finding:
    line: int  # 1-based, in the text given to check
    column: int  # 1-based
    severity: Severity
    kind: FindingKind
    subject: str  # the path or method as written: "clap::App", "Arg::takes_value"
    message: str
    suggestions: list[str] = field(default_factory=list)  # what to write instead, best first
    crate: str | None = None  # "clap@4.0.32": the version the finding is about
    since: str | None = None  # version where the item changed, when known
    evidence: str | None = None  # the item or diff the finding rests on

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "kind": self.kind,
            "subject": self.subject,
            "message": self.message,
            "suggestions": self.suggestions,
            "crate": self.crate,
            "since": self.since,
            "evidence": self.evidence,
        }

    def __str__(self) -> str:
        hint = f" (try: {'; '.join(self.suggestions[:3])})" if self.suggestions else ""
        return f"{self.line}:{self.column}: {self.severity}: {self.message}{hint}"


@dataclass(slots=True)
class CheckReport:
    file: str | None  # what was checked, as given ("-" for stdin, None for a string)
    findings: list[Finding]
    crates: dict[str, str]  # extern name -> crate id the code was checked against
    checked: int  # references looked up in the index
    wrapped: bool  # the text was a statement list and was checked inside a wrapper fn

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": sum(1 for f in self.findings if f.severity == "warning"),
            "checked": self.checked,
            "wrapped": self.wrapped,
            "crates": self.crates,
            "findings": [f.to_json() for f in self.findings],
        }
