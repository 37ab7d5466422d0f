"""Doctor checks for the kimi-code target: ``.kimi-code/`` by Kimi Code 2.1.0's rules.

Agent files, skills and ``hooks.toml.example`` are judged by ``kimi_code_rules`` and
``hook_rules`` (each case tested against the real ``kimi``); the scripts in
``.kimi-code/hooks/`` and those the example's commands run are checked as ``doctor/hooks.py``
checks the Kimi CLI's.
A ``.kimi-code/config.toml`` with hooks is pointed out: Kimi Code reads hooks only from
``$KIMI_CODE_HOME/config.toml``.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePosixPath

import tomlkit
from tomlkit.exceptions import TOMLKitError

from omk_precommit.engine.findings import DiagResult, Finding, Findings
from omk_precommit.engine.fsutil import read_regular
from omk_precommit.engine.paths import is_inside_root
from omk_precommit.runtimes.hook_rules import load_hook_tables
from omk_precommit.runtimes.hooks import check_command, check_script_dir
from omk_precommit.runtimes.kimi_code.rules import agent_files, check_kimi_code_project, skill_files

EXAMPLE = 'hooks.toml.example'
SYNC = 'omk-kimi sync --target kimi-code'


def _group(rel: str) -> str:
    parts = PurePosixPath(rel).parts
    return {'agents': 'agents', 'skills': 'skills'}.get(parts[1] if len(parts) > 1 else '', 'hooks')


def _fix(problem: Finding, managed: frozenset[str]) -> str:
    if problem.path in managed:
        return f'omk-kimi diff --target kimi-code {problem.path} ({SYNC} --force restores the bundled file)'
    if _group(problem.path) == 'agents':
        return f'edit {problem.path}: Kimi Code skips an invalid agent file with only a log line'
    return f'edit {problem.path}' + (f': {problem.fix}' if problem.fix else '')


def check_kimi_code_assets(root: Path, base_dir: str, managed: frozenset[str]) -> list[DiagResult]:
    """Agents, skills and the hooks example under ``root/base_dir``, as Kimi Code would load them."""
    results: list[DiagResult] = []
    problems = check_kimi_code_project(root, base_dir)
    results += [replace(problem, fix=_fix(problem, managed), check=_group(problem.path)) for problem in problems]
    flagged = {p.path for p in problems}
    checked = [(path, 'agents', 'Kimi Code agent file loads') for path in agent_files(root, base_dir)]
    checked += [(path, 'skills', 'Kimi Code skill loads') for path in skill_files(root, base_dir)]
    if (root / base_dir / EXAMPLE).is_file():
        checked.append((root / base_dir / EXAMPLE, 'hooks', 'hooks load in Kimi Code 2.1.0'))
    for path, group, what in checked:
        rel = path.relative_to(root).as_posix()
        if rel not in flagged:
            findings = Findings(group)
            findings.ok(rel, what)
            results += findings.results
    return results


def check_kimi_code_hooks(root: Path, base_dir: str) -> list[DiagResult]:
    """Scripts the example's commands run, and those in ``hooks/``, as in the Kimi CLI hooks check
    (the example's tables are judged with the other assets); no hooks in a project config."""
    findings = Findings('hooks')
    direct_scripts: set[str] = set()
    example, rel = root / base_dir / EXAMPLE, f'{base_dir}/{EXAMPLE}'
    if example.is_file() and is_inside_root(root, example):
        try:
            text = read_regular(example).decode('utf-8', errors='replace')
        except OSError:
            text = ''  # check_kimi_code_project reports why it cannot be read
        tables, _ = load_hook_tables(rel, text)
        for index, table in enumerate(tables):
            check_command(table, index, rel, root, findings, direct_scripts)
    check_script_dir(root, f'{base_dir}/hooks', findings, direct_scripts)
    config = root / base_dir / 'config.toml'
    if config.is_file() and is_inside_root(root, config):
        try:
            has_hooks = 'hooks' in tomlkit.parse(read_regular(config).decode('utf-8'))
        except (TOMLKitError, UnicodeDecodeError, OSError):
            has_hooks = False
        if has_hooks:
            findings.warning(f'{base_dir}/config.toml', 'Kimi Code does not read hooks from a project config, '
                                                         'so these never run', 'omk-kimi hooks enable --user --target kimi-code')
    return findings.results
