"""Diagnostics as data: a severity, a message naming the file, and the fix to apply."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(str, enum.Enum):
    """How bad a finding is: ``ok`` passes, ``warning`` passes unless strict, ``error`` fails."""

    OK = 'ok'
    WARNING = 'warning'
    ERROR = 'error'


@dataclass(frozen=True)
class DiagResult:
    """One finding of ``omk-kimi doctor``.

    ``path`` is the project-relative file the finding is about (None for project-wide ones),
    ``fix`` what to run or change to repair it, and ``check`` the group it belongs to
    (``project``, ``agents``, ``hooks``, ``skills``, ``manifest`` or ``kimi``).
    """

    severity: Severity
    message: str
    path: str | None = None
    fix: str | None = None
    check: str = ''

    def to_json(self) -> dict[str, Any]:
        return {
            'severity': self.severity.value,
            'check': self.check,
            'path': self.path,
            'message': self.message,
            'fix': self.fix,
        }


class Findings:
    """Collects the results of one check group, so each call site states only what differs."""

    def __init__(self, check: str) -> None:
        self.check = check
        self.results: list[DiagResult] = []

    def ok(self, path: str | None, message: str) -> None:
        self.results.append(DiagResult(Severity.OK, message, path, None, self.check))

    def warning(self, path: str | None, message: str, fix: str | None = None) -> None:
        self.results.append(DiagResult(Severity.WARNING, message, path, fix, self.check))

    def error(self, path: str | None, message: str, fix: str | None = None) -> None:
        self.results.append(DiagResult(Severity.ERROR, message, path, fix, self.check))

    def add(self, severity: str, path: str | None, message: str, fix: str | None = None) -> None:
        """A warning or an error, as ``severity`` (``'warning'`` or ``'error'``) says."""
        self.results.append(DiagResult(Severity(severity), message, path, fix, self.check))

    def has_problems(self, path: str | None) -> bool:
        """True when a warning or error was recorded for ``path``."""
        return any(r.path == path and r.severity is not Severity.OK for r in self.results)
