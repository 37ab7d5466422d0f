from __future__ import annotations

import json
import os

import pytest

from omk_precommit.commands.install import install_project_assets
from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.manifest import AssetManifest, DriftState, EntryKind, ManifestEntry
from omk_precommit.errors import OmkError

OMK_050_MANIFEST = {
    'version': 1,
    'created_at': '2025-09-14T08:21:53.123456789Z',
    'omk_version': '0.5.0',
    'project_dir': '/home/someone/work/project',
    'files': [
        {'path': '.kimi/agents/architect/agent.yaml', 'kind': 'agent_spec', 'checksum': None},
        {'path': '.kimi/hooks/safety-check.sh', 'kind': 'hook_script', 'checksum': None},
    ],
    'directories': ['.kimi/agents', '.kimi/hooks'],
}


def write_manifest(root, data):
    path = root / '.kimi' / 'omk-manifest.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def test_manifest_written_by_omk_050_loads_and_checks(tmp_path):
    (tmp_path / '.kimi/agents/architect').mkdir(parents=True)
    spec = tmp_path / '.kimi/agents/architect/agent.yaml'
    spec.write_text('version: 1\n')
    data = dict(OMK_050_MANIFEST, files=[
        {'path': '.kimi/agents/architect/agent.yaml', 'kind': 'agent_spec', 'checksum': compute_checksum(b'version: 1\n')},
        {'path': '.kimi/hooks/safety-check.sh', 'kind': 'hook_script', 'checksum': '0123456789abcdef'},
    ])
    write_manifest(tmp_path, data)

    manifest = AssetManifest.load(tmp_path)

    assert manifest is not None
    assert manifest.created_at == '2025-09-14T08:21:53.123456789Z'
    assert manifest.backups == ()
    assert [(d.path, d.state) for d in manifest.drifted_files(tmp_path)] == [
        ('.kimi/hooks/safety-check.sh', DriftState.MISSING),
    ]
    spec.write_text('version: 2\n')
    assert {d.path for d in manifest.drifted_files(tmp_path)} == {
        '.kimi/agents/architect/agent.yaml', '.kimi/hooks/safety-check.sh',
    }


def test_unknown_fields_are_ignored(tmp_path):
    write_manifest(tmp_path, dict(OMK_050_MANIFEST, future_field={'x': 1}))
    assert AssetManifest.load(tmp_path) is not None


def test_missing_manifest_loads_as_none(tmp_path):
    assert AssetManifest.load(tmp_path) is None


@pytest.mark.parametrize(('bad_path', 'reason'), [
    ('', 'empty path'),
    ('/etc/passwd', 'absolute path'),
    ('C:/Windows/system.ini', 'absolute path'),
    ('.kimi/../../etc/passwd', 'contains ".."'),
    ('.kimi/agents/../../x', 'contains ".."'),
    ('src/main.py', 'outside .kimi/'),
    ('.kimi\\agents\\x', 'backslash'),
])
def test_manifest_path_safety_rejects_unsafe_paths(tmp_path, bad_path, reason):
    write_manifest(tmp_path, dict(OMK_050_MANIFEST, files=[{'path': bad_path, 'kind': 'other', 'checksum': None}]))
    with pytest.raises(OmkError, match=reason):
        AssetManifest.load(tmp_path)


def test_manifest_path_safety_rejects_paths_escaping_through_a_symlink(tmp_path):
    outside = tmp_path / 'outside'
    outside.mkdir()
    root = tmp_path / 'root'
    (root / '.kimi').mkdir(parents=True)
    os.symlink(outside, root / '.kimi' / 'agents')
    write_manifest(root, dict(OMK_050_MANIFEST, files=[{'path': '.kimi/agents/x.yaml', 'kind': 'agent_spec', 'checksum': None}]))
    with pytest.raises(OmkError, match='symlink'):
        AssetManifest.load(root)


@pytest.mark.parametrize('field', ['backup_path', 'managed_path'])
def test_manifest_path_safety_applies_to_backups(tmp_path, field):
    backup = {'managed_path': '.kimi/a', 'backup_path': '.kimi/a.omk-backup-1', 'created_at': 'x'}
    backup[field] = '../outside'
    write_manifest(tmp_path, dict(OMK_050_MANIFEST, backups=[backup]))
    with pytest.raises(OmkError, match='unsafe backup path'):
        AssetManifest.load(tmp_path)


@pytest.mark.parametrize(('data', 'reason'), [
    (dict(OMK_050_MANIFEST, version=2), 'newer than this omk-kimi supports'),
    ([], 'top level must be a JSON object'),
    ({'version': 1}, "missing field 'files'"),
    (dict(OMK_050_MANIFEST, files='x'), "field 'files' has the wrong type"),
    (dict(OMK_050_MANIFEST, version=True), "field 'version' has the wrong type"),
    (dict(OMK_050_MANIFEST, files=[{'path': '.kimi/a', 'kind': 'weird'}]), "unknown kind 'weird'"),
    (dict(OMK_050_MANIFEST, files=[{'path': '.kimi/a', 'checksum': 'xyz'}]), 'malformed checksum'),
    (dict(OMK_050_MANIFEST, files=[{'path': '.kimi/a'}, {'path': '.kimi/a'}]), 'duplicate file entry'),
])
def test_invalid_manifests_are_refused_with_a_reason(tmp_path, data, reason):
    write_manifest(tmp_path, data)
    with pytest.raises(OmkError, match=reason):
        AssetManifest.load(tmp_path)


def test_corrupt_json_is_refused_naming_the_file(tmp_path):
    write_manifest(tmp_path, {}).write_text('{"version": 1,')
    with pytest.raises(OmkError, match=r'\.kimi/omk-manifest\.json: not valid JSON'):
        AssetManifest.load(tmp_path)


def test_save_is_portable_sorted_and_skips_identical_rewrites(tmp_path):
    manifest = AssetManifest(created_at='2026-01-01T00:00:00Z').with_changes(
        [ManifestEntry('.kimi/b', EntryKind.OTHER, None), ManifestEntry('.kimi/a', EntryKind.SKILL, 'ab' * 8)],
        ['.kimi/z', '.kimi'],
        [],
    )
    assert manifest.save(tmp_path) is True
    data = json.loads((tmp_path / '.kimi/omk-manifest.json').read_text())
    assert data['project_dir'] == '.'
    assert [f['path'] for f in data['files']] == ['.kimi/a', '.kimi/b']
    assert data['directories'] == ['.kimi', '.kimi/z']
    mtime = (tmp_path / '.kimi/omk-manifest.json').stat().st_mtime_ns
    assert manifest.save(tmp_path) is False
    assert (tmp_path / '.kimi/omk-manifest.json').stat().st_mtime_ns == mtime


def test_checksum_drift_detection_finds_missing_and_modified_files(tmp_path):
    install_project_assets(tmp_path)
    manifest = AssetManifest.load(tmp_path)
    assert manifest is not None and manifest.drifted_files(tmp_path) == []
    (tmp_path / '.kimi/agents/architect/system.md').write_text('changed\n')
    (tmp_path / '.kimi/hooks/notify.sh').unlink()
    drift = {(d.path, d.state) for d in manifest.drifted_files(tmp_path)}
    assert drift == {
        ('.kimi/agents/architect/system.md', DriftState.MODIFIED),
        ('.kimi/hooks/notify.sh', DriftState.MISSING),
    }


def test_line_ending_only_difference_is_not_drift(tmp_path):
    install_project_assets(tmp_path)
    path = tmp_path / '.kimi/agents/architect/system.md'
    path.write_bytes(path.read_bytes().replace(b'\n', b'\r\n'))
    manifest = AssetManifest.load(tmp_path)
    assert manifest is not None and manifest.drifted_files(tmp_path) == []
