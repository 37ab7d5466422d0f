"""Every command on the kimi-code target, and both targets side by side in one repository."""
from __future__ import annotations

import json

import pytest

from omk_precommit.cli import main
from omk_precommit.runtimes.bundled import bundled_by_path
from omk_precommit.runtimes.registry import KIMI_CLI, KIMI_CODE
from testing.gitrepo import snapshot

AGENT = '.kimi-code/agents/architect.md'


def test_install_check_diff_sync_rollback_on_the_kimi_code_target(repo, capsys):
    assert main(['install', '--target', 'kimi-code']) == 0
    assert set(bundled_by_path(KIMI_CODE)) | {'.kimi-code/omk-manifest.json'} == {
        p for p in snapshot(repo) if p.startswith('.kimi-code/')}
    assert not (repo / '.kimi').exists()
    assert main(['check', '--target', 'kimi-code']) == 0

    (repo / AGENT).write_text((repo / AGENT).read_text() + '\nExtra rule.\n')
    capsys.readouterr()
    assert main(['check', '--target', 'kimi-code']) == 1
    assert f'{AGENT}: modified' in capsys.readouterr().out
    assert main(['diff', '--target', 'kimi-code']) == 1
    assert '+Extra rule.' in capsys.readouterr().out
    assert main(['sync', '--target', 'kimi-code', '--force']) == 0
    assert (repo / AGENT).read_bytes() == bundled_by_path(KIMI_CODE)[AGENT].content
    assert main(['rollback', '--target', 'kimi-code']) == 0
    assert (repo / AGENT).read_text().endswith('Extra rule.\n')  # the edit sync --force backed up is back
    assert not (repo / '.kimi-code/agents/executor.md').exists()


def test_both_targets_coexist_with_one_manifest_each(repo):
    assert main(['install']) == 0 and main(['install', '--target', 'kimi-code']) == 0
    for base in ('.kimi', '.kimi-code'):
        manifest = json.loads((repo / base / 'omk-manifest.json').read_text())
        assert all(f['path'].startswith(base + '/') for f in manifest['files'])
    kimi_cli_before = snapshot(repo / '.kimi')
    assert main(['rollback', '--target', 'kimi-code']) == 0
    assert not (repo / '.kimi-code').exists() and snapshot(repo / '.kimi') == kimi_cli_before
    assert main(['check']) == 0


def test_a_kimi_code_check_without_its_manifest_says_which_install_to_run(repo, capsys):
    assert main(['install']) == 0
    capsys.readouterr()
    assert main(['check', '--target', 'kimi-code']) == 0
    assert capsys.readouterr().out == (
        '.kimi-code/omk-manifest.json: no manifest on disk, nothing to check '
        '(run omk-kimi install --target kimi-code)\n')


@pytest.mark.parametrize(('command', 'key', 'expected'), [
    (['hooks', '--target', 'kimi-code', '--json'], 'matcher', '^(Write|Edit|Bash)$'),
    (['hooks', '--json'], 'matcher', '^(WriteFile|StrReplaceFile|Shell)$'),
    (['agents', '--target', 'kimi-code', '--json'], 'tools', ['Read', 'Glob', 'Grep', 'Bash', 'WebSearch', 'FetchURL',
                                                              'TodoList']),
])
def test_the_listings_follow_the_target(command, key, expected, capsys):
    assert main(command) == 0
    assert json.loads(capsys.readouterr().out)[0][key] == expected


def test_an_unknown_target_is_a_usage_error(repo, capsys):
    assert pytest.raises(SystemExit, main, ['check', '--target', 'kimi-code-3']).value.code == 2
    assert "invalid choice: 'kimi-code-3'" in capsys.readouterr().err


def test_migrate_refuses_the_kimi_cli_as_a_destination(repo, capsys):
    assert main(['migrate', '--target', KIMI_CLI]) == 2
    assert '--to kimi-code' in capsys.readouterr().err
