"""Findings as data: one record for every check (doctor, config validation, hooks enable/disable).

A :class:`Finding` is a severity, the file it is about, what is wrong and the fix. Whatever else
a consumer needs to tell findings apart travels as a field, never as text to be parsed back:
``check`` (the doctor group), ``rule`` (what kind of problem, for de-duplication), ``key`` (the
problem independent of where in the file it sits) and ``effect`` (what the runtime does with a
``[[hooks]]`` problem). Rendering is ``render/findings.py``'s job.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(str, enum.Enum):
    """How bad a finding is: ``ok`` passes, ``warning`` passes unless strict, ``error`` fails."""

    OK = 'ok'
    WARNING = 'warning'
    ERROR = 'error'


class Effect(enum.Enum):
    """What a runtime does with a problem of a ``[[hooks]]`` table (``runtimes/hook_rules.py`` says which is which)."""

    REFUSED = 'refused'      # the runtime refuses the table
    UNSOUND = 'unsound'      # it loads, but the hook cannot work as written
    TOLERATED = 'tolerated'  # it loads and runs; a key is ignored, a value coerced, or the command does nothing


# ``rule`` values the config checks set, so a consumer can tell what a finding is about without reading its text.
RULE_TOML = 'toml'          # the file is not valid TOML
RULE_HOOKS = 'hooks'        # a ``[[hooks]]`` table, or ``hooks`` that is not an array of tables
RULE_CONFIG = 'config'      # another key of a config file


@dataclass(frozen=True)
class Finding:
    """One finding: ``path: severity: message``, and the ``fix`` that repairs it.

    ``path`` is the project-relative (or, for a user config, absolute) file the finding is about, ``''``
    for project- or machine-wide ones; ``check`` the doctor group it belongs to (``project``,
    ``agents``, ``hooks``, ``skills``, ``manifest``, ``kimi config`` or ``kimi``).
    """

    severity: Severity
    path: str
    message: str
    fix: str = ''
    check: str = ''
    rule: str = ''
    key: str = ''
    effect: Effect | None = None

    @property
    def identity(self) -> tuple[Severity, str, str]:
        """The same problem before and after an edit that renumbers ``[[hooks]]`` tables."""
        return self.severity, self.rule, self.key or self.message

    def to_json(self) -> dict[str, Any]:
        """The doctor's ``--json`` record; no path or no fix is ``null``."""
        return {
            'severity': self.severity.value,
            'check': self.check,
            'path': self.path or None,
            'message': self.message,
            'fix': self.fix or None,
        }


DiagResult = Finding  # the public name of 0.1 (``omk_precommit.DiagResult``)


class Findings:
    """Collects the findings of one check group, so each call site states only what differs."""

    def __init__(self, check: str) -> None:
        self.check = check
        self.results: list[Finding] = []

    def ok(self, path: str | None, message: str) -> None:
        self.results.append(Finding(Severity.OK, path or '', message, check=self.check))

    def warning(self, path: str | None, message: str, fix: str | None = None) -> None:
        self.results.append(Finding(Severity.WARNING, path or '', message, fix or '', self.check))

    def error(self, path: str | None, message: str, fix: str | None = None) -> None:
        self.results.append(Finding(Severity.ERROR, path or '', message, fix or '', self.check))

    def add(self, severity: Severity, path: str | None, message: str, fix: str | None = None) -> None:
        """A warning or an error, as ``severity`` says."""
        self.results.append(Finding(severity, path or '', message, fix or '', self.check))

    def has_problems(self, path: str | None) -> bool:
        """True when a warning or error was recorded for ``path``."""
        return any(r.path == (path or '') and r.severity is not Severity.OK for r in self.results)
