"""Doctor checks for the kimi-code target: ``.kimi-code/`` by Kimi Code 2.1.0's rules.

Agent files, skills and ``hooks.toml.example`` are judged by ``kimi_code_rules`` and
``hook_rules`` (each case tested against the real ``kimi``); the scripts in
``.kimi-code/hooks/`` and the scripts the example's commands name must exist and be executable.
A ``.kimi-code/config.toml`` with hooks is pointed out: Kimi Code reads hooks only from
``$KIMI_CODE_HOME/config.toml``.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import tomlkit
from tomlkit.exceptions import TOMLKitError

from omk_precommit.backup import BACKUP_MARKER
from omk_precommit.doctor.hook_commands import referenced_script
from omk_precommit.doctor.results import DiagResult, Findings
from omk_precommit.hook_rules import ERROR, Problem, load_hook_tables
from omk_precommit.kimi_code_rules import agent_files, check_kimi_code_project, skill_files
from omk_precommit.paths import is_inside_root

EXAMPLE = 'hooks.toml.example'
SYNC = 'omk-kimi sync --target kimi-code'


def _group(rel: str) -> str:
    parts = PurePosixPath(rel).parts
    return {'agents': 'agents', 'skills': 'skills'}.get(parts[1] if len(parts) > 1 else '', 'hooks')


def _fix(problem: Problem, managed: frozenset[str]) -> str:
    if problem.path in managed:
        return f'omk-kimi diff --target kimi-code {problem.path} ({SYNC} --force restores the bundled file)'
    if _group(problem.path) == 'agents':
        return f'edit {problem.path}: Kimi Code skips an invalid agent file with only a log line'
    return f'edit {problem.path}'


def check_kimi_code_assets(root: Path, base_dir: str, managed: frozenset[str]) -> list[DiagResult]:
    """Agents, skills and the hooks example under ``root/base_dir``, as Kimi Code would load them."""
    results: list[DiagResult] = []
    problems = check_kimi_code_project(root, base_dir)
    for problem in problems:
        findings = Findings(_group(problem.path))
        message = problem.message
        if problem.severity == ERROR:
            findings.error(problem.path, message, _fix(problem, managed))
        else:
            findings.warning(problem.path, message, _fix(problem, managed))
        results += findings.results
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
    """Hook scripts present and executable; the example's scripts exist; no hooks in a project config."""
    findings = Findings('hooks')
    example = root / base_dir / EXAMPLE
    if example.is_file() and is_inside_root(root, example):
        tables, _ = load_hook_tables(f'{base_dir}/{EXAMPLE}', example.read_text(encoding='utf-8', errors='replace'))
        for index, table in enumerate(tables):
            command = table.get('command') if isinstance(table, dict) else None
            ref = referenced_script(command) if isinstance(command, str) else None
            if ref is None or os.path.isabs(ref.path):
                continue
            script = root / ref.path
            if not is_inside_root(root, script):
                continue
            if not script.is_file():
                findings.error(f'{base_dir}/{EXAMPLE}', f'hooks[{index}]: script {ref.path} does not exist '
                                                        '(commands run from the directory kimi starts in)', SYNC)
            elif ref.direct and not os.access(script, os.X_OK):
                findings.error(f'{base_dir}/{EXAMPLE}', f'hooks[{index}]: script {ref.path} is not executable',
                               f'chmod +x {ref.path} && git add --chmod=+x {ref.path}')
    scripts = root / base_dir / 'hooks'
    if scripts.is_dir() and is_inside_root(root, scripts):
        for path in sorted(p for p in scripts.iterdir() if p.is_file()):
            rel = f'{base_dir}/hooks/{path.name}'
            if BACKUP_MARKER in path.name or path.name.endswith('.omk-new'):
                continue
            if os.access(path, os.X_OK):
                findings.ok(rel, 'hook script present and executable')
            else:
                findings.warning(rel, 'hook script is not executable', f'chmod +x {rel} && git add --chmod=+x {rel}')
    config = root / base_dir / 'config.toml'
    if config.is_file() and is_inside_root(root, config):
        try:
            has_hooks = 'hooks' in tomlkit.parse(config.read_text(encoding='utf-8'))
        except (TOMLKitError, UnicodeDecodeError, OSError):
            has_hooks = False
        if has_hooks:
            findings.warning(f'{base_dir}/config.toml', 'Kimi Code does not read hooks from a project config, '
                                                         'so these never run', 'omk-kimi hooks enable --user --target kimi-code')
    return findings.results
