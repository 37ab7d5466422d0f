"""Doctor checks for the project as a whole: the runtime's asset directory and ``AGENTS.md``."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from omk_precommit.engine.findings import DiagResult, Findings
from omk_precommit.engine.fsutil import file_kind
from omk_precommit.engine.paths import is_inside_root
from omk_precommit.runtimes.readers import not_regular_fix
from omk_precommit.runtimes.registry import Runtime


def agents_md_candidates(base_dir: str) -> tuple[str, ...]:
    """The project-root instruction files the Kimi CLIs add to every system prompt, in their order."""
    return (f'{base_dir}/AGENTS.md', 'AGENTS.md', 'agents.md')


@dataclass(frozen=True)
class BaseDirProblem:
    """Why ``<base_dir>/`` cannot be checked at all, and the fix."""

    message: str
    fix: str


def base_dir_problem(root: Path, runtime: Runtime) -> BaseDirProblem | None:
    """Why the runtime's ``<base_dir>/`` cannot be checked at all, or None."""
    base_dir, install = runtime.base_dir, runtime.command('install')
    directory = root / base_dir
    if directory.is_symlink() and not is_inside_root(root, directory):
        # install refuses to write through it, so "run install" would only fail again
        return BaseDirProblem(f'is a symlink to {os.readlink(directory)}, outside the project root; '
                              'omk-kimi never writes through it',
                              f'remove the link (rm {base_dir}) and run {install}, '
                              f'or replace it with a copy of the directory')
    if directory.is_symlink() and not directory.exists():
        return BaseDirProblem(f'is a broken symlink (to {os.readlink(directory)})',
                              f'remove the link (rm {base_dir}) and run {install}')
    if os.path.lexists(directory) and not directory.is_dir():
        kind = 'a file' if directory.is_file() else file_kind(directory.stat().st_mode)
        return BaseDirProblem(f'is {kind}, not a directory, so it is in the way of the {runtime.product} assets',
                              f'move it aside (mv {base_dir} {base_dir}.old) and run {install}')
    if not directory.is_dir():
        return BaseDirProblem(f'does not exist, so there are no {runtime.product} assets to check', install)
    if not is_inside_root(root, directory):
        return BaseDirProblem('resolves outside the project root through a symlink',
                              f'replace the link on the way to {base_dir} with a directory')
    return None


def check_project(root: Path, runtime: Runtime, *, staged: bool = False) -> list[DiagResult]:
    """An error when ``<base_dir>/`` is missing or unsafe; a warning without AGENTS.md.

    ``staged``: ``root`` holds the staged files, so a missing ``<base_dir>/`` means none are staged.
    """
    findings = Findings('project')
    base_dir = runtime.base_dir
    problem = base_dir_problem(root, runtime)
    if problem and staged and not os.path.lexists(root / base_dir):
        findings.error(f'{base_dir}/', 'nothing under it is staged, so the commit holds no assets to check',
                       f'git add {base_dir}/ (run {runtime.command("install")} first if it does not exist)')
    elif problem:
        findings.error(f'{base_dir}/', problem.message, problem.fix)
    else:
        findings.ok(f'{base_dir}/', 'present')
    candidates = agents_md_candidates(base_dir)
    found = [rel for rel in candidates if (root / rel).is_file()]
    special = [rel for rel in candidates if (root / rel).exists() and not (root / rel).is_file() and not (root / rel).is_dir()]
    for rel in special:  # a FIFO here would leave the CLI waiting when it builds the system prompt
        findings.error(rel, f'is not a regular file ({file_kind((root / rel).stat().st_mode)})', not_regular_fix(rel))
    if found:
        findings.ok(found[0], f'present; {runtime.product} adds it to every system prompt')
    elif not special:
        findings.warning('AGENTS.md', 'missing; the agents get no project instructions (their prompts defer to it)',
                         'create AGENTS.md with how to build, test and style code in this project')
    return findings.results
