"""``omk-kimi doctor --staged`` (the default in a commit hook): the doctor judges what is being doctor_project.

Each test builds a real git repository; the staged view is what ``git checkout-index`` writes,
so modes, symlinks and files outside ``.kimi/`` that staged files point at come from the index.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from omk_precommit import DiagResult, Severity, diagnose_project
from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from testing.gitrepo import commit_all, git

BROKEN_AGENT = 'version: 1\nagent:\n  extend: default\n  name: mine\n  tools: [not_a_tool_path]\n'
MINE = '.kimi/agents/mine/agent.yaml'
ARCHITECT = '.kimi/agents/architect/agent.yaml'


def write(root: Path, rel: str, text: str, mode: int = 0o644) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)
    (root / rel).chmod(mode)


def errors(results: list[DiagResult]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for r in results:
        if r.severity is Severity.ERROR:
            found.setdefault(r.path or '', []).append(r.message)
    return found


def messages(results: list[DiagResult]) -> list[str]:
    return [f'{r.path}: {r.message}' for r in results]


def test_untracked_broken_agent_is_skipped_as_not_part_of_the_commit(doctor_project: Path):
    write(doctor_project, MINE, BROKEN_AGENT)

    staged = diagnose_project(doctor_project, staged=True)
    worktree = diagnose_project(doctor_project)

    assert errors(staged) == {}
    assert f'.kimi/: skipped 1 untracked file, not part of the commit: {MINE}' in messages(staged)
    assert '.kimi/: checked as staged in the git index, which is what is being committed' in messages(staged)
    assert MINE in errors(worktree)


def test_staged_broken_agent_is_an_error_naming_the_file(doctor_project: Path):
    write(doctor_project, MINE, BROKEN_AGENT)
    git(doctor_project, 'add', MINE)

    assert main(['doctor', '--staged']) == 1

    found = errors(diagnose_project(doctor_project, staged=True))
    assert "tool 'not_a_tool_path' is not of the form module:Class" in found[MINE][0]


def test_unstaged_broken_edit_of_a_tracked_agent_is_not_judged_but_a_staged_one_is(doctor_project: Path):
    good = (doctor_project / ARCHITECT).read_text()
    write(doctor_project, ARCHITECT, 'version: 2\n')

    assert errors(diagnose_project(doctor_project, staged=True)) == {}
    assert (doctor_project / ARCHITECT).read_text() == 'version: 2\n'  # the working tree is left alone
    git(doctor_project, 'add', ARCHITECT)
    write(doctor_project, ARCHITECT, good)  # reverting only the working tree does not fix the commit
    assert ARCHITECT in errors(diagnose_project(doctor_project, staged=True))


@pytest.mark.parametrize(('index_bit', 'disk_mode', 'is_error'), [('-x', 0o755, True), ('+x', 0o644, False)])
def test_executable_bit_of_a_hook_script_is_judged_as_git_records_it(
        doctor_project: Path, index_bit: str, disk_mode: int, is_error: bool):
    script = '.kimi/hooks/notify.sh'
    git(doctor_project, 'update-index', f'--chmod={index_bit}', script)
    (doctor_project / script).chmod(disk_mode)

    found = errors(diagnose_project(doctor_project, staged=True))

    assert any('notify.sh is not executable' in m for m in found.get('.kimi/hooks.toml.example', [])) == is_error


def test_files_outside_kimi_that_staged_files_point_at_are_read_from_the_index(doctor_project: Path):
    write(doctor_project, 'scripts/guard.sh', '#!/bin/sh\nexit 0\n', 0o755)
    write(doctor_project, '.kimi/config.toml', '[[hooks]]\nevent = "Stop"\ncommand = "scripts/guard.sh"\n')
    write(doctor_project, 'docs/prompt.md', 'You document the project.\n')
    write(doctor_project, '.kimi/agents/doc/agent.yaml',
          'version: 1\nagent:\n  extend: default\n  name: doc\n  system_prompt_path: ../../../docs/prompt.md\n')
    write(doctor_project, 'shared/demo/SKILL.md', '---\nname: demo\ndescription: A shared skill.\n---\nBody.\n')
    (doctor_project / '.kimi/skills/demo').mkdir()
    os.symlink('../../../shared/demo/SKILL.md', doctor_project / '.kimi/skills/demo/SKILL.md')
    git(doctor_project, 'add', '-A')

    results = diagnose_project(doctor_project, staged=True)
    assert errors(results) == {}
    assert ".kimi/skills/demo/SKILL.md: skill 'demo'" in messages(results)

    git(doctor_project, 'rm', '-q', '--cached', 'scripts/guard.sh', 'docs/prompt.md', 'shared/demo/SKILL.md')
    found = errors(diagnose_project(doctor_project, staged=True))

    assert found.keys() == {'.kimi/config.toml', '.kimi/agents/doc/agent.yaml', '.kimi/skills/demo/SKILL.md'}
    assert 'script scripts/guard.sh does not exist' in found['.kimi/config.toml'][0]
    assert 'system prompt file docs/prompt.md does not exist' in found['.kimi/agents/doc/agent.yaml'][0]
    assert 'is not a file (a broken symlink' in found['.kimi/skills/demo/SKILL.md'][0]
    assert errors(diagnose_project(doctor_project)) == {}  # all three are still on disk


def test_git_ignored_managed_file_that_is_not_staged_is_not_an_error(repo: Path):
    install_project_assets(repo)
    (repo / '.gitignore').write_text('.kimi/agents/explore/\n')
    commit_all(repo, 'install, the explorer ignored')

    results = diagnose_project(repo, staged=True)

    assert errors(results) == {}
    assert '.kimi/agents/explore/system.md: differs from the manifest but git ignores it; not checked' in messages(results)


def test_a_commit_with_nothing_staged_under_kimi_is_an_error_that_says_so(repo: Path):
    install_project_assets(repo)

    found = errors(diagnose_project(repo, staged=True))

    assert found['.kimi/'] == ['nothing under it is staged, so the commit holds no assets to check']


def test_many_untracked_files_are_summarised_in_one_line(doctor_project: Path):
    for name in 'abcde':
        write(doctor_project, f'.kimi/skills/wip-{name}/SKILL.md', '---\nname: oops\n')

    skipped = [m for m in messages(diagnose_project(doctor_project, staged=True)) if 'untracked' in m]

    assert skipped == ['.kimi/: skipped 5 untracked files, not part of the commit: .kimi/skills/wip-a/SKILL.md, '
                       '.kimi/skills/wip-b/SKILL.md, .kimi/skills/wip-c/SKILL.md and 2 more']


def test_kimi_code_target_skips_an_untracked_broken_agent_file(repo: Path):
    install_project_assets(repo, target='kimi-code')
    commit_all(repo, 'install kimi-code assets')
    write(repo, '.kimi-code/agents/wip.md', '---\nname: Not A Valid Name\n---\n')

    assert '.kimi-code/agents/wip.md' in errors(diagnose_project(repo, target='kimi-code'))
    assert errors(diagnose_project(repo, target='kimi-code', staged=True)) == {}


def test_a_commit_hook_environment_selects_the_staged_view_unless_dir_is_given(
        doctor_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    write(doctor_project, MINE, BROKEN_AGENT)
    monkeypatch.setenv('GIT_INDEX_FILE', str(doctor_project / '.git' / 'index'))

    assert main(['doctor', '--json']) == 0
    skipped = [r for r in json.loads(capsys.readouterr().out) if 'untracked' in r['message']]
    assert skipped == [{'severity': 'ok', 'check': 'project', 'path': '.kimi/', 'fix': None, 'runtime': 'kimi-cli',
                        'message': f'skipped 1 untracked file, not part of the commit: {MINE}'}]
    assert main(['doctor', '--dir', str(doctor_project)]) == 1


def test_staged_view_leaves_no_temporary_files_and_does_not_touch_the_index(
        doctor_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv('TMPDIR', str(tmp_path / 'tmp'))
    (tmp_path / 'tmp').mkdir()
    write(doctor_project, ARCHITECT, 'version: 2\n')
    status = git(doctor_project, 'status', '--porcelain').stdout

    diagnose_project(doctor_project, staged=True)

    assert list((tmp_path / 'tmp').iterdir()) == []
    assert git(doctor_project, 'status', '--porcelain').stdout == status


def test_a_blocked_commit_lists_only_the_problems_and_a_run_by_hand_the_whole_checklist(doctor_project, capsys):
    (doctor_project / ARCHITECT).write_text('version: 2\n')
    commit_all(doctor_project, 'break the architect')
    assert main(['doctor', '--staged']) == 1
    out = capsys.readouterr().out
    assert f'{ARCHITECT}: error:' in out
    assert ': ok:' not in out
    assert out.rstrip().splitlines()[-1].startswith('doctor: 1 error')
    assert main(['doctor']) == 1
    assert ': ok:' in capsys.readouterr().out



def test_staged_view_leaves_the_working_tree_stat_alone(doctor_project: Path):
    # A hard link or a chmod would change the ctime, and git's index and the check's stat cache
    # would then rehash every file on the next run.
    def stats() -> dict[str, tuple[int, int, int]]:
        return {str(p): (p.lstat().st_ctime_ns, p.lstat().st_nlink, p.lstat().st_mode)
                for p in (doctor_project / '.kimi').rglob('*')}

    for i in range(80):  # a larger asset dir, as a shortcut for many files might treat it
        write(doctor_project, f'.kimi/notes/n{i:02}.md', f'note {i}\n')
    commit_all(doctor_project, 'notes')
    before = stats()
    diagnose_project(doctor_project, staged=True)

    assert stats() == before
