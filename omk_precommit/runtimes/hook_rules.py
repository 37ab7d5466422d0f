"""Is a ``[[hooks]]`` table valid for a runtime, and how bad is each problem: the one place that says.

Everyone who judges hook tables asks here: the doctor (``doctor/hooks.py`` for Kimi CLI files,
``kimi_code_rules`` for Kimi Code's) adds a fix naming the table and checks of the scripts the
commands run; ``config_check`` adds the checks of a whole config file. The runtimes' facts
(events, strictness, regex engine) come from the runtime object (``runtimes.base.Runtime``).

What each runtime does with a table. Kimi CLI 1.52 loads it into pydantic's ``HookDef`` (lax
mode, unknown keys ignored) and refuses to start on a bad one; Kimi Code 2.1 validates it with a
strict zod schema and drops every hook of the file when one table is bad:

| key | Kimi CLI | Kimi Code |
|---|---|---|
| the table | a table | a table |
| other keys | ignored: TOLERATED | REFUSED |
| ``event`` | one of its 13 events, case-sensitive | one of its 20 |
| ``command`` | a string; ``""`` or blank runs nothing: TOLERATED | a non-empty string; blank: TOLERATED |
| ``matcher`` | a string | a string |
| ``timeout`` | a whole number 1-600; ``"30"``, ``30.0``, ``true`` coerced: TOLERATED | an integer 1-600 |

Whatever else breaks those rules is REFUSED. UNSOUND is what loads but cannot work as written:
a matcher that is not a valid regular expression (the runtime never fires the hook), a matcher
on an event matched against the empty string that does not match it (never fires either), and
for Kimi Code a matcher JavaScript reads differently from Python (``(?i)``, ``(?P<n>…)``,
``\\A``, possessive quantifiers) or a TOML float timeout (it loads only because JavaScript has
one number type).

How bad: REFUSED is always an error and TOLERATED a warning. UNSOUND is an error for the doctor
(``HookProblem.severity``), which judges the files a project commits: a hook that never fires is
a safety gate that is silently not there (pinned by ``tests/doctor_corpus_test.py`` against
kimi-cli, by ``tests/kimi_code_rules_test.py`` against Kimi Code). ``config_check`` reports it
as a warning, because its errors mean "the runtime refuses this file"
(``tests/kimi_cli_config_judge_test.py``).
"""
from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from omk_precommit.runtimes.registry import HOOK_KEYS, Runtime, get_runtime

ERROR, WARNING = 'error', 'warning'
TIMEOUT_RANGE = (1, 600)
HOOKS_NOT_AN_ARRAY = 'hooks must be an array of tables: write each hook as [[hooks]], not [hooks]'


class Effect(enum.Enum):
    """What the runtime does with a problem (the module docstring says which problem is which)."""

    REFUSED = 'refused'      # the runtime refuses the table
    UNSOUND = 'unsound'      # it loads, but the hook cannot work as written
    TOLERATED = 'tolerated'  # it loads and runs; a key is ignored, a value coerced, or the command does nothing


@dataclass(frozen=True)
class HookProblem:
    """One problem of one table: ``hooks[i]: what is wrong``, its effect, and the edit that fixes it."""

    message: str
    effect: Effect
    fix: str | None = None

    @property
    def refused(self) -> bool:
        return self.effect is Effect.REFUSED

    @property
    def severity(self) -> str:
        """The doctor's severity: an error unless the runtime merely tolerates the problem."""
        return WARNING if self.effect is Effect.TOLERATED else ERROR


@dataclass(frozen=True)
class Problem:
    """One finding about a file: ``path: message``, an error or a warning, and how to fix it."""

    path: str
    message: str
    severity: str = ERROR
    fix: str | None = None

    def __str__(self) -> str:
        return f'{self.path}: {self.message}'


def check_hook_table(table: object, index: int, target: Runtime | str) -> list[HookProblem]:
    """Every problem of the ``[[hooks]]`` table number ``index`` (from 0) for the runtime ``target``."""
    runtime = get_runtime(target)
    where = f'hooks[{index}]'
    if not isinstance(table, dict):
        return [HookProblem(f'{where} must be a table with event and command', Effect.REFUSED)]
    found = [_event_problem(table, where, runtime), _command_problem(table, where, runtime),
             _matcher_problem(table, where, runtime), _timeout_problem(table, where, runtime)]
    found += [_key_problem(key, where, runtime) for key in table if key not in HOOK_KEYS]
    return [problem for problem in found if problem is not None]


def _event_problem(table: dict[str, Any], where: str, runtime: Runtime) -> HookProblem | None:
    if 'event' not in table:
        return HookProblem(f'{where} has no event', Effect.REFUSED, 'add event = "PreToolUse" (or another event)')
    event = table['event']
    if event in runtime.hook_events:
        return None
    return HookProblem(f'{where}: event {event!r} is not a {runtime.product} hook event (events are case-sensitive)',
                       Effect.REFUSED, f'use {closest_event(event, runtime.hook_events)}')


def closest_event(event: object, events: tuple[str, ...]) -> str:
    """The event ``event`` was probably meant to be: the same but for case, or the most alike."""
    by_lower = {e.lower(): e for e in events}
    if isinstance(event, str) and event.lower() in by_lower:
        return by_lower[event.lower()]
    close = difflib.get_close_matches(str(event), events, n=1, cutoff=0.4)
    return close[0] if close else 'one of ' + ', '.join(events)


def _command_problem(table: dict[str, Any], where: str, runtime: Runtime) -> HookProblem | None:
    if 'command' not in table:
        return HookProblem(f'{where} has no command', Effect.REFUSED, f'add command = "{runtime.hooks_dir}/<script>"')
    command = table['command']
    if not isinstance(command, str):
        return HookProblem(f'{where}: command must be a string, not {type(command).__name__}', Effect.REFUSED)
    if command.strip():
        return None
    if not command and runtime.strict_hooks:
        return HookProblem(f'{where}: the command is empty; {runtime.product} requires one', Effect.REFUSED,
                           'write the command to run')
    note = '' if runtime.strict_hooks or command else ' (Kimi Code rejects it)'
    return HookProblem(f'{where}: the command is {"blank" if command else "empty"}, so the hook does nothing{note}',
                       Effect.TOLERATED, 'write the command to run, or remove the hook')


def _matcher_problem(table: dict[str, Any], where: str, runtime: Runtime) -> HookProblem | None:
    if 'matcher' not in table:
        return None
    matcher = table['matcher']
    if not isinstance(matcher, str):
        return HookProblem(f'{where}: matcher must be a string (a regular expression), not {type(matcher).__name__}',
                           Effect.REFUSED)
    try:
        pattern = re.compile(matcher)
    except re.error as e:
        return HookProblem(f'{where}: matcher {matcher!r} is not a valid regular expression ({e}), '
                           'so the hook never runs', Effect.UNSOUND, 'fix the regex')
    why = regex_portability_problem(matcher) if runtime.matcher_engine == 'javascript' else None
    if why is not None:
        return HookProblem(f'{where}: matcher {matcher!r} {why}, so the hook may not fire as written', Effect.UNSOUND)
    event = table.get('event')
    if event in runtime.empty_matched_events and not pattern.search(''):
        return HookProblem(f'{where}: {event} hooks are matched against an empty value, '
                           f'so matcher {matcher!r} never fires', Effect.UNSOUND, 'remove the matcher')
    return None


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


def _timeout_problem(table: dict[str, Any], where: str, runtime: Runtime) -> HookProblem | None:
    if 'timeout' not in table:
        return None
    value = table['timeout']
    exact = isinstance(value, int) and not isinstance(value, bool)
    if exact or not runtime.strict_hooks:
        seconds = lax_int(value)
    else:  # Kimi Code: a float that is a whole number loads, anything else is refused
        seconds = int(value) if isinstance(value, float) and value.is_integer() else None
    if seconds is None:
        wanted = 'an integer' if runtime.strict_hooks else 'a whole number of seconds'
        return HookProblem(f'{where}: timeout {value!r} is not {wanted}', Effect.REFUSED, 'write timeout = 30')
    low, high = TIMEOUT_RANGE
    if not low <= seconds <= high:
        return HookProblem(f'{where}: timeout {seconds} is outside {low}-{high} seconds', Effect.REFUSED,
                           f'write timeout = {min(max(seconds, low), high)}')
    if exact:
        return None
    if runtime.strict_hooks:
        return HookProblem(f'{where}: timeout {value!r} is a float; {runtime.product} reads it as {seconds} only '
                           'because JavaScript has one number type', Effect.UNSOUND, f'write timeout = {seconds}')
    return HookProblem(f'{where}: timeout {value!r} is not an integer; {runtime.product} reads it as {seconds} '
                       'only by coercion', Effect.TOLERATED, f'write timeout = {seconds}')


def lax_int(value: object) -> int | None:
    """The integer pydantic's lax mode (Kimi CLI's ``HookDef`` and ``Config``) reads from ``value``, or None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        match = re.fullmatch(r'\s*([+-]?\d+(?:_\d+)*)(?:\.0*)?\s*', value)
        return int(match.group(1)) if match else None
    return None


def _key_problem(key: str, where: str, runtime: Runtime) -> HookProblem:
    if runtime.strict_hooks:
        return HookProblem(f'{where}: unknown key {key!r}: {runtime.product} rejects it, and with it every hook '
                           f'of the file (it accepts only {", ".join(HOOK_KEYS)})', Effect.REFUSED, f'remove {key}')
    return HookProblem(f'{where}: unknown key {key!r} is ignored by {runtime.product} (Kimi Code rejects it)',
                       Effect.TOLERATED, f'remove {key}')


def load_hook_tables(rel: str, text: str) -> tuple[list[Any], list[Problem]]:
    """The raw ``hooks`` entries of the TOML document ``text``, or the problem that prevents reading them."""
    try:
        doc = tomlkit.parse(text)
    except (TOMLKitError, ValueError) as e:
        return [], [Problem(rel, f'invalid TOML ({e})', fix=f'fix the syntax of {rel}')]
    hooks = doc.get('hooks')
    if hooks is None:
        return [], []
    if not isinstance(hooks, list):
        return [], [Problem(rel, HOOKS_NOT_AN_ARRAY, fix=f'edit {rel}')]
    return [item.unwrap() if hasattr(item, 'unwrap') else item for item in hooks], []


def check_hooks_toml(rel: str, text: str, target: Runtime | str) -> list[Problem]:
    """Every problem of the ``[[hooks]]`` tables in the TOML document ``text``, with the doctor's severities."""
    tables, problems = load_hook_tables(rel, text)
    for index, table in enumerate(tables):
        problems += [Problem(rel, p.message, p.severity, p.fix) for p in check_hook_table(table, index, target)]
    return problems
