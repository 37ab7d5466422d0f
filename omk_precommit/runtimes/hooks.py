"""Doctor checks for hooks: every ``[[hooks]]`` table and every script under ``<base_dir>/hooks/``.

``hook_rules`` judges each table and says how bad each problem is (its docstring has the
rules); this module adds the fix, naming the table to edit, and what only the project's files
can show: ``/bin/sh`` can parse the command, and the script it runs exists and is executable
when run directly. A ``#!`` script under ``hooks/`` that nothing runs directly should be
executable too. The script checks serve both runtimes (``kimi_code/doctor.py`` uses them).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from omk_precommit.engine.backup import BACKUP_MARKER
from omk_precommit.engine.findings import DiagResult, Findings
from omk_precommit.engine.fsutil import file_kind, probed, read_regular
from omk_precommit.engine.paths import is_inside_root
from omk_precommit.runtimes.hook_commands import ProgramRef, Unresolved, quoting_problem, resolve_command
from omk_precommit.runtimes.hook_rules import check_hook_table, load_hook_tables
from omk_precommit.runtimes.kimi_cli.facts import KIMI_CLI_VERSION
from omk_precommit.runtimes.kimi_cli.runtime import RUNTIME as KIMI_CLI
from omk_precommit.runtimes.readers import not_regular_fix, read_project_text

HOOK_CONFIG_FILES = ('config.toml', 'hooks.toml.example')
_SKIPPED_SUFFIXES = ('.omk-new',)
SHELL_SUFFIXES = ('.sh', '.bash')
HEAD_BYTES = 64 * 1024  # of a script read for its #! line and line endings


def on_path(name: str) -> bool:
    """Whether the program ``name`` is found as a shell finds it (``shutil.which``). Each place it
    is looked for is ``probed``: the doctor's verdict cache sees a program installed or removed."""
    if os.sep in name:
        places = [name]
    else:
        places = [os.path.join(d or os.curdir, name) for d in os.environ.get('PATH', os.defpath).split(os.pathsep)]
    for place in places:
        probed(place)
    return shutil.which(name) is not None


def check_hooks(root: Path, base_dir: str) -> list[DiagResult]:
    """Results for ``<base_dir>/config.toml``, ``<base_dir>/hooks.toml.example`` and ``<base_dir>/hooks/``."""
    findings = Findings('hooks')
    direct_scripts: set[str] = set()
    for name in HOOK_CONFIG_FILES:
        path = root / base_dir / name
        if os.path.lexists(path):
            _check_config(path, f'{base_dir}/{name}', root, findings, direct_scripts)
    check_script_dir(root, f'{base_dir}/hooks', findings, direct_scripts)
    return findings.results


def _check_config(path: Path, rel: str, root: Path, findings: Findings, direct_scripts: set[str]) -> None:
    text = read_project_text(root, path, rel, findings)
    if text is None:
        return
    tables, problems = load_hook_tables(rel, text)
    for problem in problems:
        findings.error(rel, problem.message, problem.fix)
    for index, table in enumerate(tables):
        fix = f'edit hooks[{index}] in {rel}'
        for found in check_hook_table(table, index, KIMI_CLI, rel):
            findings.add(found.severity, rel, found.message, f'{fix}: {found.fix}' if found.fix else fix)
        check_command(table, index, rel, root, findings, direct_scripts)
    if not findings.has_problems(rel):
        findings.ok(rel, f'{len(tables)} hooks load in Kimi CLI {KIMI_CLI_VERSION}')


def check_command(table: Any, index: int, rel: str, root: Path, findings: Findings, direct_scripts: set[str]) -> None:
    """An error when ``/bin/sh`` cannot parse the command of table ``index`` of ``rel``, or the script
    it runs is missing or, run directly, not executable; that script is added to ``direct_scripts``."""
    command = table.get('command') if isinstance(table, dict) else None
    if not isinstance(command, str) or not command.strip():
        return  # hook_rules reports it
    where = f'hooks[{index}]'
    fix = f'edit {where} in {rel}'
    problem = quoting_problem(command)
    if problem:
        findings.error(rel, f'{where}: /bin/sh cannot parse the command ({problem})', fix)
        return
    ref = resolve_command(command)
    if isinstance(ref, Unresolved):
        findings.warning(rel, f'{where}: omk-kimi cannot tell which script the command runs ({ref.why}); '
                              'if it does not exist the hook exits 127, which Kimi reads as "allow"',
                         f'check that the command runs, or {fix} to name the script directly')
        return
    if isinstance(ref, ProgramRef):
        if not on_path(ref.name):
            findings.warning(rel, f'{where}: {ref.name} is not on PATH here, so the hook exits 127, '
                                  'which Kimi reads as "allow"', f'install {ref.name}, or {fix}')
        return
    if ref is None:
        return
    path = Path(ref.path) if os.path.isabs(ref.path) else root / ref.path
    if not is_inside_root(root, path):
        return  # never read outside the project; a system-wide script is the user's business
    if not path.exists():
        findings.error(rel, f'{where}: script {ref.path} does not exist (commands run from the project root)',
                       f'create {ref.path}, or {fix}; run omk-kimi sync if it is a bundled hook')
    elif path.is_dir():
        findings.error(rel, f'{where}: script {ref.path} is a directory, not a file', fix)
    elif not path.is_file():
        findings.error(rel, f'{where}: script {ref.path} is not a regular file ({file_kind(path.stat().st_mode)})',
                       not_regular_fix(ref.path))
    elif ref.direct and not path.stat().st_mode & 0o111:
        findings.error(rel, f'{where}: script {ref.path} is not executable, so /bin/sh cannot run it',
                       f'chmod +x {ref.path} && git add --chmod=+x {ref.path}')
    elif ref.direct and (missing := missing_interpreter(_head(path))):
        findings.error(rel, f'{where}: script {ref.path} starts with #!{missing[1]}, but {missing[0]} does not '
                            'exist here, so the script cannot start (exit 127) and Kimi reads that as "allow"',
                       f'fix the #! line of {ref.path} (e.g. #!/bin/sh or #!/usr/bin/env python3)')
    elif not _in_script_dir(path, root / os.path.dirname(rel) / 'hooks'):  # check_script_dir reports those
        problem = crlf_problem(path, run_directly=ref.direct)
        if problem:
            findings.error(rel, f'{where}: script {ref.path} {problem}', crlf_fix(ref.path))
    if ref.direct:
        direct_scripts.add(os.path.normpath(path))


def check_script_dir(root: Path, rel_dir: str, findings: Findings, direct_scripts: set[str]) -> None:
    """Scripts under the hooks directory: a ``#!`` script nothing runs directly should still be
    executable (one a hook runs directly was reported with that hook)."""
    directory = root / rel_dir
    if not directory.is_dir() or not is_inside_root(root, directory):
        return
    for path in sorted(p for p in directory.iterdir() if not p.is_dir()):
        rel = f'{rel_dir}/{path.name}'
        if BACKUP_MARKER in path.name or path.name.endswith(_SKIPPED_SUFFIXES) or not is_inside_root(root, path):
            continue
        if not path.exists():
            continue  # a broken symlink: nothing runs it unless a hook names it, reported there
        if not path.is_file():
            findings.error(rel, f'is not a regular file ({file_kind(path.stat().st_mode)}), so no hook can run it',
                           not_regular_fix(rel))
            continue
        head = _head(path)
        problem = crlf_problem(path, head, run_directly=True)
        if problem:
            findings.error(rel, f'hook script {problem}', crlf_fix(rel))
        elif path.stat().st_mode & 0o111:
            findings.ok(rel, 'hook script present and executable')
        elif os.path.normpath(path) in direct_scripts:
            continue  # already reported with the hook that runs it
        elif head.startswith(b'#!'):
            findings.warning(rel, 'hook script is not executable', f'chmod +x {rel} && git add --chmod=+x {rel}')


def missing_interpreter(head: bytes) -> tuple[str, str] | None:
    """(the interpreter, the ``#!`` line) when a script's ``#!`` names a program that does not exist
    here: an absolute path that is not there, or ``/usr/bin/env NAME`` with NAME not on PATH."""
    if not head.startswith(b'#!'):
        return None
    line = head[2:].split(b'\n', 1)[0].decode('utf-8', errors='replace').strip()
    words = line.split()
    if not words or line.endswith('\r'):
        return None  # no interpreter at all, or CRLF: crlf_problem says why
    interpreter = words[0]
    probed(interpreter)
    if os.path.basename(interpreter) == 'env' and os.path.isfile(interpreter):
        program = env_program(words[1:])
        if program is not None and not on_path(program):
            return program, line
        return None
    if os.path.isabs(interpreter) and not os.access(interpreter, os.X_OK):
        return interpreter, line
    return None


ENV_OPTIONS_WITH_A_VALUE = frozenset({'-u', '--unset', '-C', '--chdir'})  # GNU and BSD env


def env_program(args: list[str]) -> str | None:
    """The program ``env ARGS`` runs: the first word that is neither an option (nor the value of
    ``-u NAME`` / ``-C DIR``) nor a ``NAME=VALUE``; ``-S`` (split the rest) needs no special case."""
    words = iter(args)
    for word in words:
        if word in ENV_OPTIONS_WITH_A_VALUE:
            next(words, None)
        elif not word.startswith('-') and '=' not in word:
            return word
    return None


def crlf_problem(path: Path, head: bytes | None = None, *, run_directly: bool) -> str | None:
    """Why a script checked out with CRLF line endings cannot work as a hook, or None.

    ``#!/bin/sh\\r`` names an interpreter that does not exist, so the script cannot start (exit
    127), and Kimi treats a hook that fails that way as "allow": the gate silently lets everything
    through. A script run by an interpreter (``sh x.sh``) trips over ``\\r`` in its commands instead.
    """
    head = _head(path) if head is None else head
    if b'\r\n' not in head:
        return None
    first = head.split(b'\n', 1)[0]
    if run_directly and first.startswith(b'#!') and first.endswith(b'\r'):
        why = 'its #! line ends in a carriage return, so the script cannot start'
    elif path.suffix in SHELL_SUFFIXES:
        why = 'the shell reads each \\r as part of a command'
    else:
        return None  # e.g. python3 x.py: Python reads CRLF source fine
    return (f'has CRLF line endings: {why}, and Kimi treats a hook that cannot run as allowing the action '
            '(the safety gate silently stops working)')


def crlf_fix(rel: str) -> str:
    """How to get ``rel`` back with LF endings and keep it that way (git re-applies eol on checkout)."""
    directory = os.path.dirname(rel)
    pattern = f'{directory}/*{os.path.splitext(rel)[1]}' if directory else rel
    where = directory or rel
    # HEAD, not the index: after ``git rm --cached`` the index no longer holds the files.
    return (f'add `{pattern} text eol=lf` to .gitattributes, then '
            f'git rm --cached -r {where} && git checkout HEAD -- {where}')


def _in_script_dir(path: Path, directory: Path) -> bool:
    return os.path.dirname(os.path.normpath(path)) == os.path.normpath(directory)


def _head(path: Path) -> bytes:
    """The first bytes of the regular file at ``path`` (enough for the #! line); empty when unreadable."""
    try:
        return read_regular(path, HEAD_BYTES)
    except OSError:
        return b''
