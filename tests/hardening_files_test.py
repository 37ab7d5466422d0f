"""Files and paths (issue 13): no command loses an edit or reaches outside the asset dir.

Each test names the guarantee it proves; ``docs/guarantees.md`` ("Files and paths") lists them.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.manifest import AssetManifest
from testing.omk import omk

MANIFEST = '.kimi/omk-manifest.json'


def _manifest(root: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((root / MANIFEST).read_text())


def _save(root: Path, data: object) -> None:
    (root / MANIFEST).write_text(json.dumps(data, indent=2))


def _one_line_refusal(result: object, *needles: str) -> None:
    code, out, err = result  # type: ignore[misc]
    assert code == 2, (out, err)
    assert 'Traceback' not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], err


# 1. A link inside the asset dir back into the project: refused everywhere, backups included.

def _link_up(root: Path) -> None:
    os.symlink('..', root / '.kimi/up')


def test_sync_refuses_manifest_path_through_link_inside_asset_dir_and_keeps_readme(installed: Path) -> None:
    _link_up(installed)
    readme = (installed / 'README.md').read_bytes()
    data = _manifest(installed)
    data['files'].append({'path': '.kimi/up/README.md', 'kind': 'other', 'checksum': compute_checksum(readme)})
    _save(installed, data)
    for args in (('sync',), ('sync', '--force'), ('check',), ('diff',), ('rollback',), ('install',),
                 ('install', '--dry-run'), ('rollback', '--dry-run')):
        _one_line_refusal(omk(installed, *args), '.kimi/up/README.md', 'outside .kimi/')
        assert (installed / 'README.md').read_bytes() == readme, args


def test_rollback_refuses_crafted_backup_entry_through_link_inside_asset_dir(installed: Path) -> None:
    _link_up(installed)
    readme = (installed / 'README.md').read_bytes()
    (installed / 'evil').write_text('attacker text\n')
    (installed / "README.md.omk-backup-20260101T000000000000Z").write_text("attacker text\n")
    data = _manifest(installed)
    data['files'].append({'path': '.kimi/up/README.md', 'kind': 'other', 'checksum': compute_checksum(readme)})
    data['backups'].append({'managed_path': '.kimi/up/README.md',
                            'backup_path': '.kimi/up/README.md.omk-backup-20260101T000000000000Z',
                            'created_at': '2026-01-01T00:00:00Z'})
    _save(installed, data)
    _one_line_refusal(omk(installed, 'rollback'), 'outside .kimi/')
    assert (installed / 'README.md').read_bytes() == readme
    assert (installed / 'README.md.omk-backup-20260101T000000000000Z').exists()


def test_backup_entry_alone_through_link_inside_asset_dir_is_refused(installed: Path) -> None:
    _link_up(installed)
    data = _manifest(installed)
    data['backups'].append({'managed_path': '.kimi/agents/architect/agent.yaml',
                            'backup_path': '.kimi/agents/architect/agent.yaml.omk-backup-1',
                            'created_at': '2026-01-01T00:00:00Z'})
    data['backups'].append({'managed_path': '.kimi/up/README.md',
                            'backup_path': '.kimi/up/README.md.omk-backup-1', 'created_at': '2026-01-01T00:00:00Z'})
    _save(installed, data)
    _one_line_refusal(omk(installed, 'rollback'), 'outside .kimi/')
    _one_line_refusal(omk(installed, 'check'), 'outside .kimi/')


def test_link_inside_asset_dir_that_stays_inside_is_still_accepted(installed: Path) -> None:
    os.symlink('agents', installed / '.kimi/agents-alias')
    data = _manifest(installed)
    entry = next(f for f in data['files'] if f['path'] == '.kimi/agents/architect/system.md')
    data['files'].append({**entry, 'path': '.kimi/agents-alias/architect/system.md'})
    _save(installed, data)
    assert omk(installed, 'check').code == 0


# 7. Duplicate JSON keys and control characters in paths.

@pytest.mark.parametrize('where', ['top', 'file-entry'])
def test_manifest_with_duplicate_json_keys_is_refused(installed: Path, where: str) -> None:
    text = (installed / MANIFEST).read_text()
    if where == 'top':
        text = text.replace('"version": 1,', '"version": 1, "version": 1,', 1)
    else:
        text = text.replace('"kind": "agent_spec",', '"kind": "agent_spec", "kind": "other",', 1)
    (installed / MANIFEST).write_text(text)
    for args in (('check',), ('sync',), ('rollback',)):
        _one_line_refusal(omk(installed, *args), MANIFEST, 'appears twice')


@pytest.mark.parametrize('bad', ['.kimi/a\nb.md', '.kimi/a\rb', '.kimi/x\x1b[31m', '.kimi/tab\there', '.kimi/del\x7f',
                                 '.kimi/c1\x85x', '.kimi/skills/x\n::stop-commands::tok/SKILL.md'])
@pytest.mark.parametrize('field', ['files', 'directories', 'backups'])
def test_manifest_path_with_control_characters_is_refused(installed: Path, bad: str, field: str) -> None:
    data = _manifest(installed)
    if field == 'files':
        data['files'].append({'path': bad, 'kind': 'other', 'checksum': None})
    elif field == 'directories':
        data['directories'].append(bad)
    else:
        data['backups'].append({'managed_path': bad, 'backup_path': bad + '.omk-backup-1', 'created_at': 'x'})
    _save(installed, data)
    for args in (('check',), ('sync',), ('rollback', '--dry-run')):
        _one_line_refusal(omk(installed, *args), 'control character')
    with pytest.raises(Exception, match='control character'):
        AssetManifest.load(installed)


def test_cached_check_refuses_control_characters_too(installed: Path) -> None:
    assert omk(installed, 'check').code == 0  # fills the stat cache with the clean manifest
    data = _manifest(installed)
    data['directories'].append('.kimi/x\ny')
    _save(installed, data)
    _one_line_refusal(omk(installed, 'check'), 'control character')
