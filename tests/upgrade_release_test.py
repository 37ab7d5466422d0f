"""Accept and upgrade between two real installed releases, through real git and real pre-commit.

The project's hooks pin the old release's tag; "upgrading" bumps the ``rev`` to the new tag (as
``pre-commit autoupdate`` does) and runs the new release's ``omk-kimi sync``. The new release
bundles a reviewer prompt whose third line changed; the project's own edit of that prompt either
leaves that line alone (a clean merge) or changes it too (a conflict).
"""
from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.cache import session_build
from testing.hookrepo import HookedProject, hooked_project
from testing.releases import NEW_LINE, NEW_TAG, OLD_LINE, OLD_TAG, Releases, build_releases, releases_in

PROMPT = '.kimi/agents/reviewer/system.md'
HOOKS = ('omk-check', 'omk-sync')
GO_ONLY = 'Review Go code only.\n'


@pytest.fixture(scope='session')
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    """Both releases, built and installed once per session (installs are slow; the fast tier
    reuses those of this working copy from an earlier run)."""
    return releases_in(session_build('releases', build_releases, lambda: tmp_path_factory.mktemp('releases')))


def run(omk: Path, project: HookedProject, *args: str) -> subprocess.CompletedProcess[str]:
    """``omk-kimi ARGS`` of one installed release, in the project, as a user runs it."""
    return subprocess.run((str(omk), *args), cwd=project.path, env=project.env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)


def committed(project: HookedProject, message: str) -> None:
    project.git('add', '-A')
    result = project.commit(message)
    assert result.returncode == 0, result.stdout


def blocked(project: HookedProject, message: str) -> str:
    """Commit what is staged, assert the hooks refused it, return what they said."""
    head = project.head()
    result = project.commit(message)
    assert result.returncode != 0 and project.head() == head, result.stdout
    return result.stdout


def installed_project(tmp_path: Path, releases: Releases, runner_homes: dict[str, str]) -> HookedProject:
    """A project whose hooks pin the old release, with the old release's assets committed."""
    project = hooked_project(tmp_path / 'project', 'pre-commit', releases.hooks(OLD_TAG), HOOKS, runner_homes)
    assert run(releases.old_omk, project, 'install').returncode == 0
    committed(project, 'install omk assets (0.1.0)')
    return project


def accepted_edit(project: HookedProject, releases: Releases, edit: Callable[[str], str]) -> None:
    prompt = project.path / PROMPT
    prompt.write_text(edit(prompt.read_text()))
    assert run(releases.old_omk, project, 'accept', PROMPT).returncode == 0
    committed(project, 'our reviewer reviews Go only')


def upgraded(project: HookedProject, tmp_path: Path, fresh_clone: bool) -> HookedProject:
    """The project (or a fresh clone of it) with its hooks' rev bumped to the new release."""
    if fresh_clone:
        clone = tmp_path / 'clone'
        assert project.git('clone', '-q', str(project.path), str(clone)).returncode == 0
        project = HookedProject(clone, project.runner, project.env)
        project.git('config', 'user.email', 'test@example.invalid')
        project.git('config', 'user.name', 'omk test')
        project.install_git_hook()
    config = project.path / '.pre-commit-config.yaml'
    config.write_text(config.read_text().replace(f'rev: {OLD_TAG}', f'rev: {NEW_TAG}'))
    return project


def go_only(text: str) -> str:
    return text + GO_ONLY


def strict_go(text: str) -> str:
    return text.replace(OLD_LINE, 'You review Go changes only, like a strict maintainer.\n')


def test_a_staged_edit_is_blocked_passes_once_accepted_and_a_later_edit_is_blocked_again(
        tmp_path: Path, releases: Releases, runner_homes: dict[str, str]):
    project = installed_project(tmp_path, releases, runner_homes)
    prompt = project.path / PROMPT
    prompt.write_text(go_only(prompt.read_text()))
    project.git('add', PROMPT)

    first = blocked(project, 'Go-only reviewer')
    assert f'{PROMPT}: modified in the index' in first
    assert f'keep it: omk-kimi accept {PROMPT}' in first

    assert run(releases.old_omk, project, 'accept', PROMPT).returncode == 0
    committed(project, 'Go-only reviewer')
    assert project.git('show', f'HEAD:{PROMPT}').stdout.endswith(GO_ONLY)

    prompt.write_text(prompt.read_text() + 'And Rust.\n')
    project.git('add', PROMPT)
    assert f'{PROMPT}: modified in the index' in blocked(project, 'and Rust')


@pytest.mark.parametrize('fresh_clone', [False, True], ids=['same-checkout', 'fresh-clone'])
def test_upgrade_merges_a_non_overlapping_accepted_edit_without_markers_and_checks_clean(
        tmp_path: Path, releases: Releases, runner_homes: dict[str, str], fresh_clone: bool):
    project = installed_project(tmp_path, releases, runner_homes)
    accepted_edit(project, releases, go_only)
    project = upgraded(project, tmp_path, fresh_clone)

    sync = run(releases.new_omk, project, 'sync')

    assert sync.returncode == 0, sync.stdout
    assert f'{PROMPT}: merged (the new bundled version into your edit' in sync.stdout
    text = (project.path / PROMPT).read_text()
    assert NEW_LINE in text and text.endswith(GO_ONLY) and '<<<<<<<' not in text
    check = run(releases.new_omk, project, 'check')
    assert check.returncode == 0, check.stdout
    committed(project, 'upgrade omk-precommit to 0.1.1')  # through the new release's hooks
    assert project.git('status', '--porcelain').stdout == ''


@pytest.mark.parametrize('fresh_clone', [False, True], ids=['same-checkout', 'fresh-clone'])
def test_upgrade_writes_markers_into_an_overlapping_edit_exits_1_and_the_hooks_block_it(
        tmp_path: Path, releases: Releases, runner_homes: dict[str, str], fresh_clone: bool):
    project = installed_project(tmp_path, releases, runner_homes)
    accepted_edit(project, releases, strict_go)
    project = upgraded(project, tmp_path, fresh_clone)

    sync = run(releases.new_omk, project, 'sync')

    assert sync.returncode == 1, sync.stdout
    text = (project.path / PROMPT).read_text()
    assert f'<<<<<<< {PROMPT} (yours)\n' in text and f'>>>>>>> {PROMPT} (omk-precommit 0.1.1)\n' in text
    assert NEW_LINE in text and 'You review Go changes only' in text
    project.git('add', '-A')
    said = blocked(project, 'upgrade omk-precommit to 0.1.1')
    assert f'{PROMPT}: holds unresolved merge conflict markers in the index' in said

    (project.path / PROMPT).write_text(text[:text.index('<<<<<<<')]
                                       + 'You review Go changes only, like a careful, patient maintainer.\n'
                                       + text[text.index('>>>>>>>'):].split('\n', 1)[1])
    assert run(releases.new_omk, project, 'accept', PROMPT).returncode == 0
    committed(project, 'upgrade omk-precommit to 0.1.1, conflict resolved')
