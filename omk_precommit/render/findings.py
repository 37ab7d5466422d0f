"""Findings as text, the one place that says how: ``path: severity: message`` lines, and the doctor
report (grouped by check, each fix under its finding, a summary line). ``Finding.to_json`` is the
JSON form of the same record."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from omk_precommit.engine.findings import Finding, Severity
from omk_precommit.render.quote import one_line, quote_path

_COLOURS = {Severity.OK: 'green', Severity.WARNING: 'yellow', Severity.ERROR: 'red'}
Paint = Callable[[str, str], str]
_TITLES = {
    'project': 'project', 'agents': 'agents (.kimi/agents)', 'hooks': 'hooks', 'skills': 'skills (.kimi/skills)',
    'manifest': 'manifest', 'kimi config': 'Kimi config (hooks enabled?)', 'kimi': 'kimi command',
}


def render(
    results: list[Finding],
    paint: Paint = lambda text, _: text,
    *,
    show_ok: bool = True,
) -> list[str]:
    """The report's lines: a heading per check, one line per result (plus its fix), then a summary.

    Without ``show_ok`` only warnings and errors are listed (the summary still counts the rest),
    so a failing commit hook shows the problems and not the whole checklist.
    """
    lines: list[str] = []
    groups: dict[str, list[Finding]] = {}
    for result in results:
        if show_ok or result.severity is not Severity.OK:
            groups.setdefault(result.check, []).append(result)
    for check, members in groups.items():
        lines.append(paint(f'[{_title(check, members)}]', 'bold'))
        for r in members:
            lines.append(finding_line(r, paint))
            if r.fix and r.severity is not Severity.OK:
                lines.append(f'  fix: {one_line(r.fix)}')
    counts = {s: sum(r.severity is s for r in results) for s in Severity}
    lines.append(f'doctor: {_plural(counts[Severity.ERROR], "error")}, {_plural(counts[Severity.WARNING], "warning")}, '
                 f'{counts[Severity.OK]} ok')
    return lines


def finding_line(finding: Finding, paint: Paint = lambda text, _: text, *, path: str | None = None) -> str:
    """``path: severity: message`` (``severity: message`` without a path), the severity coloured;
    ``path`` replaces the finding's own (hooks enable names the config it edited)."""
    where = finding.path if path is None else path
    prefix = f'{quote_path(where)}: ' if where else ''
    return f'{prefix}{paint(finding.severity.value, _COLOURS[finding.severity])}: {one_line(finding.message)}'


def _title(check: str, members: list[Finding]) -> str:
    """The heading of a check; agents and skills name the directory their results are about."""
    paths = [PurePosixPath(r.path).parts for r in members if r.path]
    if check in ('agents', 'skills') and paths and len(paths[0]) > 2:
        return f'{check} ({quote_path("/".join(paths[0][:2]))})'
    return _TITLES.get(check, check)


def _plural(n: int, word: str) -> str:
    return f'{n} {word}' if n == 1 else f'{n} {word}s'
