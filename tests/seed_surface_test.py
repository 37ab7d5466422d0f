"""The seed's surface as omk's callers use it, beyond omk's own tests (issue 17)."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import omk_precommit
from omk_precommit.cli import main
from omk_precommit.engine.manifest import AssetManifest
from testing.omk import omk

SEED_NAMES = (
    'install_project_assets', 'install_user_assets', 'sync_project_assets', 'sync_user_assets', 'rollback',
    'diagnose_project', 'AgentSpec', 'RoleAgent', 'default_role_agents', 'write_agent_to_dir', 'HookEvent',
    'HookConfig', 'ProjectHookDefs', 'default_project_hooks', 'AssetManifest', 'EntryKind', 'compute_checksum',
    'is_identical', 'maybe_backup', 'RolePack', 'DiagResult', 'Severity', 'InstallReport', 'SyncReport',
    'SyncScope', 'RollbackReport',
)
DOCS_API = Path(__file__).resolve().parent.parent / 'docs' / 'api.md'


def test_every_seed_name_is_exported_and_listed_in_the_api_docs() -> None:
    docs = DOCS_API.read_text()
    for name in SEED_NAMES:
        assert name in omk_precommit.__all__
        assert f'`{name}' in docs, name


def test_every_exported_name_is_the_object_never_a_module() -> None:
    """``from omk_precommit import rollback`` is the function, before and after every submodule is imported."""
    script = '''
import importlib, pkgutil, types
import omk_precommit
first = {name: getattr(omk_precommit, name) for name in omk_precommit.__all__}
modules = [m.name for m in pkgutil.walk_packages(omk_precommit.__path__, 'omk_precommit.') if not m.name.endswith('__main__')]
for module in modules:
    importlib.import_module(module)
top_level = {m.split('.')[1] for m in modules}
for name in omk_precommit.__all__:
    assert name not in top_level, f'{name} is also a submodule of the package'
    value = getattr(omk_precommit, name)
    assert not isinstance(value, types.ModuleType), name
    assert value is first[name], name
    exec(f'from omk_precommit import {name} as imported')
    assert imported is value, name
from omk_precommit import rollback
assert rollback.__module__ == 'omk_precommit.commands.rollback' and callable(rollback)
print(len(omk_precommit.__all__))
'''
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(omk_precommit.__all__) >= len(SEED_NAMES)


def _omk_style_manifest(project: Path) -> None:
    """Drop the ``backups`` list, as a manifest written without one (omk's, or an older ours) has none."""
    path = AssetManifest.path_for(project)
    data = json.loads(path.read_text())
    del data['backups']
    path.write_text(json.dumps(data, indent=2))


def test_manifest_without_backups_rollback_restores_the_original_byte_for_byte(tmp_path: Path) -> None:
    project = tmp_path / 'project'
    original = b'#!/bin/sh\r\n# the team\'s own hook\r\n\x00\xff binary tail'
    hook = project / '.kimi/hooks/notify.sh'
    hook.parent.mkdir(parents=True)
    hook.write_bytes(original)
    hook.chmod(0o750)
    assert omk(project, 'install').code == 0
    assert hook.read_bytes() != original
    [backup] = [p for p in hook.parent.iterdir() if '.omk-backup-' in p.name]
    _omk_style_manifest(project)

    dry = omk(project, 'rollback', '--dry-run')
    assert dry.code == 0 and '.kimi/hooks/notify.sh: would be restored from backup' in dry.out
    result = omk(project, 'rollback')
    assert result.code == 0, result.err
    assert '.kimi/hooks/notify.sh: restored from backup' in result.out
    assert hook.read_bytes() == original
    assert hook.stat().st_mode & 0o777 == 0o750
    assert not backup.exists()
    assert not AssetManifest.path_for(project).exists()


def test_rollback_restores_the_oldest_unlisted_backup_and_keeps_the_later_ones(tmp_path: Path) -> None:
    project = tmp_path / 'project'
    project.mkdir()
    assert omk(project, 'install').code == 0
    hook = project / '.kimi/hooks/notify.sh'
    (hook.parent / 'notify.sh.omk-backup-1700000000').write_bytes(b'original\n')
    (hook.parent / 'notify.sh.omk-backup-1800000000').write_bytes(b'a later copy\n')
    _omk_style_manifest(project)
    assert omk(project, 'rollback').code == 0
    assert hook.read_bytes() == b'original\n'
    assert (hook.parent / 'notify.sh.omk-backup-1800000000').read_bytes() == b'a later copy\n'


def test_rollback_reports_a_backup_that_is_not_a_file_and_exits_1(tmp_path: Path) -> None:
    project = tmp_path / 'project'
    project.mkdir()
    assert omk(project, 'install').code == 0
    (project / '.kimi/hooks/notify.sh.omk-backup-1700000000').mkdir()
    result = omk(project, 'rollback')
    assert result.code == 1
    assert re.search(r'^error: cannot restore \.kimi/hooks/notify\.sh: its backup .* is a directory', result.out, re.M)
    assert (project / '.kimi/hooks/notify.sh').exists()
    assert not (project / '.kimi/hooks/safety-check.sh').exists()


def test_older_manifest_version_loads_with_one_warning_and_sync_upgrades_it(tmp_path: Path) -> None:
    project = tmp_path / 'project'
    project.mkdir()
    assert omk(project, 'install').code == 0
    path = AssetManifest.path_for(project)
    path.write_text(path.read_text().replace('"version": 1', '"version": 0'))
    for command in ('check', 'doctor'):
        result = omk(project, command)
        assert result.code == 0, result.err
        assert result.err.count('\n') == 1
        assert result.err.startswith('omk-kimi: warning: .kimi/omk-manifest.json: manifest version 0 is older')
    assert omk(project, 'sync').code == 0
    assert json.loads(path.read_text())['version'] == 1
    assert omk(project, 'check').err == ''


def test_negative_manifest_version_is_still_refused(tmp_path: Path) -> None:
    project = tmp_path / 'project'
    project.mkdir()
    assert omk(project, 'install').code == 0
    path = AssetManifest.path_for(project)
    path.write_text(path.read_text().replace('"version": 1', '"version": -1'))
    result = omk(project, 'check')
    assert result.code == 2 and 'unknown manifest version -1' in result.err


def test_skills_as_a_file_is_diagnosed_and_the_fix_works(tmp_path: Path) -> None:
    project = tmp_path / 'project'
    project.mkdir()
    assert omk(project, 'install').code == 0
    skills = project / '.kimi/skills'
    for child in sorted(skills.rglob('*'), reverse=True):
        child.unlink() if child.is_file() else child.rmdir()
    skills.rmdir()
    skills.write_text('not a directory\n')

    result = omk(project, 'doctor')
    assert result.code == 1
    assert re.search(r'^\.kimi/skills: error: invalid skills path: a regular file, which is not a directory', result.out, re.M)
    assert 'ok: no project skills' not in result.out
    fixes = set(re.findall(r'^  fix: (move it aside \(mv .*\) and run omk-kimi sync)$', result.out, re.M))
    assert fixes == {'move it aside (mv .kimi/skills .kimi/skills.old) and run omk-kimi sync'}

    blocked = omk(project, 'sync')
    assert blocked.code == 2
    assert 'move it aside (mv ' in blocked.err and blocked.err.count('\n') == 1
    subprocess.run(shlex.split('mv .kimi/skills .kimi/skills.old'), cwd=project, check=True)
    assert omk(project, 'sync').code == 0
    assert 'invalid skills path' not in omk(project, 'doctor').out
    assert omk(project, 'check').code == 0


def test_sync_force_dry_run_says_it_would_forget_a_stale_backup_entry_and_changes_nothing(tmp_path: Path) -> None:
    project = tmp_path / 'project'
    hook = project / '.kimi/hooks/notify.sh'
    hook.parent.mkdir(parents=True)
    hook.write_text('# theirs\n')
    assert omk(project, 'install').code == 0
    [backup] = [p for p in hook.parent.iterdir() if '.omk-backup-' in p.name]
    backup.unlink()
    manifest = AssetManifest.path_for(project).read_bytes()
    assert omk(project, 'sync').code == 0
    assert AssetManifest.path_for(project).read_bytes() == manifest  # only --force forgets
    dry = omk(project, 'sync', '--force', '--dry-run')
    assert f'.kimi/hooks/{backup.name}: would be forgotten' in dry.out
    assert AssetManifest.path_for(project).read_bytes() == manifest
    assert json.loads(omk(project, 'sync', '--force', '--json').out)['backups_forgotten'] == [f'.kimi/hooks/{backup.name}']
    assert json.loads(AssetManifest.path_for(project).read_text())['backups'] == []


@pytest.mark.parametrize('command', ['sync', 'install', 'rollback'])
def test_help_says_user_is_the_user_scope_and_the_default_the_project_scope(
    command: str, capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main([command, '--help'])
    text = re.sub(r'(\w)- (\w)', r'\1-\2', ' '.join(capsys.readouterr().out.split()))  # argparse wraps at hyphens
    assert '--user the user scope:' in text
    assert 'Without --user: the project scope, .kimi/ (or .kimi-code/) in --dir' in text
    assert os.environ.get('OMK_KIMI_USER_DIR') is None  # the help itself reads no scope
