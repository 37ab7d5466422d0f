"""The bundle format: ``omk`` is the shipped assets as files, ``extends``/``remove`` resolve, and a
hostile bundle is one line and exit 2."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from omk_precommit.bundle.format import MAX_FILE_BYTES, read_bundle
from omk_precommit.bundle.found import builtin_bundle, bundle_by_path, resolved_files
from omk_precommit.cli import main
from omk_precommit.errors import OmkError
from omk_precommit.runtimes.bundled import bundle_assets, bundled_assets, metadata_assets
from omk_precommit.runtimes.registry import RUNTIMES
from testing.bundles import write_bundle
from testing.gitrepo import init_repo

ACME = 'name = "acme"\nversion = "1.0.0"\nextends = "omk"\nremove = ["kimi-cli/agents/explore", "kimi-code/agents/explore.md"]\n'


@pytest.mark.parametrize('runtime', list(RUNTIMES.values()), ids=str)
def test_the_omk_bundle_files_are_what_the_metadata_generates(runtime):
    assert bundled_assets(runtime) == metadata_assets(runtime), "run: .venv/bin/python scripts/omk_bundle.py"


def test_the_omk_bundle_has_name_version_and_both_runtime_folders():
    omk = builtin_bundle()
    assert (omk.name, omk.extends) == ('omk', None)
    assert {p.name for p in omk.directory.iterdir() if p.is_dir()} == {r.bundle_folder for r in RUNTIMES.values()}


def test_extends_replaces_adds_and_removes_a_folder(tmp_path):
    acme = read_bundle(write_bundle(tmp_path / 'acme', ACME, {
        'kimi-cli/agents/reviewer/system.md': 'Our reviewer.\n',
        'kimi-cli/skills/style/SKILL.md': '---\nname: style\ndescription: our style\n---\n',
    }), 'acme')
    files = resolved_files(acme, 'kimi-cli')
    omk = resolved_files(builtin_bundle(), 'kimi-cli')
    assert files is not None and omk is not None
    assert files['agents/reviewer/system.md'].content == b'Our reviewer.\n'
    assert 'skills/style/SKILL.md' in files
    assert not any(rel.startswith('agents/explore/') for rel in files)
    assert set(files) == {r for r in omk if not r.startswith('agents/explore/')} | {'skills/style/SKILL.md'}
    code = resolved_files(acme, 'kimi-code')  # no kimi-code/ folder of its own: omk's, minus the removal
    assert code is not None and 'agents/explore.md' not in code and 'agents/reviewer.md' in code


def test_hook_scripts_from_a_bundle_are_executable_and_recorded_with_the_bundle(tmp_path):
    acme = read_bundle(write_bundle(tmp_path / 'acme', ACME, {'kimi-cli/hooks/lint.sh': '#!/bin/sh\n'}), 'acme')
    assets = {a.path: a for a in bundle_assets(acme, RUNTIMES['kimi-cli']) or ()}
    assert assets['.kimi/hooks/lint.sh'].executable
    assert {a.bundle.name for a in assets.values() if a.bundle} == {'acme'}


def _hostile(tmp_path: Path, kind: str) -> Path:
    bundle = write_bundle(tmp_path / 'bad', ACME, {'kimi-cli/agents/x/system.md': 'x\n'})
    target = bundle / 'kimi-cli/agents/x'
    if kind == 'symlink':
        (target / 'agent.yaml').symlink_to('/etc/passwd')
    elif kind == 'fifo':
        os.mkfifo(target / 'agent.yaml')
    elif kind == 'huge':
        (target / 'agent.yaml').write_bytes(b'x' * (MAX_FILE_BYTES + 1))
    elif kind == 'outside-layout':
        (bundle / 'kimi-cli/omk-manifest.json').write_text('{}')
    elif kind == 'dotdot-remove':
        (bundle / 'omk-bundle.toml').write_text(ACME.replace('kimi-cli/agents/explore', '../../etc'))
    elif kind == 'bad-toml':
        (bundle / 'omk-bundle.toml').write_text('name = "acme\n')
    elif kind == 'missing-version':
        (bundle / 'omk-bundle.toml').write_text('name = "acme"\n')
    return bundle


HOSTILE = ('symlink', 'fifo', 'huge', 'outside-layout', 'dotdot-remove', 'bad-toml', 'missing-version')


@pytest.mark.parametrize('kind', HOSTILE)
def test_a_hostile_bundle_is_one_line_and_exit_2(tmp_path, capsys, kind):
    repo = init_repo(tmp_path / 'repo')
    bundle = _hostile(repo, kind)
    with pytest.raises(OmkError):
        info = bundle_by_path(bundle, repo)
        resolved_files(info, 'kimi-cli')
    capsys.readouterr()
    assert main(['install', '--dir', str(repo), '--target', 'kimi-cli', '--bundle', str(bundle)]) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'Traceback' not in err and 'bad' in err
    assert not (repo / '.kimi').exists()


def test_a_path_bundle_outside_the_repository_is_refused(tmp_path, capsys):
    repo = init_repo(tmp_path / 'repo')
    bundle = write_bundle(tmp_path / 'elsewhere', ACME)
    assert main(['install', '--dir', str(repo), '--target', 'kimi-cli', '--bundle', str(bundle)]) == 2
    assert 'inside the repository' in capsys.readouterr().err
