"""Bundles as Python packages (pip-installed, found through the entry point group), path bundles in
the repository, the manifest's record of the bundle, switching, upgrading, a missing bundle,
``bundles``, ``bundle check`` and ``bundle init``."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from omk_precommit.cli import main
from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.runtimes.bundled import bundled_by_path
from testing.bundles import (
    ACME_PROMPT,
    ACME_SKILL,
    REMOVED_AGENT,
    acme_files,
    acme_toml,
    write_bundle,
)
from testing.gitrepo import commit_all, init_repo

OMK_BUNDLE = Path(__file__).resolve().parent.parent / 'omk_precommit/bundle/omk'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / 'repo')


def omk(repo: Path, *args: str) -> int:
    return main([*args[:1], '--dir', str(repo), '--target', 'kimi-cli', *args[1:]])


def test_install_by_name_writes_the_bundle_and_records_it(repo, acme_v1, monkeypatch):
    monkeypatch.syspath_prepend(str(acme_v1.site))
    assert omk(repo, 'install', '--bundle', 'acme') == 0
    assert (repo / ACME_PROMPT).read_text().startswith('You review for ACME.')
    assert (repo / ACME_SKILL).is_file()
    assert not (repo / REMOVED_AGENT).exists()
    assert os.access(repo / '.kimi/hooks/safety-check.sh', os.X_OK)
    manifest = AssetManifest.load(repo, '.kimi')
    assert manifest is not None
    assert {json.dumps(e.bundle.to_json()) for e in manifest.files if e.bundle} == {
        json.dumps({'name': 'acme', 'version': '1.0.0', 'package': 'acme-kimi-assets'})}
    assert all(e.bundle for e in manifest.files)
    assert omk(repo, 'check') == 0 and omk(repo, 'sync') == 0


def test_bundles_lists_omk_and_the_installed_package(acme_v1, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(acme_v1.site))
    assert main(['bundles']) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith('omk ') and 'built in' in out[0]
    assert any(line.startswith('acme 1.0.0: ') and 'acme-kimi-assets' in line and 'extends omk' in line for line in out)


def test_missing_recorded_bundle_sync_is_one_line_naming_it_and_the_package_and_check_works(repo, acme_v1, monkeypatch, capsys):
    with monkeypatch.context() as m:
        m.syspath_prepend(str(acme_v1.site))
        assert omk(repo, 'install', '--bundle', 'acme') == 0
    capsys.readouterr()
    assert omk(repo, 'sync') == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1
    assert 'acme 1.0.0' in err and 'acme-kimi-assets==1.0.0' in err and 'additional_dependencies' in err
    assert not any(repo.glob('.kimi/**/*.omk-new'))
    assert omk(repo, 'check') == 0  # needs only the manifest
    (repo / ACME_PROMPT).write_text('edited\n')
    assert omk(repo, 'check') == 1
    assert omk(repo, 'diff') == 2  # the recorded version is the bundle's: it needs it, and says so
    assert 'acme-kimi-assets==1.0.0' in capsys.readouterr().err


def test_a_new_version_updates_the_untouched_file_and_merges_an_accepted_local_edit(repo, acme_v1, acme_v2, monkeypatch):
    with monkeypatch.context() as m:
        m.syspath_prepend(str(acme_v1.site))
        assert omk(repo, 'install', '--bundle', 'acme') == 0
    commit_all(repo, 'install acme 1.0.0')
    ours = 'Our repository: read CONTRIBUTING.md first.\n'
    (repo / ACME_PROMPT).write_text(ours + (repo / ACME_PROMPT).read_text())
    assert omk(repo, 'accept', ACME_PROMPT) == 0
    commit_all(repo, 'accept our reviewer prompt')
    monkeypatch.syspath_prepend(str(acme_v2.site))
    assert omk(repo, 'sync') == 0  # without being told: the recorded bundle, now 2.0.0
    assert '(2.0.0)' in (repo / ACME_SKILL).read_text()  # untouched: updated
    merged = (repo / ACME_PROMPT).read_text()
    assert merged.startswith(ours) and merged.endswith('Check the changelog too.\n') and '<<<<<<<' not in merged
    manifest = AssetManifest.load(repo, '.kimi')
    assert manifest is not None
    assert {e.bundle.version for e in manifest.files if e.bundle} == {'2.0.0'}
    entry = manifest.entry(ACME_PROMPT)
    assert entry is not None and entry.accepted  # the merge is the project's accepted version of 2.0.0
    assert omk(repo, 'check') == 0


def test_switching_bundles_removes_untouched_files_only_the_old_one_had_and_releases_edited_ones(repo):
    skill = '---\nname: {0}\ndescription: {0}\n---\n'
    old = write_bundle(repo / 'tools/old', acme_toml('1'), {'kimi-cli/skills/a/SKILL.md': skill.format('a'),
                                                           'kimi-cli/skills/b/SKILL.md': skill.format('b'),
                                                           'kimi-cli/agents/reviewer/system.md': 'Old reviewer.\n'})
    new = write_bundle(repo / 'tools/new', 'name = "new"\nversion = "3"\nextends = "omk"\n',
                       {'kimi-cli/skills/c/SKILL.md': skill.format('c')})
    assert omk(repo, 'install', '--bundle', str(old)) == 0
    (repo / '.kimi/skills/b/SKILL.md').write_text(skill.format('b') + 'edited here\n')
    assert omk(repo, 'install', '--bundle', str(new)) == 0
    assert not (repo / '.kimi/skills/a/SKILL.md').exists()  # untouched: removed
    assert (repo / '.kimi/skills/b/SKILL.md').read_text().endswith('edited here\n')  # edited: released
    assert (repo / '.kimi/skills/c/SKILL.md').is_file()
    assert (repo / ACME_PROMPT).read_bytes() == bundled_by_path()[ACME_PROMPT].content  # omk's again
    assert (repo / REMOVED_AGENT / 'agent.yaml').is_file()
    manifest = AssetManifest.load(repo, '.kimi')
    assert manifest is not None and manifest.entry('.kimi/skills/b/SKILL.md') is None
    assert {e.bundle.path for e in manifest.files if e.bundle} == {'tools/new'}
    assert all(e.bundle for e in manifest.files)
    assert omk(repo, 'sync') == 0 and omk(repo, 'check') == 0


def test_a_path_bundle_is_recorded_relative_to_the_root_and_edits_to_it_flow_through_sync(repo, capsys):
    bundle = write_bundle(repo / 'tools/kimi-bundle', acme_toml('1'), acme_files('1'))
    assert omk(repo, 'install', '--bundle', str(bundle)) == 0
    (bundle / 'kimi-cli/skills/acme-style/SKILL.md').write_text('---\nname: acme-style\ndescription: v2\n---\n')
    assert omk(repo, 'sync') == 0
    assert 'description: v2' in (repo / ACME_SKILL).read_text()
    shutil.rmtree(bundle)
    capsys.readouterr()
    assert omk(repo, 'sync') == 2
    assert 'tools/kimi-bundle' in capsys.readouterr().err


def test_extends_cycle_between_installed_bundles_is_one_line(repo, tmp_path, monkeypatch, capsys):
    site = tmp_path / 'site'
    for name, other in (('cyc-a', 'cyc-b'), ('cyc-b', 'cyc-a')):
        module = name.replace('-', '_')
        write_bundle(site / module, f'name = "{name}"\nversion = "1"\nextends = "{other}"\n')
        (site / module / '__init__.py').write_text('')
        info = site / f'{module}-1.dist-info'
        info.mkdir()
        (info / 'METADATA').write_text(f'Metadata-Version: 2.1\nName: {name}\nVersion: 1\n')
        (info / 'entry_points.txt').write_text(f'[omk_precommit.bundles]\n{name} = {module}\n')
    monkeypatch.syspath_prepend(str(site))
    assert omk(repo, 'install', '--bundle', 'cyc-a') == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'cycle' in err and 'cyc-a -> cyc-b -> cyc-a' in err


def test_an_unknown_bundle_name_is_one_line_listing_the_installed_ones(repo, capsys):
    assert omk(repo, 'install', '--bundle', 'nosuch') == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'nosuch' in err and 'installed: omk' in err


def test_bundle_check_passes_the_omk_bundle(capsys):
    assert main(['bundle', 'check', str(OMK_BUNDLE)]) == 0
    assert 'passes every doctor rule for kimi-cli, kimi-code' in capsys.readouterr().out


@pytest.mark.parametrize('matcher', ['^(WriteFile|Shell)$', 'Shell'])
def test_bundle_check_fails_a_bundle_whose_safety_gate_never_fires(tmp_path, capsys, matcher):
    example = (OMK_BUNDLE / 'kimi-cli/hooks.toml.example').read_text().replace('^(WriteFile|StrReplaceFile|Shell)$', matcher)
    assert example != (OMK_BUNDLE / 'kimi-cli/hooks.toml.example').read_text()
    bundle = write_bundle(tmp_path / 'weak', 'name = "weak"\nversion = "1"\nextends = "omk"\n',
                          {'kimi-cli/hooks.toml.example': example})
    assert main(['bundle', 'check', str(bundle)]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if 'kimi-cli/hooks.toml.example: error: [kimi-cli]' in x)
    assert 'StrReplaceFile' in line and 'safety gate never sees them' in line
    assert out.count('error:') == 1  # nothing else is wrong with it


def test_bundle_check_fails_a_bundle_without_the_gate_and_runs_the_doctor_rules(tmp_path, capsys):
    bundle = write_bundle(tmp_path / 'gateless', 'name = "g"\nversion = "1"\nextends = "omk"\n'
                          'remove = ["kimi-code/hooks/safety-check.sh"]\n',
                          {'kimi-cli/agents/bad/agent.yaml': 'version: 7\n'})
    assert main(['bundle', 'check', str(bundle)]) == 1
    out = capsys.readouterr().out
    assert 'kimi-code/hooks/safety-check.sh: error: [kimi-code] missing' in out
    assert 'kimi-cli/agents/bad/agent.yaml: error: [kimi-cli]' in out


def test_bundle_init_then_install_in_a_fresh_repository_gives_the_same_files(repo, tmp_path):
    assert omk(repo, 'install') == 0
    (repo / ACME_PROMPT).write_text('Our reviewer.\n')
    shutil.rmtree(repo / REMOVED_AGENT)
    write_bundle(repo / '.kimi', '', {'skills/ours/SKILL.md': '---\nname: ours\ndescription: our skill\n---\n',
                                      'agents/ours/agent.yaml': 'version: 1\nagent:\n  extend: default\n  name: ours\n'
                                                                '  system_prompt_path: ./system.md\n',
                                      'agents/ours/system.md': 'Ours.\n',
                                      'hooks/lint.sh': '#!/bin/sh\nexit 0\n'})
    (repo / '.kimi/omk-bundle.toml').unlink()
    (repo / '.kimi/hooks/lint.sh').chmod(0o755)
    fresh = init_repo(tmp_path / 'fresh')
    bundle = fresh / 'tools/team'
    assert main(['bundle', 'init', str(bundle), '--dir', str(repo)]) == 0
    toml = (bundle / 'omk-bundle.toml').read_text()
    assert 'extends = "omk"' in toml and '"kimi-cli/agents/explore"' in toml
    assert sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob('*') if p.is_file()) == [
        'kimi-cli/agents/ours/agent.yaml', 'kimi-cli/agents/ours/system.md', 'kimi-cli/agents/reviewer/system.md',
        'kimi-cli/hooks/lint.sh', 'kimi-cli/skills/ours/SKILL.md', 'omk-bundle.toml']
    assert omk(fresh, 'install', '--bundle', str(bundle)) == 0

    def tree(root: Path) -> dict[str, tuple[bytes, bool]]:
        return {p.relative_to(root).as_posix(): (p.read_bytes(), os.access(p, os.X_OK))
                for p in (root / '.kimi').rglob('*') if p.is_file() and p.name != 'omk-manifest.json'}

    assert tree(fresh) == tree(repo)


def test_bundle_init_refuses_a_non_empty_directory(repo, capsys):
    (repo / 'taken').mkdir()
    (repo / 'taken/x').write_text('x')
    assert omk(repo, 'install') == 0
    assert main(['bundle', 'init', str(repo / 'taken'), '--dir', str(repo)]) == 2
    assert 'not an empty directory' in capsys.readouterr().err


def test_the_doctor_names_a_missing_recorded_bundle_and_an_available_upgrade(repo, acme_v1, acme_v2, monkeypatch, capsys):
    (repo / 'AGENTS.md').write_text('x\n')
    with monkeypatch.context() as m:
        m.syspath_prepend(str(acme_v1.site))
        assert omk(repo, 'install', '--bundle', 'acme') == 0
        capsys.readouterr()
        omk(repo, 'doctor')
        assert 'bundle acme 1.0.0 found' in capsys.readouterr().out
    assert omk(repo, 'doctor') == 1
    out = capsys.readouterr().out
    assert 'the recorded bundle acme 1.0.0 is not installed' in out and 'acme-kimi-assets==1.0.0' in out
    monkeypatch.syspath_prepend(str(acme_v2.site))
    omk(repo, 'doctor')
    assert '1.0.0 installed in the project, 2.0.0 available' in capsys.readouterr().out
