"""Doctor checks for the project as a whole: the ``.kimi/`` directory and ``AGENTS.md``."""
from __future__ import annotations

import os
from pathlib import Path

from omk_precommit.doctor.results import DiagResult, Findings
from omk_precommit.paths import is_inside_root


def agents_md_candidates(base_dir: str) -> tuple[str, ...]:
    """The project-root instruction files Kimi CLI adds to every system prompt, in its order."""
    return (f'{base_dir}/AGENTS.md', 'AGENTS.md', 'agents.md')


def base_dir_problem(root: Path, base_dir: str) -> str | None:
    """Why ``<base_dir>/`` cannot be checked at all, or None."""
    directory = root / base_dir
    if not directory.is_dir():
        return 'does not exist, so there are no Kimi CLI assets to check'
    if not is_inside_root(root, directory):
        return 'resolves outside the project root through a symlink'
    return None


def check_project(root: Path, base_dir: str, *, staged: bool = False) -> list[DiagResult]:
    """An error when ``<base_dir>/`` is missing or unsafe; a warning without AGENTS.md.

    ``staged``: ``root`` holds the staged files, so a missing ``<base_dir>/`` means none are staged.
    """
    findings = Findings('project')
    problem = base_dir_problem(root, base_dir)
    if problem and staged and not os.path.lexists(root / base_dir):
        findings.error(f'{base_dir}/', 'nothing under it is staged, so the commit holds no assets to check',
                       f'git add {base_dir}/ (run omk-kimi install first if it does not exist)')
    elif problem:
        findings.error(f'{base_dir}/', problem, 'omk-kimi install')
    else:
        findings.ok(f'{base_dir}/', 'present')
    found = [rel for rel in agents_md_candidates(base_dir) if (root / rel).is_file()]
    if found:
        findings.ok(found[0], 'present; Kimi CLI adds it to every system prompt')
    else:
        findings.warning('AGENTS.md', 'missing; the agents get no project instructions (their prompts defer to it)',
                         'create AGENTS.md with how to build, test and style code in this project')
    return findings.results
