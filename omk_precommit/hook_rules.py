"""Validation of ``[[hooks]]`` tables by the rules of a target (Kimi CLI or Kimi Code).

Mirrors what each runtime does when it loads a config: Kimi Code 2.1.0 validates every
table strictly (exactly ``event``/``matcher``/``command``/``timeout``, one of its 20 events,
``timeout`` an integer 1–600, ``command`` non-empty) and drops *every* hook when one table is
invalid; the Kimi CLI ignores unknown keys. Matchers are JavaScript (Kimi Code) or Python
(Kimi CLI) regular expressions tested with an unanchored search; an invalid one never
matches, silently, so it is an error here. Where Python and JavaScript regex syntax differ
we are conservative and reject what either engine would read differently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from omk_precommit.targets import HOOK_KEYS, get_target

ERROR, WARNING = 'error', 'warning'
MAX_TIMEOUT = 600
# Events whose matcher is tested against the empty string (nothing to match on).
_EMPTY_MATCH_VALUE_EVENTS = ('Stop', 'Interrupt', 'SessionHeartbeat')


@dataclass(frozen=True)
class Problem:
    """One finding about a file: ``path: message``, an error or a warning."""

    path: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f'{self.path}: {self.message}'


def regex_portability_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a regex both Python and JavaScript read the same way, or None."""
    try:
        re.compile(pattern)
    except re.error as e:
        return f'is not a valid regular expression ({e})'
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == '\\':
            if i + 1 < n and pattern[i + 1] in 'AZz':
                return f'uses \\{pattern[i + 1]}, which JavaScript does not support; use ^ or $'
            i += 2
            continue
        if c == '[':  # skip a character class: nothing below applies inside one
            i += 2 if pattern.startswith('[]', i) or pattern.startswith('[^]', i) else 1
            while i < n and pattern[i] != ']':
                i += 2 if pattern[i] == '\\' else 1
        elif pattern.startswith('(?', i) and i + 2 < n and (pattern[i + 2] in 'P#>' or pattern[i + 2].isalpha()):
            return f'uses the group syntax {pattern[i:i + 3]!r}, which JavaScript reads differently or rejects'
        elif c in '*+?}' and pattern.startswith('+', i + 1):
            return 'uses a possessive quantifier, which JavaScript rejects'
        i += 1
    return None


def load_hook_tables(rel: str, text: str) -> tuple[list[Any], list[Problem]]:
    """The raw ``hooks`` entries of a TOML document, or the problem that prevents reading them."""
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as e:
        return [], [Problem(rel, f'invalid TOML ({e}); fix the syntax, or the whole file is ignored')]
    hooks = doc.get('hooks')
    if hooks is None:
        return [], []
    if not isinstance(hooks, list):
        return [], [Problem(rel, 'hooks must be an array of tables, written [[hooks]], not [hooks]')]
    return [item.unwrap() if hasattr(item, 'unwrap') else item for item in hooks], []


def check_hook_table(rel: str, index: int, table: object, target: str) -> list[Problem]:
    """Problems of the ``[[hooks]]`` entry number ``index`` (from 0) of the file ``rel``."""
    info = get_target(target)
    where = f'hooks[{index}]'
    if not isinstance(table, dict):
        return [Problem(rel, f'{where}: must be a table with event and command')]
    problems = []
    for key in table:
        if key not in HOOK_KEYS:
            if info.strict_hook_keys:
                problems.append(Problem(rel, f'{where}: unknown key {key!r}: {info.product} accepts only '
                                             f'{", ".join(HOOK_KEYS)} and ignores every hook when one table has '
                                             'another key'))
            else:
                problems.append(Problem(rel, f'{where}: unknown key {key!r} is ignored by {info.product}', WARNING))
    event = table.get('event')
    if event not in info.hook_events:
        problems.append(Problem(rel, f'{where}: event {event!r} is not a {info.product} hook event; '
                                     f'use one of {", ".join(info.hook_events)} (case-sensitive)'))
    command = table.get('command')
    if not isinstance(command, str) or not command:
        problems.append(Problem(rel, f'{where}: command must be a non-empty string (the shell command to run)'))
    elif not command.strip():
        problems.append(Problem(rel, f'{where}: command is blank, so the hook does nothing', WARNING))
    if 'timeout' in table:
        timeout = table['timeout']
        if isinstance(timeout, bool) or not isinstance(timeout, int):
            problems.append(Problem(rel, f'{where}: timeout must be an integer number of seconds, got {timeout!r}'))
        elif not 1 <= timeout <= MAX_TIMEOUT:
            problems.append(Problem(rel, f'{where}: timeout {timeout} is out of range; use 1 to {MAX_TIMEOUT} seconds'))
    matcher = table.get('matcher')
    if matcher is not None:
        if not isinstance(matcher, str):
            problems.append(Problem(rel, f'{where}: matcher must be a string (a regular expression), got {matcher!r}'))
        elif (why := regex_portability_problem(matcher)) is not None:
            problems.append(Problem(rel, f'{where}: matcher {matcher!r} {why}; an invalid matcher never fires'))
        elif event in _EMPTY_MATCH_VALUE_EVENTS and re.search(matcher, '') is None:
            problems.append(Problem(rel, f'{where}: {event} hooks are matched against an empty value, so '
                                         f'matcher {matcher!r} never fires; remove it', WARNING))
    return problems


def check_hooks_toml(rel: str, text: str, target: str) -> list[Problem]:
    """Every problem of the ``[[hooks]]`` tables in the TOML document ``text``."""
    tables, problems = load_hook_tables(rel, text)
    for index, table in enumerate(tables):
        problems.extend(check_hook_table(rel, index, table, target))
    return problems
