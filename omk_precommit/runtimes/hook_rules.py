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
| ``command`` | a string; ``""`` or blank runs nothing: UNSOUND | a non-empty string; blank: UNSOUND |
| ``matcher`` | a string | a string |
| ``timeout`` | a whole number 1-600; ``"30"``, ``30.0``, ``true`` coerced: TOLERATED | an integer 1-600 |

Whatever else breaks those rules is REFUSED. UNSOUND is what loads but cannot work as written:
a matcher that is not a valid regular expression (the runtime never fires the hook), a matcher
on an event matched against the empty string that does not match it (never fires either), a
blank command (it runs nothing and exit 0 reads as "allow"), a ``PreToolUse`` matcher of the
safety gate that misses one of ``Runtime.write_tools`` or of another hook that reaches none of
``Runtime.tool_names`` (``runtimes.matchers`` evaluates it as the runtime does; the latter, and a
matcher that cannot be judged statically, only a warning), and
for Kimi Code a matcher JavaScript reads differently from Python (``(?i)``, ``(?P<n>…)``,
``\\A``, possessive quantifiers) or a TOML float timeout (it loads only because JavaScript has
one number type).

How bad: REFUSED is always an error and TOLERATED a warning. UNSOUND is an error for the doctor
(``Finding.severity`` of ``check_hook_table``), which judges the files a project commits: a hook that never fires is
a safety gate that is silently not there (pinned by ``tests/doctor_corpus_test.py`` against
kimi-cli, by ``tests/kimi_code_rules_test.py`` against Kimi Code). ``config_check`` reports it
as a warning, because its errors mean "the runtime refuses this file"
(``tests/kimi_cli_config_judge_test.py``).
"""
from __future__ import annotations

import difflib
import re
from typing import Any, NamedTuple

import tomlkit
from tomlkit.exceptions import TOMLKitError

from omk_precommit.engine.findings import RULE_HOOKS, RULE_TOML, Effect, Finding, Severity
from omk_precommit.runtimes.hook_commands import runs_safety_gate
from omk_precommit.runtimes.matchers import could_match_other_tools, reached_tools
from omk_precommit.runtimes.registry import HOOK_KEYS, RUNTIMES, Runtime, get_runtime

ERROR, WARNING = Severity.ERROR, Severity.WARNING
TIMEOUT_RANGE = (1, 600)
HOOKS_NOT_AN_ARRAY = 'hooks must be an array of tables: write each hook as [[hooks]], not [hooks]'


class _Issue(NamedTuple):
    """A problem of one table, its text after the table's name (``hooks[i]``), so the name is a field."""

    text: str
    effect: Effect
    fix: str = ''
    doubtful: bool = False  # a hook that may never fire, which the doctor cannot tell for sure: a warning


def _doctor_severity(issue: _Issue) -> Severity:
    """An error unless the runtime merely tolerates the problem or it may be harmless."""
    return WARNING if issue.effect is Effect.TOLERATED or issue.doubtful else ERROR


def check_hook_table(table: object, index: int, target: Runtime | str, path: str = '') -> list[Finding]:
    """Every problem of the ``[[hooks]]`` table number ``index`` (from 0) of ``path`` for the runtime
    ``target``, with the doctor's severity and the runtime's ``effect``; ``key`` names the problem
    without the table's number, which an edit above it changes."""
    runtime = get_runtime(target)
    if not isinstance(table, dict):
        found: list[_Issue | None] = [_Issue(' must be a table with event and command', Effect.REFUSED)]
    else:
        found = [_event_problem(table, runtime), _command_problem(table, runtime),
                 _matcher_problem(table, runtime), _timeout_problem(table, runtime)]
        if not any(found[1:3]):
            found.append(_dead_gate_problem(table, runtime))
        found += [_key_problem(key, runtime) for key in table if key not in HOOK_KEYS]
    return [Finding(_doctor_severity(issue), path, f'hooks[{index}]{issue.text}', issue.fix,
                    rule=RULE_HOOKS, key=f'hooks[]{issue.text}', effect=issue.effect)
            for issue in found if issue is not None]


def _event_problem(table: dict[str, Any], runtime: Runtime) -> _Issue | None:
    if 'event' not in table:
        return _Issue(' has no event', Effect.REFUSED, 'add event = "PreToolUse" (or another event)')
    event = table['event']
    if event in runtime.hook_events:
        return None
    return _Issue(f': event {event!r} is not a {runtime.product} hook event (events are case-sensitive)',
                       Effect.REFUSED, f'use {closest_event(event, runtime.hook_events)}')


def closest_event(event: object, events: tuple[str, ...]) -> str:
    """The event ``event`` was probably meant to be: the same but for case, or the most alike."""
    by_lower = {e.lower(): e for e in events}
    if isinstance(event, str) and event.lower() in by_lower:
        return by_lower[event.lower()]
    close = difflib.get_close_matches(str(event), events, n=1, cutoff=0.4)
    return close[0] if close else 'one of ' + ', '.join(events)


def _command_problem(table: dict[str, Any], runtime: Runtime) -> _Issue | None:
    if 'command' not in table:
        return _Issue(' has no command', Effect.REFUSED, f'add command = "{runtime.hooks_dir}/<script>"')
    command = table['command']
    if not isinstance(command, str):
        return _Issue(f': command must be a string, not {type(command).__name__}', Effect.REFUSED)
    if command.strip():
        return None
    if not command and runtime.strict_hooks:
        return _Issue(f': the command is empty; {runtime.product} requires one', Effect.REFUSED,
                           'write the command to run')
    # The shell runs a blank command and exits 0, which both runtimes read as "allow": stricter
    # than the runtime on purpose, because a gate that does nothing must not pass as a gate.
    note = '' if runtime.strict_hooks or command else ' (Kimi Code rejects it)'
    return _Issue(f': the command is {"blank" if command else "empty"}, so the hook runs nothing and '
                  f'allows everything{note}', Effect.UNSOUND, 'write the command to run, or remove the hook')


def _matcher_problem(table: dict[str, Any], runtime: Runtime) -> _Issue | None:
    if 'matcher' not in table:
        return None
    matcher = table['matcher']
    if not isinstance(matcher, str):
        return _Issue(f': matcher must be a string (a regular expression), not {type(matcher).__name__}',
                           Effect.REFUSED)
    reach = reached_tools(matcher, runtime)
    if reach.tools is None:
        return _Issue(f': matcher {matcher!r} {reach.why}; it may never fire', Effect.UNSOUND,
                      'write it in syntax Python and JavaScript share', doubtful=True)
    try:
        pattern = re.compile(matcher)
    except re.error as e:
        return _Issue(f': matcher {matcher!r} is not a valid regular expression ({e}), '
                           'so the hook never runs', Effect.UNSOUND, 'fix the regex')
    why = regex_portability_problem(matcher) if runtime.matcher_engine == 'javascript' else None
    if why is not None:
        return _Issue(f': matcher {matcher!r} {why}, so the hook may not fire as written', Effect.UNSOUND)
    event = table.get('event')
    if event in runtime.empty_matched_events and not pattern.search(''):
        return _Issue(f': {event} hooks are matched against an empty value, '
                           f'so matcher {matcher!r} never fires', Effect.UNSOUND, 'remove the matcher')
    return None


def _dead_gate_problem(table: dict[str, Any], runtime: Runtime) -> _Issue | None:
    """A PreToolUse matcher that misses tool names: the safety gate must see every write tool
    (an error), any other hook should match at least one tool (a warning)."""
    matcher = table.get('matcher', '')
    command = table.get('command')
    if table.get('event') != 'PreToolUse' or not isinstance(matcher, str) or not isinstance(command, str):
        return None
    reached = reached_tools(matcher, runtime).tools
    if reached is None:
        return None
    missed = [tool for tool in runtime.write_tools if tool not in reached]
    if missed and runs_safety_gate(command):
        others = [tool for other in RUNTIMES.values() if other is not runtime for tool in other.write_tools
                  if re.search(matcher, tool)]
        hint = f' ({", ".join(others)} are another CLI\'s tool names)' if others else ''
        return _Issue(f': matcher {matcher!r} does not match {", ".join(missed)}, the tool names '
                      f'{runtime.product} sends for file writes{hint}, so the safety gate never sees them '
                      'and lets those writes through', Effect.UNSOUND, f'write matcher = "{runtime.gate_matcher}"')
    if not reached and not could_match_other_tools(matcher):
        return _Issue(f': matcher {matcher!r} matches none of the {runtime.product} tool names '
                      f'({", ".join(runtime.tool_names)}), so the hook never fires', Effect.UNSOUND,
                      'fix the matcher, or remove the hook', doubtful=True)
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


def _timeout_problem(table: dict[str, Any], runtime: Runtime) -> _Issue | None:
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
        return _Issue(f': timeout {value!r} is not {wanted}', Effect.REFUSED, 'write timeout = 30')
    low, high = TIMEOUT_RANGE
    if not low <= seconds <= high:
        return _Issue(f': timeout {seconds} is outside {low}-{high} seconds', Effect.REFUSED,
                           f'write timeout = {min(max(seconds, low), high)}')
    if exact:
        return None
    if runtime.strict_hooks:
        return _Issue(f': timeout {value!r} is a float; {runtime.product} reads it as {seconds} only '
                           'because JavaScript has one number type', Effect.UNSOUND, f'write timeout = {seconds}')
    return _Issue(f': timeout {value!r} is not an integer; {runtime.product} reads it as {seconds} '
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
        # pydantic-core: ASCII digits only (full-width digits are refused), "10.0" but not "10.".
        match = re.fullmatch(r'\s*([+-]?[0-9]+(?:_[0-9]+)*)(?:\.0+)?\s*', value)
        return int(match.group(1)) if match else None
    return None


def _key_problem(key: str, runtime: Runtime) -> _Issue:
    if runtime.strict_hooks:
        return _Issue(f': unknown key {key!r}: {runtime.product} rejects it, and with it every hook '
                           f'of the file (it accepts only {", ".join(HOOK_KEYS)})', Effect.REFUSED, f'remove {key}')
    return _Issue(f': unknown key {key!r} is ignored by {runtime.product} (Kimi Code rejects it)',
                       Effect.TOLERATED, f'remove {key}')


def load_hook_tables(rel: str, text: str) -> tuple[list[Any], list[Finding]]:
    """The raw ``hooks`` entries of the TOML document ``text``, or the error that prevents reading them."""
    try:
        doc = tomlkit.parse(text)
    except (TOMLKitError, ValueError) as e:
        return [], [Finding(ERROR, rel, f'invalid TOML ({e})', f'fix the syntax of {rel}', rule=RULE_TOML)]
    hooks = doc.get('hooks')
    if hooks is None:
        return [], []
    if not isinstance(hooks, list):
        return [], [Finding(ERROR, rel, HOOKS_NOT_AN_ARRAY, f'edit {rel}', rule=RULE_HOOKS)]
    return [item.unwrap() if hasattr(item, 'unwrap') else item for item in hooks], []


def check_hooks_toml(rel: str, text: str, target: Runtime | str) -> list[Finding]:
    """Every problem of the ``[[hooks]]`` tables in the TOML document ``text``, with the doctor's severities."""
    tables, problems = load_hook_tables(rel, text)
    for index, table in enumerate(tables):
        problems += check_hook_table(table, index, target, rel)
    return problems
