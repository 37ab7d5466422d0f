"""The human-readable doctor report: results grouped by check, ``path: severity: message`` lines."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from omk_precommit.engine.findings import DiagResult, Severity
from omk_precommit.render.quote import one_line, quote_path

_COLOURS = {Severity.OK: 'green', Severity.WARNING: 'yellow', Severity.ERROR: 'red'}
_TITLES = {
    'project': 'project', 'agents': 'agents (.kimi/agents)', 'hooks': 'hooks', 'skills': 'skills (.kimi/skills)',
    'manifest': 'manifest', 'kimi config': 'Kimi config (hooks enabled?)', 'kimi': 'kimi command',
}


def render(
    results: list[DiagResult],
    paint: Callable[[str, str], str] = lambda text, _: text,
    *,
    show_ok: bool = True,
) -> list[str]:
    """The report's lines: a heading per check, one line per result (plus its fix), then a summary.

    Without ``show_ok`` only warnings and errors are listed (the summary still counts the rest),
    so a failing commit hook shows the problems and not the whole checklist.
    """
    lines: list[str] = []
    groups: dict[str, list[DiagResult]] = {}
    for result in results:
        if show_ok or result.severity is not Severity.OK:
            groups.setdefault(result.check, []).append(result)
    for check, members in groups.items():
        lines.append(paint(f'[{_title(check, members)}]', 'bold'))
        for r in members:
            prefix = f'{quote_path(r.path)}: ' if r.path else ''
            lines.append(f'{prefix}{paint(r.severity.value, _COLOURS[r.severity])}: {one_line(r.message)}')
            if r.fix and r.severity is not Severity.OK:
                lines.append(f'  fix: {one_line(r.fix)}')
    counts = {s: sum(r.severity is s for r in results) for s in Severity}
    lines.append(f'doctor: {_plural(counts[Severity.ERROR], "error")}, {_plural(counts[Severity.WARNING], "warning")}, '
                 f'{counts[Severity.OK]} ok')
    return lines


def _title(check: str, members: list[DiagResult]) -> str:
    """The heading of a check; agents and skills name the directory their results are about."""
    paths = [PurePosixPath(r.path).parts for r in members if r.path]
    if check in ('agents', 'skills') and paths and len(paths[0]) > 2:
        return f'{check} ({quote_path("/".join(paths[0][:2]))})'
    return _TITLES.get(check, check)


def _plural(n: int, word: str) -> str:
    return f'{n} {word}' if n == 1 else f'{n} {word}s'
