"""The hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit and the real prek.

Each test builds a git repository whose `.pre-commit-config.yaml` points at a committed
snapshot of this repository, installs the runner's git hook and commits through it, so what
is asserted is what a user of either runner sees. Every test runs once per runner.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from omk_precommit.commands.install import install_project_assets
from testing.hookrepo import RUNNERS, HookedProject, HookRepo, cli_has_command, hooked_project

AGENT = '.kimi/agents/architect/agent.yaml'
HOOK_SCRIPT = '.kimi/hooks/notify.sh'
CHECK_AND_SYNC = ('omk-check', 'omk-sync')


# hook_repo and runner_homes are session fixtures in conftest.py (shared with kimi_code_precommit_test).


@pytest.fixture(params=RUNNERS)
def runner(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_project(tmp_path: Path, runner: str, hook_repo: HookRepo, runner_homes: dict[str, str],
                 hook_ids: tuple[str, ...] = CHECK_AND_SYNC) -> HookedProject:
    return hooked_project(tmp_path / 'project', runner, hook_repo, hook_ids, runner_homes)


def installed_and_committed(project: HookedProject) -> HookedProject:
    install_project_assets(project.path)
    project.git('add', '-A')
    result = project.commit('install omk assets')
    assert result.returncode == 0, result.stdout
    return project


@pytest.fixture
def project(tmp_path: Path, runner: str, hook_repo: HookRepo, runner_homes: dict[str, str]) -> HookedProject:
    """Assets installed and committed through the hooks (omk-check and omk-sync)."""
    return installed_and_committed(make_project(tmp_path, runner, hook_repo, runner_homes))


def blocked(project: HookedProject, result: subprocess.CompletedProcess[str], head_before: str) -> bool:
    return result.returncode != 0 and project.head() == head_before


def test_commit_of_an_install_passes_and_a_staged_agent_edit_is_blocked_naming_the_file(project: HookedProject):
    assert (project.path / AGENT).exists()  # the fixture's commit of the install passed
    (project.path / AGENT).write_text((project.path / AGENT).read_text() + '# local tweak\n')
    project.git('add', AGENT)
    head = project.head()

    result = project.commit('tweak the architect')

    assert blocked(project, result, head), result.stdout
    assert f'{AGENT}: modified in the index' in result.stdout


def test_staged_deletion_of_a_hook_script_is_blocked(project: HookedProject):
    project.git('rm', '-q', HOOK_SCRIPT)
    head = project.head()

    result = project.commit('drop notify.sh')

    assert blocked(project, result, head), result.stdout
    assert f'{HOOK_SCRIPT}: missing from the index' in result.stdout


def test_unstaged_edit_does_not_block_a_commit_of_another_file_and_survives_it(project: HookedProject):
    edited = (project.path / AGENT).read_text() + '# work in progress\n'
    (project.path / AGENT).write_text(edited)
    (project.path / 'notes.txt').write_text('unrelated\n')
    project.git('add', 'notes.txt')
    head = project.head()

    result = project.commit('add notes')

    assert result.returncode == 0, result.stdout
    assert project.head() != head
    assert (project.path / AGENT).read_text() == edited
    assert project.git('status', '--porcelain', AGENT).stdout.strip() == f'M {AGENT}'


def test_git_ignored_managed_file_that_differs_does_not_block_and_is_reported_skipped(
        tmp_path: Path, runner: str, hook_repo: HookRepo, runner_homes: dict[str, str]):
    project = make_project(tmp_path, runner, hook_repo, runner_homes, ('omk-check',))
    (project.path / '.gitignore').write_text('.kimi/agents/explore/\n')
    installed_and_committed(project)
    ignored = project.path / '.kimi/agents/explore/system.md'
    ignored.write_text('my own explorer prompt\n')
    (project.path / 'notes.txt').write_text('unrelated\n')
    project.git('add', 'notes.txt')

    result = project.commit('add notes')

    assert result.returncode == 0, result.stdout
    assert '.kimi/agents/explore/system.md: skipped (ignored by git)' in result.stdout
    assert 'drifted' not in result.stdout


def test_sync_hook_restores_a_deleted_managed_file_fails_once_then_passes(
        tmp_path: Path, runner: str, hook_repo: HookRepo, runner_homes: dict[str, str]):
    project = installed_and_committed(make_project(tmp_path, runner, hook_repo, runner_homes, ('omk-sync',)))
    original = (project.path / HOOK_SCRIPT).read_bytes()
    project.git('rm', '-q', HOOK_SCRIPT)
    (project.path / 'notes.txt').write_text('unrelated\n')
    project.git('add', 'notes.txt')
    head = project.head()

    first = project.commit('add notes')

    assert blocked(project, first, head), first.stdout
    assert f'{HOOK_SCRIPT}: created' in first.stdout
    assert (project.path / HOOK_SCRIPT).read_bytes() == original

    project.git('add', HOOK_SCRIPT)
    second = project.commit('add notes')

    assert second.returncode == 0, second.stdout
    assert project.git('status', '--porcelain').stdout == ''
    assert project.git('show', f'HEAD:{HOOK_SCRIPT}').stdout.encode() == original


def test_sync_hook_never_overwrites_a_local_edit(project: HookedProject):
    edited = (project.path / AGENT).read_text() + '# deliberate local change\n'
    (project.path / AGENT).write_text(edited)
    project.git('add', AGENT)
    head = project.head()

    result = project.commit('tweak the architect')

    assert blocked(project, result, head), result.stdout  # by omk-check, not by a rewrite
    assert f'{AGENT}: kept your local edit' in result.stdout
    assert (project.path / AGENT).read_text() == edited
    assert project.git('diff', '--cached', '--name-only').stdout.strip() == AGENT


@pytest.mark.parametrize('own_kimi', [True, False], ids=['own .kimi', 'no .kimi'])
def test_hooks_never_install_in_a_repository_without_a_manifest(
        tmp_path: Path, runner: str, hook_repo: HookRepo, runner_homes: dict[str, str], own_kimi: bool):
    """The user's own safety-check.sh is untouched; commits pass; each hook prints one hint."""
    project = make_project(tmp_path, runner, hook_repo, runner_homes, ('omk-check', 'omk-doctor', 'omk-sync'))
    own_gate = project.path / '.kimi/hooks/safety-check.sh'
    if own_kimi:
        own_gate.parent.mkdir(parents=True)
        own_gate.write_bytes(b'#!/bin/sh\n# our own gate, written before omk\nexit 0\n')
        own_gate.chmod(0o755)
    (project.path / 'README.md').write_text('# a project\n')
    project.git('add', '-A')
    first = project.commit('the project, maybe with our own Kimi hook')
    (project.path / 'notes.txt').write_text('unrelated\n')
    project.git('add', 'notes.txt')
    head = project.head()

    second = project.commit('add notes')

    assert first.returncode == 0, first.stdout
    assert second.returncode == 0 and project.head() != head, second.stdout
    for says in ('nothing to check', 'nothing checked in a hook', 'nothing synced'):
        hints = [line for line in second.stdout.splitlines() if line.strip().startswith('.kimi/omk-manifest.json: ')]
        assert sum(says in line for line in hints) == 1, second.stdout
    assert ': error:' not in second.stdout
    if own_kimi:
        assert own_gate.read_bytes() == b'#!/bin/sh\n# our own gate, written before omk\nexit 0\n'
        assert sorted(p.relative_to(project.path).as_posix() for p in (project.path / '.kimi').rglob('*')) == [
            '.kimi/hooks', '.kimi/hooks/safety-check.sh']
    else:
        assert not (project.path / '.kimi').exists()
    assert project.git('status', '--porcelain').stdout == ''


def test_all_files_passes_on_a_clean_install_without_kimi_on_path(
        tmp_path: Path, runner: str, hook_repo: HookRepo, runner_homes: dict[str, str]):
    hook_ids = CHECK_AND_SYNC + (('omk-doctor',) if cli_has_command('doctor') else ())
    project = installed_and_committed(make_project(tmp_path, runner, hook_repo, runner_homes, hook_ids))
    assert subprocess.run(('sh', '-c', 'command -v kimi'), env=project.env, check=False).returncode != 0

    result = project.run_hooks('--all-files')

    assert result.returncode == 0, result.stdout
    assert 'managed files match the manifest on disk' in result.stdout


@pytest.mark.parametrize('conversion', ['core.autocrlf=true', '.gitattributes eol=crlf'])
def test_checkout_with_crlf_line_endings_reports_no_drift(
        tmp_path: Path, runner: str, hook_repo: HookRepo, runner_homes: dict[str, str], conversion: str):
    origin = make_project(tmp_path, runner, hook_repo, runner_homes)
    if conversion.startswith('.gitattributes'):
        (origin.path / '.gitattributes').write_text('* text eol=crlf\n')
    installed_and_committed(origin)
    clone_path = tmp_path / 'clone'
    clone_args = ['-c', 'core.autocrlf=true'] if conversion.startswith('core') else []
    assert origin.git('clone', '-q', *clone_args, str(origin.path), str(clone_path)).returncode == 0
    clone = HookedProject(clone_path, runner, origin.env)
    clone.git('config', 'user.email', 'test@example.invalid')
    clone.git('config', 'user.name', 'omk test')
    clone.install_git_hook()
    assert b'\r\n' in (clone_path / AGENT).read_bytes()

    all_files = clone.run_hooks('--all-files')
    (clone_path / 'notes.txt').write_text('unrelated\n')
    clone.git('add', 'notes.txt')
    commit = clone.commit('add notes')

    assert all_files.returncode == 0, all_files.stdout
    assert 'managed files match the manifest on disk' in all_files.stdout
    assert commit.returncode == 0, commit.stdout
    assert 'managed files match the manifest in the index' in commit.stdout
    assert clone.git('status', '--porcelain').stdout == ''


def test_commit_in_a_linked_worktree_from_a_subdirectory_is_checked(project: HookedProject, tmp_path: Path):
    linked = tmp_path / 'linked'
    assert project.git('worktree', 'add', '-q', '-b', 'side', str(linked)).returncode == 0
    (linked / AGENT).write_text('name: hijacked\n')
    subdir = linked / '.kimi' / 'agents'
    project.git('add', 'architect/agent.yaml', cwd=subdir)
    head = project.git('rev-parse', 'HEAD', cwd=linked).stdout

    result = project.commit('hijack', cwd=subdir)

    assert result.returncode != 0, result.stdout
    assert project.git('rev-parse', 'HEAD', cwd=linked).stdout == head
    assert f'{AGENT}: modified in the index' in result.stdout


def test_findings_are_github_annotations_when_running_in_github_actions(project: HookedProject):
    (project.path / AGENT).write_text('name: changed\n')

    result = project.run_hooks('omk-check', '--all-files', env={'GITHUB_ACTIONS': 'true'})

    assert result.returncode == 1, result.stdout
    assert f'::error file={AGENT}::omk-check: managed file modified' in result.stdout



def test_all_files_passes_in_a_fresh_checkout_missing_a_git_ignored_managed_file(
        tmp_path: Path, runner: str, hook_repo: HookRepo, runner_homes: dict[str, str]):
    project = make_project(tmp_path, runner, hook_repo, runner_homes)
    (project.path / '.gitignore').write_text(f'{HOOK_SCRIPT}\n')
    installed_and_committed(project)
    (project.path / HOOK_SCRIPT).unlink()  # never committed: a fresh clone or CI checkout lacks it

    first = project.run_hooks('--all-files')
    second = project.run_hooks('--all-files')

    assert first.returncode == 0, first.stdout
    assert f'{HOOK_SCRIPT}: created (ignored by git, not counted)' in first.stdout
    assert second.returncode == 0, second.stdout
