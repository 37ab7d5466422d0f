"""The pre-commit hooks on the kimi-code target (``args: [--target, kimi-code]``), under the real
pre-commit and prek: a clean tree passes, a staged edit of a managed agent file is blocked."""
from __future__ import annotations

from pathlib import Path

import pytest

from omk_precommit.commands.install import install_project_assets
from testing.hookrepo import RUNNERS, HookedProject, HookRepo, cli_has_command, hooked_project

ARGS = ('--target', 'kimi-code')
AGENT = '.kimi-code/agents/architect.md'
HOOKS = ('omk-check', 'omk-sync') + (('omk-doctor',) if cli_has_command('doctor') else ())


@pytest.fixture(params=RUNNERS)
def project(request: pytest.FixtureRequest, tmp_path: Path, hook_repo: HookRepo,
            runner_homes: dict[str, str]) -> HookedProject:
    """A repository using the hooks with --target kimi-code, its .kimi-code/ installed and committed."""
    project = hooked_project(tmp_path / 'project', str(request.param), hook_repo, HOOKS, runner_homes, ARGS)
    install_project_assets(project.path, target='kimi-code')
    (project.path / 'AGENTS.md').write_text('# Agents\n\nRun the tests before you commit.\n')
    project.git('add', '-A')
    result = project.commit('install the kimi-code assets')
    assert result.returncode == 0, result.stdout
    return project


def test_a_clean_kimi_code_tree_passes_every_hook(project: HookedProject):
    result = project.run_hooks('--all-files')
    assert result.returncode == 0, result.stdout
    assert '11 managed files match the manifest' in result.stdout


def test_a_staged_edit_of_a_kimi_code_agent_is_blocked_naming_the_file(project: HookedProject):
    agent = project.path / AGENT
    agent.write_text(agent.read_text() + '\nAlso write the code yourself.\n')
    project.git('add', AGENT)
    head = project.head()

    result = project.commit('let the architect code')

    assert result.returncode != 0 and project.head() == head, result.stdout
    assert f'{AGENT}: modified in the index' in result.stdout

