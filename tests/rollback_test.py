from __future__ import annotations

from omk_precommit.commands.install import install_project_assets
from omk_precommit.commands.rollback import rollback
from omk_precommit.commands.sync import sync_project_assets
from omk_precommit.engine.manifest import AssetManifest
from testing.gitrepo import directories, snapshot


def test_rollback_without_manifest_is_a_clean_noop(tmp_path):
    (tmp_path / 'keep.txt').write_text('x')
    before = snapshot(tmp_path)

    report = rollback(tmp_path)

    assert report.manifest_missing is True
    assert (report.restored, report.removed, report.skipped, report.errors) == ([], [], [], [])
    assert snapshot(tmp_path) == before


def test_rollback_returns_the_tree_to_its_state_before_install(tmp_path):
    existing = tmp_path / '.kimi/agents/architect/system.md'
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b'my own architect\r\n\x00binary tail')
    existing.chmod(0o640)
    (tmp_path / '.kimi/config.toml').write_text('# mine\n')
    before, dirs_before = snapshot(tmp_path), directories(tmp_path)

    install_project_assets(tmp_path)
    report = rollback(tmp_path)

    assert report.restored == ['.kimi/agents/architect/system.md']
    assert snapshot(tmp_path) == before
    assert directories(tmp_path) == dirs_before


def test_rollback_removes_the_directories_it_created_when_empty(tmp_path):
    install_project_assets(tmp_path)
    rollback(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_rollback_keeps_a_locally_edited_file_and_its_directory(tmp_path):
    install_project_assets(tmp_path)
    edited = tmp_path / '.kimi/agents/explore/system.md'
    edited.write_text('edited\n')

    report = rollback(tmp_path)

    assert edited.read_text() == 'edited\n'
    assert any(s.startswith('.kimi/agents/explore/system.md') for s in report.skipped)
    assert not (tmp_path / '.kimi/omk-manifest.json').exists()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob('*')) == [
        '.kimi', '.kimi/agents', '.kimi/agents/explore', '.kimi/agents/explore/system.md',
    ]


def test_rollback_keeps_an_edit_made_after_a_backup_and_keeps_the_backup(tmp_path):
    target = tmp_path / '.kimi/hooks/notify.sh'
    target.parent.mkdir(parents=True)
    target.write_text('original\n')
    install_project_assets(tmp_path)
    [backup] = AssetManifest.load(tmp_path).backups
    target.write_text('edited after install\n')

    rollback(tmp_path)

    assert target.read_text() == 'edited after install\n'
    assert (tmp_path / backup.backup_path).read_text() == 'original\n'


def test_rollback_after_a_force_sync_restores_the_original_and_keeps_later_backups(tmp_path):
    target = tmp_path / '.kimi/hooks/notify.sh'
    target.parent.mkdir(parents=True)
    target.write_text('original\n')
    install_project_assets(tmp_path)
    target.write_text('second edit\n')
    sync_project_assets(tmp_path, force=True)

    rollback(tmp_path)

    assert target.read_text() == 'original\n'
    leftovers = [p.read_text() for p in target.parent.glob('notify.sh.omk-backup-*')]
    assert leftovers == ['second edit\n']


def test_rollback_dry_run_has_no_side_effects(tmp_path):
    install_project_assets(tmp_path)
    before = snapshot(tmp_path)
    report = rollback(tmp_path, dry_run=True)
    assert report.removed and snapshot(tmp_path) == before


def test_rollback_removes_the_conflict_copy_it_wrote(tmp_path):
    install_project_assets(tmp_path)
    path = tmp_path / '.kimi/agents/verifier/system.md'
    (path.parent / 'system.md.omk-new').write_bytes(path.read_bytes())
    rollback(tmp_path)
    assert not (path.parent / 'system.md.omk-new').exists()
