"""The check itself: walk the snippet's events in source order, resolve what can be
resolved against the locked versions, and turn every provable mistake into a Finding.

Precision over recall: a name is reported only when the crate it belongs to is indexed
and the index proves it wrong. Receivers of method calls are typed only through
constructs whose type is certain (`Type::new(..)`, annotated lets and parameters,
methods returning `Self` or a named type of the same crate).
"""

from __future__ import annotations

import re

from rustrag.api import Workspace
from rustrag.check.collect import (
    Binding,
    Collected,
    Event,
    Expr,
    FnStart,
    MacroUse,
    MethodCall,
    MethodExpr,
    PathCall,
    PathUse,
    UseLeaf,
    Var,
)
from rustrag.check.deprecation import deprecation_of, describe
from rustrag.check.findings import Finding, FindingKind, Severity
from rustrag.check.lookup import IndexLookup
from rustrag.check.resolve import PathResolver, Resolved
from rustrag.check.signature import bare_type_name, param_counts, return_type
from rustrag.check.stdnames import PATH_KEYWORDS, STD_CRATES, STD_MACROS
from rustrag.check.suggest import Replacement, close_names, diff_replacement, same_name_elsewhere
from rustrag.model import Item

_CALLABLE = frozenset({"fn", "method"})
_VALUE_TYPES = frozenset({"struct", "enum", "union"})
_CRATE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class Checker:
    def __init__(
        self,
        workspace: Workspace,
        lookup: IndexLookup,
        resolver: PathResolver,
        scope: dict[str, str],
        local_names: frozenset[str],
    ) -> None:
        self.workspace = workspace
        self.lookup = lookup
        self.resolver = resolver
        self.scope = scope
        self.local_names = local_names
        self.uses: dict[str, tuple[str, ...]] = {}
        self.globs: list[tuple[str, ...]] = []
        self.locals: dict[str, Item | None] = {}
        self.findings: list[Finding] = []
        self.checked = 0
        self._seen: set[tuple[int, str, str]] = set()
        self._unknown_crates: set[str] = set()
        self.macro_use_crates: list[str] = []
        # names whose `use` already got a finding: their later uses are the same mistake
        self._failed_names: set[str] = set()

    # -- driving ---------------------------------------------------------------------------

    def run(self, collected: Collected) -> None:
        self.macro_use_crates = collected.macro_use_crates
        # `use` binds for the whole file, whatever line it is on
        for event in collected.events:
            if isinstance(event, UseLeaf):
                self._bind_use(event)
        for event in collected.events:
            self._event(event)

    def _event(self, event: Event) -> None:
        if isinstance(event, UseLeaf):
            self._check_use(event)
        elif isinstance(event, PathUse):
            self._check_path_use(event)
        elif isinstance(event, MethodCall):
            self._check_method(event)
        elif isinstance(event, MacroUse):
            self._check_macro(event)
        elif isinstance(event, Binding):
            self.locals[event.name] = self._binding_type(event)
        elif isinstance(event, FnStart):
            self.locals.clear()

    # -- names -> crate paths --------------------------------------------------------------

    def _bind_use(self, leaf: UseLeaf) -> None:
        path = tuple(s for s in leaf.entry.path if s)  # a leading `::` changes nothing here
        if leaf.entry.glob:
            self.globs.append(path)
        elif path and leaf.entry.name != "_":
            self.uses[leaf.entry.alias or path[-1]] = path

    def expand(
        self, written: tuple[str, ...], line: int, column: int
    ) -> tuple[str, tuple[str, ...]] | None:
        """(crate id, full path) for a path into an indexed crate, else None."""
        path = tuple(s for s in written if s) if written and written[0] == "" else written
        if not path or path[0] in PATH_KEYWORDS or path[0] in STD_CRATES:
            return None
        head = path[0]
        if head in self.uses and not (head in self.local_names and len(path) > 1):
            path = self.uses[head] + path[1:]
            head = path[0]
            if head in PATH_KEYWORDS or head in STD_CRATES:
                return None
        if head in self.scope:
            return self.scope[head], path
        if head in self.local_names:
            return None
        for glob in self.globs:
            if glob and glob[0] in self.scope:
                crate_id = self.scope[glob[0]]
                candidate = glob + path
                if self.lookup.path_entries(crate_id, "::".join(candidate)):
                    return crate_id, candidate
        if len(path) > 1 and _CRATE_NAME.match(head) and head not in self._unknown_crates:
            self._unknown_crates.add(head)
            self._add(
                line,
                column,
                "info",
                "unknown_crate",
                head,
                f"`{head}` is not a dependency in the index (nor a module of this code); "
                "its paths were not checked",
            )
        return None

    # -- paths -----------------------------------------------------------------------------

    def _check_use(self, leaf: UseLeaf) -> None:
        path = tuple(leaf.entry.path)
        target = self.expand(path, leaf.line, leaf.column) if path else None
        if target is not None:
            resolved = self._check_resolved(target, "::".join(path), leaf.line, leaf.column, None)
            if resolved.status == "missing" and not leaf.entry.glob:
                self._failed_names.add(leaf.entry.alias or path[-1])

    def _check_path_use(self, use: PathUse) -> None:
        if len(use.path) == 1 and use.path[0] not in self.uses:
            return  # a bare name not imported here: local, prelude or glob, never judged
        if use.path[0] in self._failed_names:
            return
        target = self.expand(use.path, use.line, use.column)
        if target is not None:
            self._check_resolved(target, "::".join(use.path), use.line, use.column, use.arg_count)

    def _check_resolved(
        self,
        target: tuple[str, tuple[str, ...]],
        written: str,
        line: int,
        column: int,
        arg_count: int | None,
    ) -> Resolved:
        crate_id, path = target
        self.checked += 1
        resolved = self.resolver.resolve(crate_id, path)
        if resolved.status == "missing":
            self._missing_path(crate_id, path, resolved, line, column)
        elif resolved.status == "found":
            self._deprecated(resolved.definitions, written, crate_id, line, column)
            if arg_count is not None:
                self._arg_count(
                    resolved.definitions, written, arg_count, crate_id, line, column, False
                )
        return resolved

    def _missing_path(
        self, crate_id: str, path: tuple[str, ...], resolved: Resolved, line: int, column: int
    ) -> None:
        missing = path[: resolved.missing_at + 1]
        name = missing[-1]
        subject = "::".join(missing)
        label = _label(crate_id)
        owner = resolved.owner
        if owner is not None:
            where = f"an associated item of `{_shown_path(owner)}`"
            pool = list(self.lookup.members(owner).by_name)
        else:
            parent = "::".join(missing[:-1])
            where = f"in `{parent}`"
            pool = list(self.lookup.names(crate_id))
        message = f"`{name}` is not {where} in {label}"
        suggestions: list[str] = []
        kind: FindingKind = "unknown_item"
        since = evidence = None
        replacement = self._replacement(subject, crate_id)
        if replacement is not None:
            kind = _replacement_kind(replacement.kind)
            since = replacement.since
            evidence = replacement.evidence
            if replacement.suggestion:
                suggestions.append(replacement.suggestion)
            when = f" in {replacement.since}" if replacement.since else ""
            message = f"`{subject}` was {replacement.kind}{when}; {message}"
        if owner is None:
            elsewhere = same_name_elsewhere(self.lookup, crate_id, name, subject)
            if elsewhere and kind == "unknown_item":
                kind = "moved"
                message = (
                    f"`{subject}` is not public at that path in {label}; it is at `{elsewhere[0]}`"
                )
            suggestions += elsewhere
        nearby = close_names(name, pool)
        if owner is not None:
            suggestions += [f"{_shown_path(owner)}::{n}" for n in nearby]
        else:
            suggestions += [p for n in nearby for p in self.lookup.names(crate_id).get(n, [])[:1]]
        self._add(
            line,
            column,
            "error",
            kind,
            subject,
            message,
            _unique(suggestions),
            crate_id,
            since,
            evidence,
        )

    # -- methods ---------------------------------------------------------------------------

    def _check_method(self, call: MethodCall) -> None:
        owner = self.infer(call.receiver)
        if owner is None or owner.kind not in _VALUE_TYPES:
            return
        self.checked += 1
        resolved = self.resolver.member(owner, call.name)
        crate_id = owner.crate_id
        subject = f"{owner.name}::{call.name}"
        if resolved.status == "found":
            self._deprecated(resolved.definitions, subject, crate_id, call.line, call.column)
            self._arg_count(
                resolved.definitions,
                subject,
                call.arg_count,
                crate_id,
                call.line,
                call.column,
                True,
            )
            return
        if resolved.status != "missing":
            return
        shown = _shown_path(owner)
        message = f"no method `{call.name}` on `{shown}` in {_label(crate_id)}"
        kind: FindingKind = "unknown_method"
        suggestions: list[str] = []
        since = evidence = None
        replacement = self._replacement(f"{shown}::{call.name}", crate_id)
        if replacement is not None:
            kind = _replacement_kind(replacement.kind)
            since, evidence = replacement.since, replacement.evidence
            if replacement.suggestion:
                suggestions.append(replacement.suggestion)
            when = f" in {replacement.since}" if replacement.since else ""
            message = f"`{shown}::{call.name}` was {replacement.kind}{when}; {message}"
        pool = self.lookup.members(owner).by_name
        suggestions += [f".{n}()" for n in close_names(call.name, pool)]
        self._add(
            call.line,
            call.column,
            "error",
            kind,
            subject,
            message,
            _unique(suggestions),
            crate_id,
            since,
            evidence,
        )

    def infer(self, expr: Expr | None) -> Item | None:
        """The type of a receiver expression, when the index makes it certain."""
        if expr is None:
            return None
        if isinstance(expr, Var):
            return self.locals.get(expr.name)
        if isinstance(expr, PathCall):
            if len(expr.path) == 1 and expr.path[0] not in self.uses:
                return None
            target = self.expand(expr.path, 0, 0)
            if target is None:
                return None
            resolved = self.resolver.resolve(*target)
            if resolved.status != "found":
                return None
            return self._returned(resolved.definitions, resolved.owner, target[0])
        if isinstance(expr, MethodExpr):
            owner = self.infer(expr.receiver)
            if owner is None or owner.kind not in _VALUE_TYPES:
                return None
            member = self.resolver.member(owner, expr.name)
            if member.status != "found":
                return None
            return self._returned(member.definitions, owner, owner.crate_id)
        return None

    def _returned(self, items: list[Item], owner: Item | None, crate_id: str) -> Item | None:
        callables = [i for i in items if i.kind in _CALLABLE]
        names = {bare_type_name(return_type(i.raw.signature) or "") for i in callables}
        if len(names) != 1:
            return None
        name = names.pop()
        if name is None:
            return None
        if name == "Self":
            return owner
        found = self.lookup.type_named(crate_id, name)
        return found if found is not None and found.kind in _VALUE_TYPES else None

    def _binding_type(self, binding: Binding) -> Item | None:
        if binding.type_path is not None:
            if len(binding.type_path) == 1 and binding.type_path[0] not in self.uses:
                return None
            target = self.expand(binding.type_path, 0, 0)
            if target is None:
                return None
            resolved = self.resolver.resolve(*target)
            types = [i for i in resolved.definitions if i.kind in _VALUE_TYPES]
            return types[0] if resolved.status == "found" and types else None
        return self.infer(binding.value)

    # -- macros ----------------------------------------------------------------------------

    def _check_macro(self, use: MacroUse) -> None:
        path = use.path
        if len(path) == 1:
            name = path[0]
            if name in STD_MACROS or name in self.local_names:
                return
            if name in self.uses:
                return  # `use nom::named;`: the use line is where it is checked
            crates = [self.scope[c] for c in self.macro_use_crates if c in self.scope]
            if not crates:
                return
        else:
            target = self.expand(path[:1], use.line, use.column)
            if target is None or len(path) != 2:
                return
            crates, name = [target[0]], path[1]
        self.checked += 1
        if any(name in self.lookup.macros(c) for c in crates):
            return
        names = " or ".join(_label(c) for c in crates)
        suggestions: list[str] = []
        since = evidence = None
        kind: FindingKind = "unknown_macro"
        message = f"macro `{name}!` is not exported by {names}"
        replacement = self._replacement(f"{crates[0].partition('@')[0]}::{name}", crates[0])
        if replacement is not None:
            since, evidence = replacement.since, replacement.evidence
            if replacement.suggestion:
                suggestions.append(replacement.suggestion)
            when = f" in {replacement.since}" if replacement.since else ""
            message = f"macro `{name}!` was {replacement.kind}{when}; {message}"
        for crate_id in crates:
            suggestions += [f"{n}!" for n in close_names(name, self.lookup.macros(crate_id))]
            # nom 5+ turned its macros into functions of the same name
            suggestions += [p for p in self.lookup.names(crate_id).get(name, [])[:2]]
        self._add(
            use.line,
            use.column,
            "error",
            kind,
            f"{name}!",
            message,
            _unique(suggestions),
            crates[0],
            since,
            evidence,
        )

    def _replacement(self, path: str, crate_id: str) -> Replacement | None:
        """The version diff's answer, once per session: diffs are the costly part."""
        key = (path, crate_id)
        if key not in self.lookup.replacements:
            self.lookup.replacements[key] = diff_replacement(self.workspace, path, crate_id)
        return self.lookup.replacements[key]

    # -- shared checks ---------------------------------------------------------------------

    def _deprecated(
        self, items: list[Item], written: str, crate_id: str, line: int, column: int
    ) -> None:
        for item in items:
            found = deprecation_of(item)
            if found is not None:
                message = describe(written, _label(crate_id), found)
                self._add(
                    line,
                    column,
                    "warning",
                    "deprecated",
                    written,
                    message,
                    [],
                    crate_id,
                    found.since,
                    item.path,
                )
                return

    def _arg_count(
        self,
        items: list[Item],
        written: str,
        given: int,
        crate_id: str,
        line: int,
        column: int,
        method_syntax: bool,
    ) -> None:
        expected: set[int] = set()
        signature = ""
        for item in items:
            if item.kind not in _CALLABLE:
                continue
            counts = param_counts(item.raw.signature)
            if counts is None:
                return
            params, takes_self = counts
            if method_syntax and not takes_self:
                continue  # an associated fn cannot be called with `.name()`
            expected.add(params if method_syntax or not takes_self else params + 1)
            signature = item.raw.signature
        if len(expected) != 1:
            return  # nothing callable, or candidates disagree: no certain answer
        want = expected.pop()
        if want != given:
            plural = "" if want == 1 else "s"
            message = (
                f"`{written}` takes {want} argument{plural} in {_label(crate_id)}, {given} given"
            )
            self._add(
                line,
                column,
                "error",
                "arg_count",
                written,
                message,
                [signature],
                crate_id,
                None,
                signature,
            )

    def _add(
        self,
        line: int,
        column: int,
        severity: Severity,
        kind: FindingKind,
        subject: str,
        message: str,
        suggestions: list[str] | None = None,
        crate: str | None = None,
        since: str | None = None,
        evidence: str | None = None,
    ) -> None:
        key = (line, kind, subject)
        if key in self._seen:
            return
        self._seen.add(key)
        self.findings.append(
            Finding(
                line,
                column,
                severity,
                kind,
                subject,
                message,
                suggestions or [],
                crate,
                since,
                evidence,
            )
        )


def _label(crate_id: str) -> str:
    name, _, version = crate_id.partition("@")
    return f"{name} {version}"


def _shown_path(item: Item) -> str:
    """The shortest public path: what a user writes (`clap::Arg`, not the canonical)."""
    paths = item.paths or [item.path]
    return min(paths, key=lambda p: (p.count("::"), len(p)))


def _replacement_kind(kind: str) -> FindingKind:
    return kind if kind in ("removed", "renamed", "moved") else "removed"  # type: ignore[return-value]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))[:5]
