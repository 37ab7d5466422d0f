"""Doctor checks for hooks: every ``[[hooks]]`` table and every script under ``<base_dir>/hooks/``.

``hook_rules`` judges each table and says how bad each problem is (its docstring has the
rules); this module adds the fix, naming the table to edit, and what only the project's files
can show: ``/bin/sh`` can parse the command, and the script it runs exists and is executable
when run directly. A ``#!`` script under ``hooks/`` that nothing runs directly should be
executable too. The script checks serve both targets (``doctor/kimi_code.py`` uses them).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from omk_precommit.backup import BACKUP_MARKER
from omk_precommit.doctor.files import read_project_text
from omk_precommit.doctor.hook_commands import quoting_problem, referenced_script
from omk_precommit.doctor.kimi_cli_facts import KIMI_CLI_VERSION
from omk_precommit.doctor.results import DiagResult, Findings
from omk_precommit.hook_rules import check_hook_table, load_hook_tables
from omk_precommit.paths import is_inside_root
from omk_precommit.targets import KIMI_CLI

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
        for found in check_hook_table(table, index, KIMI_CLI):
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


def check_script_dir(root: Path, rel_dir: str, findings: Findings, direct_scripts: set[str]) -> None:
    """Scripts under the hooks directory: a ``#!`` script nothing runs directly should still be
    executable (one a hook runs directly was reported with that hook)."""
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
