from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import omk_precommit
from omk_precommit.cli import main
from omk_precommit.engine.reports import SyncScope
from testing.gitrepo import directories, snapshot
from testing.kimi_configs import REAL_WORLD


def share_dir() -> Path:
    return Path(os.environ['KIMI_SHARE_DIR'])


def test_user_install_and_rollback_leave_an_empty_home_exactly_as_it_was(isolated_home):
    before = (snapshot(isolated_home), directories(isolated_home))
    assert main(['install', '--user']) == 0
    assert (share_dir() / 'agents' / 'architect' / 'agent.yaml').is_file()
    assert main(['rollback', '--user']) == 0
    assert (snapshot(isolated_home), directories(isolated_home)) == before


def test_user_install_hooks_enable_and_rollback_leave_a_lived_in_home_exactly_as_it_was(isolated_home):
    share = share_dir()
    (share / 'sessions').mkdir(parents=True)
    (share / 'sessions' / 'one.jsonl').write_text('{"role": "user"}\n')
    (share / 'config.toml').write_text(REAL_WORLD)
    (share / 'config.toml').chmod(0o600)
    mine = share / 'agents' / 'architect' / 'agent.yaml'
    mine.parent.mkdir(parents=True)
    mine.write_text('version: 1\nagent:\n  extend: default\n  name: my-architect\n')
    before = (snapshot(isolated_home), directories(isolated_home))

    assert main(['install', '--user']) == 0
    assert 'my-architect' not in mine.read_text()
    assert main(['hooks', 'enable', '--user']) == 0
    assert main(['rollback', '--user']) == 0
    assert (snapshot(isolated_home), directories(isolated_home)) == before


def test_user_scope_holds_agents_and_hook_scripts_but_no_project_files(isolated_home):
    assert main(['install', '--user']) == 0
    manifest = json.loads((share_dir() / 'omk-manifest.json').read_text())
    kinds = {entry['kind'] for entry in manifest['files']}
    assert kinds == {'agent_spec', 'agent_prompt', 'hook_script'}
    assert os.access(share_dir() / 'hooks' / 'safety-check.sh', os.X_OK)
    assert not (share_dir() / 'skills').exists() and not (share_dir() / 'hooks.toml.example').exists()


def test_user_sync_keeps_a_local_edit_and_recreates_a_deleted_file(isolated_home, capsys):
    assert main(['install', '--user']) == 0
    edited = share_dir() / 'agents' / 'reviewer' / 'system.md'
    edited.write_text('my own reviewer prompt\n')
    (share_dir() / 'hooks' / 'notify.sh').unlink()
    capsys.readouterr()
    assert main(['sync', '--user', '--json']) == 0
    report = json.loads(capsys.readouterr().out)
    assert report['scope'] == 'user'
    assert report['kept_local'] == ['.kimi/agents/reviewer/system.md']
    assert report['created'] == ['.kimi/hooks/notify.sh']
    assert edited.read_text() == 'my own reviewer prompt\n'


def test_user_dir_override_is_honoured(isolated_home, monkeypatch):
    legacy = isolated_home / '.config' / 'kimi'
    legacy.parent.mkdir()
    monkeypatch.setenv('OMK_KIMI_USER_DIR', str(legacy))
    assert main(['install', '--user']) == 0
    assert (legacy / 'agents' / 'executor' / 'agent.yaml').is_file()
    assert (legacy / 'omk-manifest.json').is_file()
    assert not share_dir().exists()


def test_a_symlinked_share_dir_is_followed_not_refused(isolated_home):
    real = isolated_home / 'dotfiles' / 'kimi'
    real.mkdir(parents=True)
    share_dir().symlink_to(real)
    assert main(['install', '--user']) == 0
    assert (real / 'agents' / 'verifier' / 'system.md').is_file()
    assert main(['rollback', '--user']) == 0
    assert list(real.iterdir()) == [] and share_dir().is_symlink()


def test_user_dry_run_touches_nothing(isolated_home):
    before = (snapshot(isolated_home), directories(isolated_home))
    assert main(['install', '--user', '--dry-run']) == 0
    assert main(['sync', '--user', '--dry-run']) == 0
    assert main(['rollback', '--user', '--dry-run']) == 0
    assert (snapshot(isolated_home), directories(isolated_home)) == before


def test_user_scope_api_is_exported(isolated_home):
    report = omk_precommit.install_user_assets()
    assert sorted(report.agents_installed) == ['architect', 'executor', 'explore', 'reviewer', 'security', 'verifier']
    assert omk_precommit.sync_user_assets().scope is SyncScope.USER
    assert omk_precommit.rollback_user_assets().removed


@pytest.mark.parametrize('command', [['install', '--user'], ['sync', '--user']])
def test_user_dir_whose_parent_is_missing_is_created(isolated_home, monkeypatch, capsys, command):
    # omk 0.5.0's ~/.config/kimi on a machine without ~/.config (issue 17).
    user_dir = isolated_home / 'fresh' / '.config' / 'kimi'
    monkeypatch.setenv('OMK_KIMI_USER_DIR', str(user_dir))
    assert main(command) == 0, capsys.readouterr().err
    assert (user_dir / 'agents' / 'architect' / 'agent.yaml').is_file()
    assert (user_dir / 'omk-manifest.json').is_file()
    assert main(['rollback', '--user']) == 0
    assert not (user_dir / 'omk-manifest.json').exists()


@pytest.mark.parametrize('command', [['install', '--user', '--dry-run'], ['sync', '--user', '--dry-run'],
                                     ['rollback', '--user', '--dry-run'], ['rollback', '--user']])
def test_user_dir_whose_parent_is_missing_is_planned_without_creating_it(isolated_home, monkeypatch, capsys, command):
    monkeypatch.setenv('OMK_KIMI_USER_DIR', str(isolated_home / 'fresh' / '.config' / 'kimi'))
    assert main(command) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert not (isolated_home / 'fresh').exists()
    if command[0] != 'rollback':
        assert 'agents/architect/agent.yaml: would' in out


def test_user_dir_below_a_file_is_a_clear_error(isolated_home, monkeypatch, capsys):
    (isolated_home / 'blocker').write_text('a file where a directory belongs\n')
    monkeypatch.setenv('OMK_KIMI_USER_DIR', str(isolated_home / 'blocker' / '.config' / 'kimi'))
    assert main(['install', '--user']) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'blocker' in err and 'move it aside' in err


@pytest.mark.parametrize('command', [['install', '--user'], ['sync', '--user'], ['rollback', '--user']])
def test_user_commands_say_which_directory_and_why(isolated_home, capsys, command):
    assert main(command) == 0
    assert f'user scope: {share_dir()} (the Kimi CLI share dir ($KIMI_SHARE_DIR))' in capsys.readouterr().out
