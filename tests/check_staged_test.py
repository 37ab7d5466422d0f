"""`omk-kimi check` judges what is being committed: the index inside a commit, the disk otherwise.

These tests drive the CLI directly and through a plain git hook (no pre-commit), where
nothing stashes unstaged changes and only reading git's index gives the right answer.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from testing.gitrepo import commit_all, git

AGENT = '.kimi/agents/architect/agent.yaml'
HOOK_SCRIPT = '.kimi/hooks/notify.sh'


@pytest.fixture
def raw_hook(installed: Path) -> Path:
    """``omk-kimi check`` as a plain ``.git/hooks/pre-commit``, the way a user might wire it."""
    hook = installed / '.git' / 'hooks' / 'pre-commit'
    hook.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m omk_precommit check\n')
    hook.chmod(0o755)
    return installed


def edit(repo: Path, rel: str, text: str = '# local tweak\n') -> bytes:
    path = repo / rel
    path.write_bytes(path.read_bytes() + text.encode())
    return path.read_bytes()


def commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(('git', 'commit', '-m', 'change', *args), cwd=repo, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)


def test_staged_check_blocks_a_staged_edit_even_after_the_working_tree_was_reverted(installed, capsys):
    original = (installed / AGENT).read_bytes()
    edit(installed, AGENT)
    git(installed, 'add', AGENT)
    (installed / AGENT).write_bytes(original)

    assert main(['check']) == 0
    capsys.readouterr()
    assert main(['check', '--staged']) == 1
    assert f'{AGENT}: modified in the index' in capsys.readouterr().out


def test_staged_check_ignores_an_unstaged_edit(installed, capsys):
    edit(installed, AGENT)

    assert main(['check', '--staged']) == 0
    assert '17 managed files match the manifest in the index' in capsys.readouterr().out


def test_staged_check_reports_a_staged_deletion_as_missing(installed, capsys):
    git(installed, 'rm', '-q', '--cached', HOOK_SCRIPT)  # still on disk, gone from the commit

    assert main(['check', '--staged', '--json']) == 1
    report = json.loads(capsys.readouterr().out)
    assert report['drifted'] == [{'path': HOOK_SCRIPT, 'state': 'missing'}]
    assert report['source'] == 'index'


def test_staged_check_reads_the_manifest_from_the_index(repo, capsys):
    install_project_assets(repo)  # nothing staged: the commit holds no omk assets

    assert main(['check', '--staged']) == 0
    assert 'no manifest in the index' in capsys.readouterr().out


def test_staged_check_reports_an_ignored_managed_path_as_skipped(repo, capsys):
    (repo / '.gitignore').write_text('.kimi/skills/\n')
    install_project_assets(repo)
    git(repo, 'add', '-A')

    assert main(['check', '--staged']) == 0
    out = capsys.readouterr().out
    assert '.kimi/skills/omk-managed-assets/SKILL.md: skipped (ignored by git)' in out


def test_staged_check_outside_git_is_one_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    assert main(['check', '--staged']) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'cannot read the git index' in err and 'Traceback' not in err


def test_git_hook_blocks_a_staged_edit_and_names_the_file(raw_hook):
    edit(raw_hook, AGENT)
    git(raw_hook, 'add', AGENT)

    result = commit(raw_hook)

    assert result.returncode != 0
    assert f'{AGENT}: modified in the index' in result.stdout


def test_git_hook_lets_an_unstaged_edit_through_and_keeps_it(raw_hook):
    edited = edit(raw_hook, AGENT)
    (raw_hook / 'notes.txt').write_text('unrelated\n')
    git(raw_hook, 'add', 'notes.txt')

    result = commit(raw_hook)

    assert result.returncode == 0, result.stdout
    assert (raw_hook / AGENT).read_bytes() == edited


def test_git_hook_judges_the_temporary_index_of_a_partial_commit(raw_hook):
    edit(raw_hook, AGENT)
    git(raw_hook, 'add', AGENT)
    (raw_hook / 'notes.txt').write_text('unrelated\n')
    git(raw_hook, 'add', 'notes.txt')

    result = commit(raw_hook, '--', 'notes.txt')  # the staged agent edit stays out of this commit

    assert result.returncode == 0, result.stdout
    assert git(raw_hook, 'diff', '--cached', '--name-only').stdout.strip() == AGENT


def test_git_hook_judges_the_index_of_commit_all(raw_hook):
    edit(raw_hook, AGENT)  # unstaged, but -a puts it in the commit

    result = commit(raw_hook, '-a')

    assert result.returncode != 0
    assert f'{AGENT}: modified in the index' in result.stdout


def test_root_is_found_from_a_subdirectory_of_a_linked_worktree(installed, tmp_path, monkeypatch, capsys):
    linked = tmp_path / 'linked'
    git(installed, 'worktree', 'add', '-q', '-b', 'side', str(linked))
    edit(linked, AGENT)
    monkeypatch.chdir(linked / '.kimi' / 'agents')

    assert main(['check']) == 1
    assert f'{AGENT}: modified on disk' in capsys.readouterr().out
    git(linked, 'add', AGENT)
    assert main(['check', '--staged']) == 1
    assert f'{AGENT}: modified in the index' in capsys.readouterr().out


@pytest.mark.parametrize('conversion', ['core.autocrlf=true', '.gitattributes eol=crlf'])
def test_crlf_checkout_is_not_drift_on_disk_or_in_the_index(repo, tmp_path, monkeypatch, capsys, conversion):
    if conversion.startswith('.gitattributes'):
        (repo / '.gitattributes').write_text('* text eol=crlf\n')
    install_project_assets(repo)
    commit_all(repo, 'install')
    clone = tmp_path / 'clone'
    git(tmp_path, 'clone', '-q', *(['-c', 'core.autocrlf=true'] if conversion.startswith('core') else []),
        str(repo), str(clone))
    assert b'\r\n' in (clone / AGENT).read_bytes()
    monkeypatch.chdir(clone)

    assert main(['check']) == 0
    assert main(['check', '--staged']) == 0
    manifest = (clone / '.kimi/omk-manifest.json').read_bytes()
    assert main(['sync', '--fail-on-change']) == 0
    assert (clone / '.kimi/omk-manifest.json').read_bytes() == manifest  # no CRLF->LF churn
    assert git(clone, 'status', '--porcelain').stdout == ''
    capsys.readouterr()
    (clone / AGENT).write_bytes((clone / AGENT).read_bytes().replace(b'architect', b'archi-tect'))
    git(clone, 'add', AGENT)
    assert main(['check']) == 1 and main(['check', '--staged']) == 1


def test_drift_is_a_github_annotation_in_github_actions(installed, monkeypatch, capsys):
    monkeypatch.setenv('GITHUB_ACTIONS', 'true')
    edit(installed, AGENT)
    (installed / HOOK_SCRIPT).unlink()

    assert main(['check']) == 1
    out = capsys.readouterr().out.splitlines()
    assert f'::error file={AGENT}::omk-check: managed file modified, it differs from .kimi/omk-manifest.json; ' \
           'run omk-kimi diff' in out
    assert any(line.startswith(f'::error file={HOOK_SCRIPT}::omk-check: managed file missing') for line in out)


def test_no_annotation_outside_github_actions_or_with_json(installed, monkeypatch, capsys):
    edit(installed, AGENT)
    assert main(['check']) == 1
    assert '::error' not in capsys.readouterr().out
    monkeypatch.setenv('GITHUB_ACTIONS', 'true')
    assert main(['check', '--json']) == 1
    json.loads(capsys.readouterr().out)  # stdout stays pure JSON


def test_sync_repair_is_a_github_annotation(installed, monkeypatch, capsys):
    monkeypatch.setenv('GITHUB_ACTIONS', 'true')
    (installed / HOOK_SCRIPT).unlink()

    assert main(['sync', '--fail-on-change']) == 1
    out = capsys.readouterr().out
    assert f'::error file={HOOK_SCRIPT}::omk-sync: managed file was missing and has been restored' in out


def test_sync_conflict_is_a_github_annotation(installed, monkeypatch, capsys):
    from omk_precommit.engine.manifest import AssetManifest, ManifestEntry

    # Pretend the manifest recorded an older template, and the user edited the file since.
    manifest = AssetManifest.load(installed)
    assert manifest is not None
    old = [ManifestEntry(e.path, e.kind, '0' * 16) if e.path == AGENT else e for e in manifest.files]
    manifest.with_changes(old, list(manifest.directories), list(manifest.backups)).save(installed)
    edit(installed, AGENT)
    monkeypatch.setenv('GITHUB_ACTIONS', 'true')

    assert main(['sync']) == 1
    assert f'::error file={AGENT}::omk-sync: local edit conflicts with a newer bundled version' in capsys.readouterr().out
