"""``omk-kimi accept`` and ``forget``: a project owns its edits, deletions and unmanaged files."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.runtimes.bundled import bundled_by_path
from testing.gitrepo import commit_all, git, snapshot
from testing.omk import omk

PROMPT = '.kimi/agents/reviewer/system.md'
SCRIPT = '.kimi/hooks/notify.sh'
GO_ONLY = 'Review Go code only.\n'


def edit(root: Path, rel: str = PROMPT, extra: str = GO_ONLY) -> bytes:
    path = root / rel
    path.write_bytes(path.read_bytes() + extra.encode())
    return path.read_bytes()


def test_after_accept_check_passes_sync_keeps_the_edit_and_rollback_leaves_it(installed: Path):
    mine = edit(installed)
    assert omk(installed, 'check').code == 1

    accepted = omk(installed, 'accept', PROMPT)

    assert accepted.code == 0, accepted
    assert f"{PROMPT}: accepted: the project's version now" in accepted.out
    entry = AssetManifest.load(installed).entry(PROMPT)
    assert (entry.checksum, entry.base_checksum) == (compute_checksum(mine), compute_checksum(bundled_by_path()[PROMPT].content))
    assert omk(installed, 'check').code == 0
    synced = omk(installed, 'sync', '--fail-on-change')
    assert synced.code == 0 and f"{PROMPT}: kept: accepted, the project's own version" in synced.out
    assert (installed / PROMPT).read_bytes() == mine
    rolled = omk(installed, 'rollback')
    assert f"{PROMPT}: kept (accepted: the project's own version now)" in rolled.out
    assert (installed / PROMPT).read_bytes() == mine


def test_a_later_edit_of_an_accepted_file_is_drift_again(installed: Path):
    edit(installed)
    omk(installed, 'accept', PROMPT)
    edit(installed, extra='And Rust.\n')

    result = omk(installed, 'check')

    assert result.code == 1
    assert f'{PROMPT}: modified on disk' in result.out


def test_diff_shows_an_accepted_file_against_the_bundled_version(installed: Path):
    edit(installed)
    omk(installed, 'accept', PROMPT)

    result = omk(installed, 'diff', PROMPT)

    assert f'--- a/{PROMPT} (bundled)' in result.out
    assert f'+{GO_ONLY}' in result.out


def test_diff_of_an_accepted_file_edited_again_compares_with_the_accepted_version_from_git(installed: Path):
    edit(installed)
    omk(installed, 'accept', PROMPT)
    commit_all(installed, 'accept the Go-only reviewer')
    edit(installed, extra='And Rust.\n')

    result = omk(installed, 'diff', PROMPT)

    assert '+And Rust.\n' in result.out
    assert f'+{GO_ONLY}' not in result.out


def test_an_accepted_deletion_passes_check_stays_deleted_and_only_force_recreates_it(installed: Path):
    (installed / SCRIPT).unlink()

    accepted = omk(installed, 'accept', SCRIPT)

    assert accepted.code == 0
    assert f'{SCRIPT}: accepted as deleted' in accepted.out
    assert omk(installed, 'check').code == 0
    synced = omk(installed, 'sync', '--fail-on-change')
    assert synced.code == 0 and f'{SCRIPT}: stays deleted' in synced.out
    assert not (installed / SCRIPT).exists()
    forced = omk(installed, 'sync', '--force')
    assert f'{SCRIPT}: recreated: your accepted deletion was overridden by --force' in forced.out
    assert (installed / SCRIPT).read_bytes() == bundled_by_path()[SCRIPT].content
    assert AssetManifest.load(installed).deleted == ()


def test_accept_all_takes_every_drifted_file(installed: Path):
    edit(installed)
    (installed / SCRIPT).unlink()

    result = omk(installed, 'accept', '--all', '--json')

    assert json.loads(result.out) == {'accepted': [PROMPT], 'deleted': [SCRIPT], 'unchanged': [], 'refused': [],
                                      'dry_run': False, 'runtime': 'kimi-cli'}
    assert omk(installed, 'check').code == 0


def test_accept_refuses_a_file_holding_conflict_markers_and_check_names_them(installed: Path):
    (installed / PROMPT).write_text('<<<<<<< mine\nGo only\n=======\nany language\n>>>>>>> theirs\n')

    check = omk(installed, 'check')
    result = omk(installed, 'accept', PROMPT)

    assert check.code == 1
    assert f'{PROMPT}: holds unresolved merge conflict markers on disk' in check.out
    assert result.code == 1
    assert f'{PROMPT}: not accepted: holds conflict markers' in result.out
    assert omk(installed, 'check').code == 1


def test_check_failure_names_the_three_ways_out(installed: Path):
    edit(installed)

    result = omk(installed, 'check')

    assert (f'see it: omk-kimi diff {PROMPT}; keep it: omk-kimi accept {PROMPT}; '
            'drop it: omk-kimi sync --force') in result.out


def test_forget_keeps_the_file_and_check_sync_and_rollback_leave_it_alone(installed: Path):
    mine = edit(installed)

    result = omk(installed, 'forget', PROMPT)

    assert result.code == 0
    assert f'{PROMPT}: forgotten' in result.out
    manifest = AssetManifest.load(installed)
    assert manifest.entry(PROMPT) is None and manifest.forgotten == (PROMPT,)
    assert omk(installed, 'check').code == 0
    assert omk(installed, 'sync', '--fail-on-change').code == 0
    assert omk(installed, 'sync', '--force').code == 0
    assert (installed / PROMPT).read_bytes() == mine
    omk(installed, 'rollback')
    assert (installed / PROMPT).read_bytes() == mine


def test_install_manages_a_forgotten_file_again(installed: Path):
    omk(installed, 'forget', PROMPT)

    omk(installed, 'install')

    assert AssetManifest.load(installed).entry(PROMPT) is not None
    assert AssetManifest.load(installed).forgotten == ()


@pytest.mark.parametrize('command', [('accept', PROMPT), ('accept', '--all'), ('forget', PROMPT)])
def test_dry_run_of_accept_and_forget_changes_nothing_and_says_what_it_would_do(installed: Path, command):
    edit(installed)
    before = snapshot(installed)

    result = omk(installed, *command, '--dry-run')

    assert result.code == 0
    assert f'{PROMPT}: would be ' in result.out
    assert snapshot(installed) == before


@pytest.mark.parametrize('command', ['accept', 'forget'])
def test_a_path_the_manifest_does_not_manage_is_one_line_and_exit_2(installed: Path, command):
    result = omk(installed, command, 'README.md')

    assert result.code == 2
    assert result.err == 'omk-kimi: README.md: not a file the manifest manages; run omk-kimi check to list drift\n'


def test_accept_without_a_manifest_is_one_line_and_exit_2(repo: Path):
    result = omk(repo, 'accept', '--all')

    assert result.code == 2
    assert 'no manifest, nothing is managed; run omk-kimi install first' in result.err


def test_accept_without_paths_or_all_says_how_to_call_it(installed: Path):
    result = omk(installed, 'accept')

    assert result.code == 2
    assert 'name the files to accept (PATH...), or --all' in result.err


def test_accept_and_forget_work_for_the_kimi_code_target(repo: Path):
    agent = '.kimi-code/agents/reviewer.md'
    assert omk(repo, 'install', '--target', 'kimi-code').code == 0
    edit(repo, agent)

    assert omk(repo, 'accept', agent, '--target', 'kimi-code').code == 0
    assert omk(repo, 'check', '--target', 'kimi-code').code == 0
    assert omk(repo, 'forget', agent, '--target', 'kimi-code').code == 0
    assert AssetManifest.load(repo, '.kimi-code').forgotten == (agent,)


def test_accept_and_forget_work_in_the_user_scope(isolated_home: Path, repo: Path):
    assert omk(repo, 'install', '--user').code == 0
    share = isolated_home / '.kimi'
    prompt = share / 'agents/reviewer/system.md'
    prompt.write_bytes(prompt.read_bytes() + GO_ONLY.encode())

    accepted = omk(repo, 'accept', '--user', str(prompt), '--json')
    synced = omk(repo, 'sync', '--user', '--json')

    assert json.loads(accepted.out)['accepted'] == ['.kimi/agents/reviewer/system.md']
    assert json.loads(synced.out)['accepted'] == ['.kimi/agents/reviewer/system.md']
    assert prompt.read_bytes().endswith(GO_ONLY.encode())
    assert omk(repo, 'forget', '--user', str(prompt)).code == 0
    assert omk(repo, 'rollback', '--user').code == 0
    assert prompt.read_bytes().endswith(GO_ONLY.encode())


def test_an_edit_accepted_in_a_crlf_checkout_passes_check_on_disk_and_in_the_index(installed: Path):
    git(installed, 'config', 'core.autocrlf', 'true')
    path = installed / PROMPT
    path.write_bytes((path.read_bytes() + GO_ONLY.encode()).replace(b'\n', b'\r\n'))

    assert omk(installed, 'accept', PROMPT).code == 0
    git(installed, 'add', '-A')

    assert omk(installed, 'check').code == 0
    staged = omk(installed, 'check', '--staged')
    assert staged.code == 0, staged.out
    assert b'\r\n' not in git_blob(installed, PROMPT)


def git_blob(root: Path, rel: str) -> bytes:
    return subprocess.run(('git', 'show', f':{rel}'), cwd=root, capture_output=True, check=True).stdout
