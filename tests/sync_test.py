from __future__ import annotations

import dataclasses

import pytest

from omk_precommit.commands.install import install_project_assets
from omk_precommit.commands.sync import sync_project_assets
from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.engine.plan import CONFLICT_SUFFIX
from omk_precommit.runtimes.bundled import bundled_by_path
from testing.gitrepo import snapshot

PATH = '.kimi/agents/reviewer/system.md'
OLD_TEMPLATE = b'# Reviewer\n\nan older bundled prompt\n'
LOCAL_EDIT = b'# Reviewer\n\nmy team edited this\n'


def record(root, path, checksum):
    """Rewrite the manifest so it says ``path`` was installed with ``checksum``."""
    manifest = AssetManifest.load(root)
    files = [dataclasses.replace(e, checksum=checksum) if e.path == path else e for e in manifest.files]
    manifest.with_changes(files, list(manifest.directories), list(manifest.backups)).save(root)


def bundled(path=PATH):
    return bundled_by_path()[path].content


def arrange(root, state):
    """Put ``PATH`` in one of the situations of the SPEC's three-way table."""
    install_project_assets(root)
    target = root / PATH
    if state == 'missing':
        target.unlink()
    elif state == 'recorded, template unchanged':
        pass
    elif state == 'recorded, template changed':
        target.write_bytes(OLD_TEMPLATE)
        record(root, PATH, compute_checksum(OLD_TEMPLATE))
    elif state == 'modified, template unchanged':
        target.write_bytes(LOCAL_EDIT)
    elif state == 'modified, template changed':
        target.write_bytes(LOCAL_EDIT)
        record(root, PATH, compute_checksum(OLD_TEMPLATE))
    elif state == 'unmanaged pre-existing':  # e.g. a newly bundled file the team already had
        manifest = AssetManifest.load(root)
        files = [e for e in manifest.files if e.path != PATH]
        manifest.with_changes(files, list(manifest.directories), list(manifest.backups)).save(root)
        target.write_bytes(LOCAL_EDIT)


@pytest.mark.parametrize(('state', 'report_field', 'on_disk', 'beside', 'backed_up'), [
    ('missing', 'created', 'bundled', None, None),
    ('recorded, template unchanged', 'unchanged', 'bundled', None, None),
    ('recorded, template changed', 'updated', 'bundled', None, None),
    ('modified, template unchanged', 'kept_local', LOCAL_EDIT, None, None),
    # No git history here, so no base to merge from: the conflict path, both sides in the file.
    ('modified, template changed', 'conflicts', 'markers', None, LOCAL_EDIT),
    ('unmanaged pre-existing', 'updated', 'bundled', None, LOCAL_EDIT),
])
def test_sync_follows_the_three_way_table(tmp_path, state, report_field, on_disk, beside, backed_up):
    arrange(tmp_path, state)

    report = sync_project_assets(tmp_path)

    assert PATH in getattr(report, report_field)
    if on_disk == 'markers':
        assert b'\n<<<<<<< ' + PATH.encode() + b' (yours)\n' in (tmp_path / PATH).read_bytes()
    else:
        assert (tmp_path / PATH).read_bytes() == (bundled() if on_disk == 'bundled' else on_disk)
    conflict_copy = tmp_path / (PATH + CONFLICT_SUFFIX)
    assert conflict_copy.exists() == (beside is not None)
    if beside:
        assert conflict_copy.read_bytes() == bundled()
    manifest = AssetManifest.load(tmp_path)
    backups = manifest.backups_of(PATH)
    assert [(tmp_path / b.backup_path).read_bytes() for b in backups] == ([backed_up] if backed_up else [])


def test_sync_force_backs_up_and_overwrites_a_conflicting_edit(tmp_path):
    arrange(tmp_path, 'modified, template changed')

    report = sync_project_assets(tmp_path, force=True)

    assert PATH in report.updated
    assert (tmp_path / PATH).read_bytes() == bundled()
    [backup] = AssetManifest.load(tmp_path).backups_of(PATH)
    assert (tmp_path / backup.backup_path).read_bytes() == LOCAL_EDIT
    assert backup.backup_path.startswith(PATH + '.omk-backup-')
    assert AssetManifest.load(tmp_path).drifted_files(tmp_path) == []


def test_sync_reports_a_keep_and_leaves_the_manifest_recording_the_bundled_version(tmp_path):
    arrange(tmp_path, 'modified, template unchanged')
    sync_project_assets(tmp_path)
    assert AssetManifest.load(tmp_path).entry(PATH).checksum == compute_checksum(bundled())


@pytest.mark.parametrize('state', [
    'missing', 'recorded, template changed', 'modified, template changed', 'unmanaged pre-existing',
])
@pytest.mark.parametrize('force', [False, True])
def test_dry_run_has_no_side_effects(tmp_path, state, force):
    arrange(tmp_path, state)
    before = snapshot(tmp_path)

    sync_report = sync_project_assets(tmp_path, dry_run=True, force=force)
    install_report = install_project_assets(tmp_path, dry_run=True)

    assert snapshot(tmp_path) == before
    assert sync_report.dry_run and install_report.dry_run
    assert install_report.plan, 'a dry run still reports what it would do'


def test_backup_before_overwrite_on_install(tmp_path):
    target = tmp_path / '.kimi/hooks/safety-check.sh'
    target.parent.mkdir(parents=True)
    target.write_bytes(b'#!/bin/sh\necho my own gate\n')
    target.chmod(0o700)

    report = install_project_assets(tmp_path)

    [backup_path] = report.backups_created
    backup = tmp_path / backup_path
    assert backup.read_bytes() == b'#!/bin/sh\necho my own gate\n'
    assert backup.stat().st_mode & 0o777 == 0o700
    assert target.read_bytes() == bundled('.kimi/hooks/safety-check.sh')
    assert [b.backup_path for b in AssetManifest.load(tmp_path).backups] == [backup_path]


def test_install_adopts_identical_files_without_a_backup(tmp_path):
    target = tmp_path / PATH
    target.parent.mkdir(parents=True)
    target.write_bytes(bundled())
    report = install_project_assets(tmp_path)
    assert report.backups_created == []
    assert AssetManifest.load(tmp_path).entry(PATH) is not None


def test_install_then_sync_leaves_the_manifest_byte_identical(tmp_path):
    install_project_assets(tmp_path)
    manifest_path = tmp_path / '.kimi/omk-manifest.json'
    before = manifest_path.read_bytes()
    stat_before = manifest_path.stat()

    report = sync_project_assets(tmp_path)
    install_project_assets(tmp_path)

    assert not report.changed
    assert manifest_path.read_bytes() == before
    assert manifest_path.stat().st_mtime_ns == stat_before.st_mtime_ns


def test_sync_restores_the_executable_bit_of_a_hook_script(tmp_path):
    install_project_assets(tmp_path)
    script = tmp_path / '.kimi/hooks/notify.sh'
    script.chmod(0o644)
    report = sync_project_assets(tmp_path)
    assert '.kimi/hooks/notify.sh' in report.updated
    assert script.stat().st_mode & 0o111


def test_sync_removes_an_untouched_file_the_bundle_no_longer_has(tmp_path):
    install_project_assets(tmp_path)
    stale = tmp_path / '.kimi/skills/old-skill/SKILL.md'
    stale.parent.mkdir()
    stale.write_bytes(b'old\n')
    manifest = AssetManifest.load(tmp_path)
    entry = dataclasses.replace(manifest.files[0], path='.kimi/skills/old-skill/SKILL.md', checksum=compute_checksum(b'old\n'))
    manifest.with_changes([*manifest.files, entry], list(manifest.directories), []).save(tmp_path)

    report = sync_project_assets(tmp_path)

    assert report.removed == ['.kimi/skills/old-skill/SKILL.md']
    assert not stale.exists()
    assert AssetManifest.load(tmp_path).entry('.kimi/skills/old-skill/SKILL.md') is None


def test_force_removes_the_stale_omk_new_copy_it_just_made_redundant(tmp_path):
    arrange(tmp_path, 'modified, template changed')
    assert sync_project_assets(tmp_path, sidecar=True).conflicts == [PATH]
    assert (tmp_path / (PATH + CONFLICT_SUFFIX)).read_bytes() == bundled()

    report = sync_project_assets(tmp_path, force=True)

    assert report.updated == [PATH]
    assert (tmp_path / PATH).read_bytes() == bundled()
    assert not (tmp_path / (PATH + CONFLICT_SUFFIX)).exists()


def test_sync_keeps_an_omk_new_copy_that_differs_from_the_bundle(repo):
    install_project_assets(repo)
    rel = '.kimi/hooks/notify.sh'
    (repo / rel).unlink()
    (repo / (rel + CONFLICT_SUFFIX)).write_bytes(b'#!/bin/sh\n# half merged by hand\n')

    assert sync_project_assets(repo).created == [rel]

    assert (repo / (rel + CONFLICT_SUFFIX)).read_bytes() == b'#!/bin/sh\n# half merged by hand\n'


def test_sync_removes_an_omk_new_copy_once_the_file_was_merged_by_hand(repo):
    install_project_assets(repo)
    rel = '.kimi/hooks/notify.sh'
    (repo / (rel + CONFLICT_SUFFIX)).write_bytes((repo / rel).read_bytes())

    report = sync_project_assets(repo)

    assert not report.changed
    assert not (repo / (rel + CONFLICT_SUFFIX)).exists()


def test_dry_run_leaves_a_stale_omk_new_copy_alone(repo):
    install_project_assets(repo)
    rel = '.kimi/hooks/notify.sh'
    (repo / (rel + CONFLICT_SUFFIX)).write_bytes((repo / rel).read_bytes())

    sync_project_assets(repo, dry_run=True)

    assert (repo / (rel + CONFLICT_SUFFIX)).exists()


# (sync --user by hand installs the user scope: no hook runs it; see commands/sync.py)
@pytest.mark.parametrize('args', [['sync'], ['sync', '--fail-on-change'], ['sync', '--force'], ['sync', '--dry-run'],
                                  ['sync', '--target', 'kimi-code']])
def test_sync_without_a_manifest_installs_nothing_and_prints_one_hint(repo, capsys, args):
    from omk_precommit.cli import main

    own = repo / '.kimi/hooks/safety-check.sh'
    own.parent.mkdir(parents=True)
    own.write_bytes(b'#!/bin/sh\nexit 0\n')
    before = snapshot(repo)

    assert main(args) == 0

    assert snapshot(repo) == before
    lines = capsys.readouterr().out.splitlines()
    hint = [line for line in lines if 'no manifest, so omk manages nothing here; nothing synced' in line]
    assert len(hint) == 1 and '(run omk-kimi install' in hint[0], lines
    assert sync_project_assets(repo).manifest_missing
