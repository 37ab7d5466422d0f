"""The omk-doctor hook judges what is being committed: real pre-commit, real prek, a plain git hook.

pre-commit and prek stash unstaged edits of tracked files while hooks run but leave untracked
files in place; a plain ``.git/hooks/pre-commit`` stashes nothing. In every case a broken
``.kimi/`` file that is not part of the commit must not block it, and one that is must.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from omk_precommit.commands.install import install_project_assets
from testing.gitrepo import init_repo
from testing.hookrepo import RUNNERS, HookedProject, HookRepo, hooked_project, path_without_kimi

MINE = '.kimi/agents/mine/agent.yaml'
ARCHITECT = '.kimi/agents/architect/agent.yaml'
BROKEN_AGENT = 'version: 1\nagent:\n  extend: default\n  name: mine\n  tools: [not_a_tool_path]\n'


@pytest.fixture(params=RUNNERS)
def project(request: pytest.FixtureRequest, tmp_path: Path, hook_repo: HookRepo,
            runner_homes: dict[str, str]) -> HookedProject:
    """Assets installed and committed through omk-doctor (run by pre-commit, then by prek)."""
    project = hooked_project(tmp_path / 'project', str(request.param), hook_repo, ('omk-doctor',), runner_homes)
    return installed_and_committed(project)


def installed_and_committed(project: HookedProject) -> HookedProject:
    install_project_assets(project.path)
    project.git('add', '-A')
    result = project.commit('install omk assets')
    assert result.returncode == 0, result.stdout
    return project


def commit_unrelated_file(project: HookedProject) -> subprocess.CompletedProcess[str]:
    (project.path / 'notes.txt').write_text('unrelated\n')
    project.git('add', 'notes.txt')
    return project.commit('add notes')


def test_untracked_broken_agent_is_skipped_by_a_commit_reported_by_all_files_and_blocks_once_staged(
        project: HookedProject):
    (project.path / MINE).parent.mkdir()
    (project.path / MINE).write_text(BROKEN_AGENT)

    commit = commit_unrelated_file(project)
    all_files = project.run_hooks('--all-files')
    project.git('add', MINE)
    head = project.head()
    staged = project.commit('add my agent')

    assert commit.returncode == 0, commit.stdout
    assert f'skipped 1 untracked file, not part of the commit: {MINE}' in commit.stdout
    assert all_files.returncode == 1, all_files.stdout
    assert f"{MINE}: error: tool 'not_a_tool_path' is not of the form module:Class" in all_files.stdout
    assert staged.returncode == 1 and project.head() == head, staged.stdout
    assert f"{MINE}: error: tool 'not_a_tool_path' is not of the form module:Class" in staged.stdout


def test_unstaged_broken_edit_of_a_tracked_agent_does_not_block_and_survives(project: HookedProject):
    (project.path / ARCHITECT).write_text('version: 2\n')

    result = commit_unrelated_file(project)

    assert result.returncode == 0, result.stdout
    assert (project.path / ARCHITECT).read_text() == 'version: 2\n'


def test_plain_git_hook_judges_the_index_not_the_working_tree(tmp_path: Path):
    path = init_repo(tmp_path / 'project')
    hook = path / '.git' / 'hooks' / 'pre-commit'
    hook.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m omk_precommit doctor\n')
    hook.chmod(0o755)
    project = HookedProject(path, 'git', {**os.environ, 'PATH': path_without_kimi()})
    installed_and_committed(project)
    (project.path / ARCHITECT).write_text('version: 2\n')  # unstaged: no stash protects the hook from it
    (project.path / MINE).parent.mkdir()
    (project.path / MINE).write_text(BROKEN_AGENT)  # untracked

    passed = commit_unrelated_file(project)
    project.git('add', ARCHITECT)
    blocked = project.commit('break the architect')

    assert passed.returncode == 0, passed.stdout
    assert blocked.returncode == 1, blocked.stdout
    assert f'{ARCHITECT}: error: unsupported agent spec version 2' in blocked.stdout
    assert MINE not in blocked.stdout.replace(f'not part of the commit: {MINE}', '')
