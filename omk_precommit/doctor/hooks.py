"""Doctor checks for hooks: every ``[[hooks]]`` table and every script under ``.kimi/hooks/``.

A table is valid when Kimi CLI 1.52 loads it (``kimi_cli.hooks.config.HookDef``: one of the 13
events, a string command, a string matcher, a timeout of 1-600 seconds) and it can actually run:
its matcher compiles as a Python regex (kimi-cli only logs a bad one and never fires the hook),
a Stop hook's matcher matches the empty string Stop is matched against, and the script its
command names exists, and is executable when run directly. A timeout kimi-cli only accepts by
coercion (``"30"``, ``30.0``, ``true``) is a warning: Kimi Code rejects it.
"""
from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from omk_precommit.backup import BACKUP_MARKER
from omk_precommit.doctor.hook_commands import quoting_problem, referenced_script
from omk_precommit.doctor.kimi_cli_facts import (
    EVENTS_MATCHED_AGAINST_EMPTY, HOOK_EVENTS, HOOK_FIELDS, HOOK_TIMEOUT_RANGE, KIMI_CLI_VERSION,
)
from omk_precommit.doctor.results import DiagResult, Findings
from omk_precommit.paths import is_inside_root

HOOK_CONFIG_FILES = ('config.toml', 'hooks.toml.example')
_SKIPPED_SUFFIXES = ('.omk-new',)


def check_hooks(root: Path, base_dir: str) -> list[DiagResult]:
    """Results for ``<base_dir>/config.toml``, ``<base_dir>/hooks.toml.example`` and ``<base_dir>/hooks/``."""
    findings = Findings('hooks')
    direct_scripts: set[str] = set()
    for name in HOOK_CONFIG_FILES:
        path = root / base_dir / name
        if os.path.lexists(path):
            _check_config(path, f'{base_dir}/{name}', root, findings, direct_scripts)
    _check_script_dir(root, f'{base_dir}/hooks', findings, direct_scripts)
    return findings.results


def _check_config(path: Path, rel: str, root: Path, findings: Findings, direct_scripts: set[str]) -> None:
    if not is_inside_root(root, path):
        findings.error(rel, 'resolves outside the project root through a symlink', f'replace the link {rel} with a file')
        return
    try:
        data = tomlkit.loads(path.read_bytes().decode('utf-8')).unwrap()
    except UnicodeDecodeError:
        findings.error(rel, 'is not UTF-8 text', f'save {rel} as UTF-8')
        return
    except OSError as e:
        findings.error(rel, f'cannot be read ({e.strerror})', f'fix the permissions of {rel}')
        return
    except TOMLKitError as e:
        findings.error(rel, f'invalid TOML ({e})', f'fix the syntax of {rel}')
        return
    hooks = data.get('hooks', [])
    if not isinstance(hooks, list):
        findings.error(rel, '`hooks` must be an array of tables; write each hook as [[hooks]], not [hooks]', f'edit {rel}')
        return
    for number, hook in enumerate(hooks, 1):
        _check_hook(hook, number, rel, root, findings, direct_scripts)
    if not findings.has_problems(rel):
        findings.ok(rel, f'{len(hooks)} hooks load in Kimi CLI {KIMI_CLI_VERSION}')


def _check_hook(hook: Any, number: int, rel: str, root: Path, findings: Findings, direct_scripts: set[str]) -> None:
    if not isinstance(hook, dict):
        findings.error(rel, f'hook #{number} must be a table with event and command', f'edit {rel}')
        return
    event = hook.get('event')
    where = f'hook #{number} ({event})' if isinstance(event, str) else f'hook #{number}'
    fix = f'edit {where} in {rel}'
    if 'event' not in hook:
        findings.error(rel, f'{where} has no `event`', f'{fix}: add event = "PreToolUse" (or another event)')
    elif event not in HOOK_EVENTS:
        findings.error(rel, f'{where}: {event!r} is not a Kimi CLI hook event (events are case-sensitive)',
                       f'{fix}: use {_closest_event(event)}')
    _check_command(hook, where, fix, rel, root, findings, direct_scripts)
    matcher = hook.get('matcher', '')
    if not isinstance(matcher, str):
        findings.error(rel, f'{where}: `matcher` must be a string regex, not {type(matcher).__name__}', fix)
    else:
        _check_matcher(matcher, event, where, fix, rel, findings)
    if 'timeout' in hook:
        _check_timeout(hook['timeout'], where, fix, rel, findings)
    unknown = sorted(set(hook) - HOOK_FIELDS)
    if unknown:
        findings.warning(rel, f'{where}: Kimi CLI ignores the key(s) {", ".join(unknown)} (Kimi Code rejects them)',
                         f'{fix}: remove {", ".join(unknown)}')


def _closest_event(event: object) -> str:
    by_lower = {e.lower(): e for e in HOOK_EVENTS}
    if isinstance(event, str) and event.lower() in by_lower:
        return by_lower[event.lower()]
    close = difflib.get_close_matches(str(event), HOOK_EVENTS, n=1, cutoff=0.4)
    return close[0] if close else 'one of ' + ', '.join(HOOK_EVENTS)


def _check_command(
    hook: dict[str, Any], where: str, fix: str, rel: str, root: Path, findings: Findings, direct_scripts: set[str],
) -> None:
    command = hook.get('command')
    if command is None:
        findings.error(rel, f'{where} has no `command`', f'{fix}: add command = ".kimi/hooks/<script>"')
        return
    if not isinstance(command, str):
        findings.error(rel, f'{where}: `command` must be a string, not {type(command).__name__}', fix)
        return
    if not command.strip():
        findings.warning(rel, f'{where}: the command is empty, so the hook does nothing (Kimi Code rejects it)', fix)
        return
    problem = quoting_problem(command)
    if problem:
        findings.error(rel, f'{where}: /bin/sh cannot parse the command ({problem})', fix)
        return
    ref = referenced_script(command)
    if ref is None:
        return
    path = Path(ref.path) if os.path.isabs(ref.path) else root / ref.path
    if not is_inside_root(root, path):
        return  # never read outside the project; a system-wide script is the user's business
    if not path.exists():
        findings.error(rel, f'{where}: script {ref.path} does not exist (commands run from the project root)',
                       f'create {ref.path}, or {fix}; run omk-kimi sync if it is a bundled hook')
    elif not path.is_file():
        findings.error(rel, f'{where}: script {ref.path} is not a file', fix)
    elif ref.direct and not path.stat().st_mode & 0o111:
        findings.error(rel, f'{where}: script {ref.path} is not executable, so /bin/sh cannot run it',
                       f'chmod +x {ref.path} && git add --chmod=+x {ref.path}')
    if ref.direct:
        direct_scripts.add(os.path.normpath(path))


def _check_matcher(matcher: str, event: object, where: str, fix: str, rel: str, findings: Findings) -> None:
    try:
        pattern = re.compile(matcher)
    except re.error as e:
        findings.error(rel, f'{where}: matcher {matcher!r} is not a valid regex ({e}); '
                            'Kimi CLI only logs a warning and the hook never runs', f'{fix}: fix the regex')
        return
    if event in EVENTS_MATCHED_AGAINST_EMPTY and not pattern.search(''):
        findings.error(rel, f'{where}: {event} hooks are matched against an empty string, '
                            f'so matcher {matcher!r} never matches and the hook never runs',
                       f'{fix}: remove the matcher')


def coerce_timeout(value: object) -> int | None:
    """The integer pydantic's lax mode (Kimi CLI's ``HookDef``) reads from ``value``, or None."""
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


def _check_timeout(value: object, where: str, fix: str, rel: str, findings: Findings) -> None:
    seconds = coerce_timeout(value)
    low, high = HOOK_TIMEOUT_RANGE
    if seconds is None:
        findings.error(rel, f'{where}: timeout {value!r} is not a whole number of seconds', f'{fix}: write timeout = 30')
        return
    if not isinstance(value, int) or isinstance(value, bool):
        findings.warning(rel, f'{where}: timeout {value!r} is not an integer; Kimi CLI reads it as {seconds}, '
                              'Kimi Code rejects it', f'{fix}: write timeout = {seconds}')
    if not low <= seconds <= high:
        findings.error(rel, f'{where}: timeout {seconds} is outside {low}-{high} seconds',
                       f'{fix}: write timeout = {min(max(seconds, low), high)}')


def _check_script_dir(root: Path, rel_dir: str, findings: Findings, direct_scripts: set[str]) -> None:
    """Scripts under the hooks directory: a ``#!`` script nothing runs directly should still be executable."""
    directory = root / rel_dir
    if not directory.is_dir() or not is_inside_root(root, directory):
        return
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        rel = f'{rel_dir}/{path.name}'
        if BACKUP_MARKER in path.name or path.name.endswith(_SKIPPED_SUFFIXES) or not is_inside_root(root, path):
            continue
        if path.stat().st_mode & 0o111:
            findings.ok(rel, 'hook script present and executable')
        elif os.path.normpath(path) in direct_scripts:
            continue  # already reported with the hook that runs it
        elif _has_shebang(path):
            findings.warning(rel, 'hook script is not executable', f'chmod +x {rel} && git add --chmod=+x {rel}')


def _has_shebang(path: Path) -> bool:
    try:
        with path.open('rb') as f:
            return f.read(2) == b'#!'
    except OSError:
        return False
