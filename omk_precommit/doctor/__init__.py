"""``doctor``: every diagnostic of a project's Kimi CLI assets, as a list of results.

| module | checks |
|---|---|
| ``project`` | ``.kimi/`` present; ``AGENTS.md`` (warning) |
| ``agents`` (``agentspec``) | every spec under ``.kimi/agents/`` loads as Kimi CLI 1.52 would load it |
| ``hooks`` (``hook_rules``, ``hook_commands``) | ``[[hooks]]`` in ``config.toml`` / ``hooks.toml.example``; the scripts they run; scripts in ``hooks/`` |
| ``skills`` | ``<name>/SKILL.md`` and flat ``<name>.md`` skills, by the Agent Skills rules |
| ``manifest`` | manifest loads and is safe; missing / edited managed files; backup index |
| ``kimi_config`` | the Kimi configs: valid as a whole, bundled hooks enabled (``hooks_diag``) |
| ``kimi_binary`` | the ``kimi`` command and its version (advisory: never an error) |
| ``kimi_code`` | for ``--target kimi-code``: ``.kimi-code/`` agents, skills, hooks by Kimi Code 2.1.0's rules |
| ``staged`` | in a commit: the staged files written to a temporary tree the checks run on |

``kimi_cli_facts`` holds what Kimi CLI 1.52.0 ships (tool paths, the default agent, hook
events) as data; ``engine/findings.py`` the ``Finding`` record (``DiagResult`` is its public alias).
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from omk_precommit.doctor.kimi_binary import check_kimi_binary
from omk_precommit.doctor.kimi_config import check_kimi_config
from omk_precommit.doctor.manifest import check_manifest, managed_paths
from omk_precommit.doctor.project import base_dir_problem, check_project
from omk_precommit.doctor.staged import staged_tree
from omk_precommit.engine.findings import DiagResult, Finding, Severity
from omk_precommit.runtimes.bundled import BASE_DIRS, KIMI_CLI, KIMI_CODE
from omk_precommit.runtimes.hooks import check_hooks
from omk_precommit.runtimes.kimi_cli.agents import check_agents
from omk_precommit.runtimes.kimi_cli.skills import check_skills
from omk_precommit.runtimes.kimi_code.doctor import check_kimi_code_assets, check_kimi_code_hooks

__all__ = ['DiagResult', 'Finding', 'Severity', 'diagnose_project']


def diagnose_project(root: Path, *, strict: bool = False, target: str = KIMI_CLI, staged: bool = False) -> list[DiagResult]:
    """Run every doctor check on the project at ``root`` and return the results, grouped by check.

    With ``staged`` the project's files are read from git's index (``staged.py``): the verdict is
    on what is being committed, and untracked files are reported as skipped. With ``strict``,
    warnings about the project's files become errors; warnings about this machine (the ``kimi``
    command, the user's Kimi config) never do: a CI runner without Kimi must pass.
    """
    base_dir = BASE_DIRS[target]
    if staged:
        with staged_tree(root, base_dir) as tree:
            results = tree.as_project(_project_results(tree.root, target, git_root=root, staged=True))
    else:
        results = _project_results(root, target, git_root=root)
    results += check_kimi_binary()
    if strict:
        results = [replace(r, severity=Severity.ERROR) if _about_the_project(r) else r for r in results]
    return results


def _project_results(root: Path, target: str, *, git_root: Path, staged: bool = False) -> list[DiagResult]:
    """Every check that reads the project's files under ``root``; ``git_root`` answers which paths git ignores."""
    base_dir = BASE_DIRS[target]
    results = check_project(root, base_dir, staged=staged)
    if base_dir_problem(root, base_dir) is None and target == KIMI_CODE:
        results += _guarded('agents', lambda: check_kimi_code_assets(root, base_dir, managed_paths(root, base_dir)))
        results += _guarded('hooks', lambda: check_kimi_code_hooks(root, base_dir))
        results += _guarded('manifest', lambda: check_manifest(root, base_dir, git_root=git_root))
    elif base_dir_problem(root, base_dir) is None:
        results += _guarded('agents', lambda: check_agents(root, base_dir, managed_paths(root, base_dir)))
        results += _guarded('hooks', lambda: check_hooks(root, base_dir))
        results += _guarded('skills', lambda: check_skills(root, base_dir))
        results += _guarded('manifest', lambda: check_manifest(root, base_dir, git_root=git_root))
    if target != KIMI_CLI:
        results = [_for_target(r, target) for r in results]
    return results + _guarded('kimi config', lambda: check_kimi_config(root, target))


def _for_target(result: DiagResult, target: str) -> DiagResult:
    """``result`` with its fix naming ``--target`` and the project check naming the right CLI."""
    fix = result.fix and re.sub(r'\bomk-kimi (install|sync|diff|rollback)\b(?! --target)',
                                rf'omk-kimi \1 --target {target}', result.fix)
    message = result.message.replace('Kimi CLI', 'Kimi Code') if result.check == 'project' else result.message
    return replace(result, fix=fix, message=message)


def _about_the_project(result: DiagResult) -> bool:
    """A warning about a file of the project (strict fails on it), not about this machine's Kimi setup."""
    return result.severity is Severity.WARNING and bool(result.path) and not os.path.isabs(result.path)


def _guarded(check: str, run: Callable[[], list[DiagResult]]) -> list[DiagResult]:
    """The results of one check group; a directory it cannot list becomes an error result, not a traceback."""
    try:
        return run()
    except OSError as e:
        where = e.filename if isinstance(e.filename, str) else 'a file'
        return [Finding(Severity.ERROR, '', f'cannot read {where} ({e.strerror})', 'fix its permissions', check)]
