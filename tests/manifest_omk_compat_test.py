"""A manifest using accept's fields still loads under omk 0.5.0's format rules, and back."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from omk_precommit.engine.manifest import AssetManifest
from testing.omk import omk
from testing.omk050 import OmkRejects, load_like_omk_050

PROMPT = '.kimi/agents/reviewer/system.md'
SCRIPT = '.kimi/hooks/notify.sh'
SKILL = '.kimi/skills/omk-managed-assets/SKILL.md'


@pytest.fixture
def owned(installed: Path) -> Path:
    """An install with an accepted edit, an accepted deletion and a forgotten file."""
    prompt = installed / PROMPT
    prompt.write_bytes(prompt.read_bytes() + b'Review Go code only.\n')
    (installed / SCRIPT).unlink()
    assert omk(installed, 'accept', PROMPT, SCRIPT).code == 0
    assert omk(installed, 'forget', SKILL).code == 0
    return installed


def test_a_manifest_with_accepted_edits_deletions_and_forgotten_files_loads_under_omk_050_rules(owned: Path):
    raw = AssetManifest.path_for(owned).read_bytes()
    data = json.loads(raw)
    assert 'base_checksum' in next(f for f in data['files'] if f['path'] == PROMPT)
    assert data['deleted'][0]['path'] == SCRIPT and data['forgotten'] == [SKILL]

    seen = load_like_omk_050(raw)

    # omk sees the accepted version as a plain managed file and does not see what the project
    # removed or forgot, so its own check, sync and rollback leave those alone.
    paths = {f['path'] for f in seen['files']}
    assert PROMPT in paths and SCRIPT not in paths and SKILL not in paths
    accepted = next(f for f in data['files'] if f['path'] == PROMPT)
    assert next(f for f in seen['files'] if f['path'] == PROMPT)['checksum'] == accepted['checksum']


def test_the_new_fields_round_trip_byte_for_byte(owned: Path):
    path = AssetManifest.path_for(owned)
    raw = path.read_bytes()

    loaded = AssetManifest.load(owned)

    assert loaded.to_bytes() == raw
    assert loaded.entry(PROMPT).base_checksum is not None
    assert [e.path for e in loaded.deleted] == [SCRIPT] and loaded.forgotten == (SKILL,)


def test_a_manifest_without_them_is_written_exactly_as_before(installed: Path):
    data = json.loads(AssetManifest.path_for(installed).read_bytes())

    assert set(data) == {'version', 'created_at', 'omk_version', 'project_dir', 'files', 'directories', 'backups'}
    assert all(set(f) == {'path', 'kind', 'checksum'} for f in data['files'])
    load_like_omk_050(AssetManifest.path_for(installed).read_bytes())


@pytest.mark.parametrize(('change', 'why'), [
    (lambda d: d.pop('directories'), 'missing field `directories`'),
    (lambda d: d['files'][0].update(kind='prompt'), 'invalid type for `kind`'),
    (lambda d: d.update(version=2), 'newer than supported'),
])
def test_the_omk_050_rules_do_reject_what_omk_rejects(installed: Path, change, why):  # the emulation can fail
    data = json.loads(AssetManifest.path_for(installed).read_bytes())
    change(data)

    with pytest.raises(OmkRejects, match=why):
        load_like_omk_050(json.dumps(data).encode())


@pytest.mark.parametrize(('change', 'why'), [
    (lambda d: d['files'][0].update(base_checksum='xyz'), 'malformed base_checksum'),
    (lambda d: d.update(deleted=[{'path': '../outside', 'kind': 'other', 'base_checksum': None}]), 'unsafe deleted file path'),
    (lambda d: d.update(deleted=[{'path': d['files'][0]['path'], 'kind': 'other'}]), 'both as managed and as deleted'),
    (lambda d: d.update(forgotten=['/etc/passwd']), 'unsafe forgotten file path'),
    (lambda d: d.update(deleted='all'), "field 'deleted' has the wrong type"),
])
def test_our_reader_refuses_malformed_new_fields_in_one_line(installed: Path, change, why):
    path = AssetManifest.path_for(installed)
    data = json.loads(path.read_bytes())
    change(data)
    path.write_text(json.dumps(data))

    result = omk(installed, 'sync')

    assert result.code == 2
    assert why in result.err and len(result.err.splitlines()) == 1
