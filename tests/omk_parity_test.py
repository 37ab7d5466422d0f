"""omk 0.5.0's own tests of ``kimi_native``, ported one for one to our API and ``omk-kimi``.

One class per Rust file, one test per Rust test, with the Rust names (the repository is
ekhodzitsky/omk). How a port is adapted, and every deliberate difference an ``xfail`` names,
is in docs/api.md ("How omk's tests are ported", "Deliberate differences from omk 0.5.0").
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from omk_precommit import (
    AssetManifest,
    EntryKind,
    OmkError,
    RolePack,
    compute_checksum,
    rollback,
)
from omk_precommit.engine.manifest import MANIFEST_SCHEMA_VERSION, OlderManifestWarning
from testing.omk import omk

DOCS = Path(__file__).resolve().parent.parent / 'docs'


class DeliberateDifference(AssertionError):
    """Where our behaviour deliberately differs from what omk's test expects (docs/api.md)."""


def deliberate(section: str) -> pytest.MarkDecorator:
    """An xfail that passes only by a ``DeliberateDifference`` and names its docs section."""
    return pytest.mark.xfail(raises=DeliberateDifference, strict=True, reason=f'docs/api.md#{section}')


class Differences:
    """Notes where a port meets a deliberate difference and carries on checking the rest."""

    def __init__(self) -> None:
        self.noted: list[str] = []

    def note(self, as_omk_expects: bool, what: str) -> None:
        if not as_omk_expects:
            self.noted.append(what)

    def check(self) -> None:
        if self.noted:
            raise DeliberateDifference('; '.join(self.noted))


@pytest.fixture
def differ() -> Differences:
    return Differences()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plain temporary directory, as omk's ``TempDir`` (no git), also the current directory."""
    path = tmp_path / 'project'
    path.mkdir()
    monkeypatch.chdir(path)
    return path


def backups_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if '.omk-backup-' in p.name)


def fake_kimi_on_path(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """omk's ``path_with_fake_kimi``: a ``kimi`` that prints a version, first on PATH."""
    bin_dir = tmp / 'bin'
    bin_dir.mkdir()
    kimi = bin_dir / 'kimi'
    kimi.write_text("#!/bin/sh\necho 'kimi 0.0.0-test'\n")
    kimi.chmod(0o755)
    monkeypatch.setenv('PATH', f'{bin_dir}{os.pathsep}{os.environ.get("PATH", "")}')


def doctor(root: Path, differ: Differences, *args: str) -> str:
    """``omk-kimi doctor``; omk's doctor exits 0 whatever it finds, ours 1 on errors."""
    result = omk(root, 'doctor', *args)
    assert result.code in (0, 1), result.err
    differ.note(result.code == 0, 'doctor exits 1 when it finds errors (docs/api.md#doctor-exits-1-when-it-finds-errors)')
    return result.out


def sync(root: Path, *args: str) -> str:
    """``omk k sync``. omk's first sync of a project installs; here only ``install`` installs, and
    sync without a manifest prints one hint (docs/api.md#only-install-installs), so a first sync is
    ported as ``install`` with the same options."""
    first = not (root / '.kimi/omk-manifest.json').exists() and '--user' not in args
    result = omk(root, 'install' if first else 'sync', *args)
    assert result.code == 0, result.err
    return result.out


class TestManifestTests:
    """src/kimi_native/manifest/tests.rs"""

    def test_compute_checksum(self) -> None:
        """src/kimi_native/manifest/tests.rs"""
        checksum = compute_checksum('hello')
        assert len(checksum) == 16
        assert checksum == 'a430d84680aabd0b'

    def test_drifted_files_missing(self, tmp_path: Path) -> None:
        """src/kimi_native/manifest/tests.rs (paths under .kimi/: docs/api.md#managed-paths-are-under-kimi)"""
        manifest = AssetManifest().add_file(tmp_path, Path('.kimi/test.txt'), EntryKind.OTHER)
        drifted = manifest.drifted_files(tmp_path)
        assert len(drifted) == 1
        assert drifted[0].path == '.kimi/test.txt'
        assert drifted[0].expected is None
        with pytest.raises(OmkError, match='outside .kimi/'):
            manifest.add_file(tmp_path, 'test.txt', EntryKind.OTHER)

    def test_drifted_files_checksum_mismatch(self, tmp_path: Path) -> None:
        """src/kimi_native/manifest/tests.rs"""
        (tmp_path / '.kimi').mkdir()
        (tmp_path / '.kimi/test.txt').write_text('original')
        manifest = AssetManifest().add_file(tmp_path, '.kimi/test.txt', EntryKind.OTHER)
        (tmp_path / '.kimi/test.txt').write_text('modified')
        drifted = manifest.drifted_files(tmp_path)
        assert len(drifted) == 1
        assert drifted[0].path == '.kimi/test.txt'
        assert drifted[0].expected == compute_checksum('original')

    def test_drifted_files_unchanged(self, tmp_path: Path) -> None:
        """src/kimi_native/manifest/tests.rs"""
        (tmp_path / '.kimi').mkdir()
        (tmp_path / '.kimi/test.txt').write_text('same')
        manifest = AssetManifest().add_file(tmp_path, '.kimi/test.txt', EntryKind.OTHER)
        assert manifest.drifted_files(tmp_path) == []

    def test_verify_checksum_missing(self, tmp_path: Path) -> None:
        """src/kimi_native/manifest/tests.rs"""
        (tmp_path / '.kimi').mkdir()
        (tmp_path / '.kimi/test.txt').write_text('content')
        manifest = AssetManifest().add_file(tmp_path, '.kimi/test.txt', EntryKind.OTHER)
        (tmp_path / '.kimi/test.txt').unlink()
        verified = manifest.verify_checksum(tmp_path)
        assert len(verified) == 1
        assert verified[0].path == '.kimi/test.txt'
        assert verified[0].expected is not None
        assert verified[0].actual is None

    def test_verify_checksum_mismatch(self, tmp_path: Path) -> None:
        """src/kimi_native/manifest/tests.rs"""
        (tmp_path / '.kimi').mkdir()
        (tmp_path / '.kimi/test.txt').write_text('original')
        manifest = AssetManifest().add_file(tmp_path, '.kimi/test.txt', EntryKind.OTHER)
        (tmp_path / '.kimi/test.txt').write_text('modified')
        verified = manifest.verify_checksum(tmp_path)
        assert len(verified) == 1
        path, expected, actual = verified[0]
        assert path == '.kimi/test.txt'
        assert expected is not None and actual is not None
        assert expected != actual

    def test_manifest_schema_version_too_new(self, tmp_path: Path) -> None:
        """src/kimi_native/manifest/tests.rs"""
        (tmp_path / '.kimi').mkdir()
        AssetManifest().save(tmp_path)
        path = AssetManifest.manifest_path(tmp_path)
        path.write_text(path.read_text().replace('"version": 1', '"version": 999'))
        with pytest.raises(OmkError) as raised:
            AssetManifest.load(tmp_path)
        assert 'newer than' in str(raised.value)

    def test_manifest_schema_version_outdated(self, tmp_path: Path) -> None:
        """src/kimi_native/manifest/tests.rs"""
        (tmp_path / '.kimi').mkdir()
        AssetManifest().save(tmp_path)
        path = AssetManifest.manifest_path(tmp_path)
        path.write_text(path.read_text().replace('"version": 1', '"version": 0'))
        with pytest.warns(OlderManifestWarning, match='version 0 is older'):
            loaded = AssetManifest.load(tmp_path)
        assert loaded is not None

    def test_manifest_rejects_parent_traversal_paths(self, tmp_path: Path) -> None:
        """src/kimi_native/manifest/tests.rs (our wording: docs/api.md#messages-are-our-own)"""
        (tmp_path / '.kimi').mkdir()
        payload = {
            'version': MANIFEST_SCHEMA_VERSION,
            'created_at': '2026-01-01T00:00:00.123456789Z',
            'omk_version': '0.5.0',
            'project_dir': str(tmp_path),
            'files': [{'path': '../../etc/passwd', 'kind': 'other', 'checksum': None}],
            'directories': [],
        }
        AssetManifest.manifest_path(tmp_path).write_text(json.dumps(payload, indent=2))
        with pytest.raises(OmkError) as raised:
            AssetManifest.load(tmp_path)
        assert "unsafe file path: '../../etc/passwd'" in str(raised.value)

    def test_manifest_rejects_absolute_paths(self, tmp_path: Path) -> None:
        """src/kimi_native/manifest/tests.rs (our wording: docs/api.md#messages-are-our-own)"""
        (tmp_path / '.kimi').mkdir()
        absolute = str(tmp_path / '.kimi/agents/architect/agent.yaml')
        payload = {
            'version': MANIFEST_SCHEMA_VERSION,
            'created_at': '2026-01-01T00:00:00.123456789Z',
            'omk_version': '0.5.0',
            'project_dir': str(tmp_path),
            'files': [{'path': absolute, 'kind': 'agent_spec', 'checksum': None}],
            'directories': [],
        }
        AssetManifest.manifest_path(tmp_path).write_text(json.dumps(payload, indent=2))
        with pytest.raises(OmkError) as raised:
            AssetManifest.load(tmp_path)
        assert 'unsafe file path' in str(raised.value) and 'absolute' in str(raised.value)


class TestKimiNativeTest:
    """tests/kimi_native_test.rs (``omk kimi ARGS`` is ``omk-kimi ARGS``)"""

    def test_kimi_native_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        """tests/kimi_native_test.rs"""
        from omk_precommit.cli import main

        with pytest.raises(SystemExit) as exited:
            main(['--help'])
        assert exited.value.code == 0
        out = capsys.readouterr().out
        for command in ('sync', 'doctor', 'install', 'rollback', 'agents', 'hooks', 'skills'):
            assert command in out

    @deliberate('one-console-script')
    def test_kimi_native_alias_k(self, capsys: pytest.CaptureFixture[str], differ: Differences) -> None:
        """tests/kimi_native_test.rs"""
        from omk_precommit.cli import main

        with pytest.raises(SystemExit) as exited:
            main(['k', '--help'])
        out, err = capsys.readouterr()
        differ.note(exited.value.code == 0 and 'sync' in out, 'no k alias')
        assert exited.value.code == 2 and "invalid choice: 'k'" in err
        differ.check()

    def test_kimi_sync_creates_agents_and_hooks(self, project: Path) -> None:
        """tests/kimi_native_test.rs (our summary line: docs/api.md#messages-are-our-own)"""
        assert re.search(r'^(sync: \d+ created|installed: \d+ files changed)', sync(project), re.M)  # first: install
        agents = project / '.kimi/agents'
        assert (agents / 'architect/agent.yaml').exists()
        assert (agents / 'architect/system.md').exists()
        assert (agents / 'executor/agent.yaml').exists()
        hooks = project / '.kimi/hooks'
        for script in ('safety-check.sh', 'completion-check.sh', 'notify.sh'):
            assert (hooks / script).exists()

    def test_kimi_sync_creates_manifest(self, project: Path) -> None:
        """tests/kimi_native_test.rs"""
        sync(project)
        manifest = project / '.kimi/omk-manifest.json'
        assert manifest.exists()
        content = manifest.read_text()
        for kind in ('agent_spec', 'agent_prompt', 'hook_script'):
            assert kind in content

    @deliberate('doctor-exits-1-when-it-finds-errors')
    def test_kimi_doctor_reports_missing(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs"""
        out = doctor(project, differ)
        assert '.kimi/: error: does not exist' in out
        assert re.search(r'^doctor: [1-9]\d* errors?, ', out, re.M)
        differ.check()

    def test_kimi_doctor_passes_after_sync(self, project: Path, monkeypatch: pytest.MonkeyPatch, differ: Differences) -> None:
        """tests/kimi_native_test.rs"""
        sync(project)
        (project / 'AGENTS.md').write_text('# Test\n')
        fake_kimi_on_path(project.parent, monkeypatch)
        out = doctor(project, differ)
        assert re.search(r'^doctor: 0 errors, ', out, re.M)
        differ.check()

    @deliberate('doctor-exits-1-when-it-finds-errors')
    def test_kimi_doctor_detects_drift(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs"""
        sync(project)
        (project / '.kimi/agents/architect/agent.yaml').unlink()
        out = doctor(project, differ)
        assert '.kimi/agents/architect/agent.yaml: error: managed file is missing' in out
        differ.check()

    def test_kimi_doctor_reports_backup_index_drift_with_repair_command(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs (sync --force: docs/api.md#sync-keeps-local-edits)

        omk's second plain sync overwrote the edit, taking a backup; ours keeps the edit, so
        the port asks for the overwrite with --force. The repair command omk names then works.
        """
        sync(project)
        hook = project / '.kimi/hooks/safety-check.sh'
        hook.write_text('# user-changed\n')
        sync(project, '--force')
        backup = next(iter(backups_in(hook.parent)))
        backup.unlink()
        out = doctor(project, differ).lower()
        assert 'backup index drift' in out
        assert 'omk-kimi sync --force' in out
        assert f'{backup.name}: forgotten' in sync(project, '--force')
        assert 'backup index drift' not in doctor(project, differ).lower()
        assert json.loads((project / '.kimi/omk-manifest.json').read_text())['backups'] == []
        differ.check()

    def test_kimi_agents_lists_roles(self, project: Path) -> None:
        """tests/kimi_native_test.rs"""
        result = omk(project, 'agents')
        assert result.code == 0
        for role in ('architect', 'executor', 'verifier'):
            assert role in result.out

    def test_kimi_hooks_lists_events(self, project: Path) -> None:
        """tests/kimi_native_test.rs"""
        result = omk(project, 'hooks')
        assert result.code == 0
        assert 'PreToolUse' in result.out
        assert 'safety-check.sh' in result.out

    def test_kimi_install_creates_assets(self, project: Path) -> None:
        """tests/kimi_native_test.rs (our summary line: docs/api.md#messages-are-our-own)"""
        result = omk(project, 'install')
        assert result.code == 0
        assert re.search(r'^installed: \d+ files changed', result.out, re.M)
        assert (project / '.kimi/agents').exists()
        assert (project / '.kimi/hooks').exists()
        assert (project / '.kimi/hooks.toml.example').exists()

    def test_kimi_rollback_removes_assets(self, project: Path) -> None:
        """tests/kimi_native_test.rs (our summary line: docs/api.md#messages-are-our-own)"""
        assert omk(project, 'install').code == 0
        assert (project / '.kimi/agents/architect/agent.yaml').exists()
        result = omk(project, 'rollback')
        assert result.code == 0
        assert re.search(r'^rollback: 0 restored, \d+ removed, 0 kept$', result.out, re.M)
        assert not (project / '.kimi/agents/architect/agent.yaml').exists()
        assert not (project / '.kimi/omk-manifest.json').exists()

    @deliberate('sync-keeps-local-edits')
    def test_kimi_sync_creates_backup_on_overwrite(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs"""
        sync(project)
        hook = project / '.kimi/hooks/safety-check.sh'
        original = hook.read_text()
        hook.write_text('# modified\n')
        sync(project)
        differ.note(bool(backups_in(hook.parent)), 'plain sync keeps the local edit and takes no backup')
        if not backups_in(hook.parent):
            assert hook.read_text() == '# modified\n'
            sync(project, '--force')
        backups = backups_in(hook.parent)
        assert backups, 'Expected backup file to be created'
        assert backups[0].read_text() == '# modified\n'
        assert hook.read_text() == original
        differ.check()

    @deliberate('sync-keeps-local-edits')
    def test_kimi_sync_records_backup_index_in_manifest(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs"""
        sync(project)
        hook = project / '.kimi/hooks/safety-check.sh'
        hook.write_text('# modified for backup index\n')
        sync(project)
        backups = json.loads((project / '.kimi/omk-manifest.json').read_text())['backups']
        differ.note(bool(backups), 'plain sync keeps the local edit and takes no backup')
        if not backups:
            sync(project, '--force')
            backups = json.loads((project / '.kimi/omk-manifest.json').read_text())['backups']
        assert backups, 'expected at least one backup mapping in manifest'
        assert any(
            entry['managed_path'] == '.kimi/hooks/safety-check.sh' and '.omk-backup-' in entry['backup_path']
            for entry in backups
        ), 'backup index must link managed path to backup artifact'
        differ.check()

    def test_kimi_rollback_no_manifest(self, project: Path) -> None:
        """tests/kimi_native_test.rs (our wording: docs/api.md#messages-are-our-own)"""
        result = omk(project, 'rollback')
        assert result.code == 0
        assert 'no manifest, nothing to roll back' in result.out

    def test_kimi_sync_dry_run_no_files_written(self, project: Path) -> None:
        """tests/kimi_native_test.rs (our wording: docs/api.md#messages-are-our-own)"""
        assert re.search(r'\(dry run\)|would install', sync(project, '--dry-run'))  # first: install --dry-run
        assert not (project / '.kimi').exists()

    @deliberate('sync-works-on-one-scope')
    def test_kimi_sync_dry_run_explicit_project_and_user_scopes(
        self, project: Path, monkeypatch: pytest.MonkeyPatch, differ: Differences,
    ) -> None:
        """tests/kimi_native_test.rs (omk's XDG_CONFIG_HOME/kimi is our OMK_KIMI_USER_DIR)"""
        xdg_config = project / 'xdg-config'
        monkeypatch.setenv('XDG_CONFIG_HOME', str(xdg_config))
        monkeypatch.setenv('OMK_KIMI_USER_DIR', str(xdg_config / 'kimi'))
        out = sync(project, '--dry-run')  # the first: install --dry-run
        assert '.kimi/agents/architect/agent.yaml: would create' in out
        differ.note('user scope' in out, 'plain sync does not touch the user scope')
        out = sync(project, '--dry-run', '--user')
        assert f'user scope: {xdg_config / "kimi"}' in out
        assert 'kimi/agents/architect/agent.yaml: would be created' in out
        assert not xdg_config.exists() and not (project / '.kimi').exists()
        differ.check()

    def test_kimi_rollback_dry_run_no_files_deleted(self, project: Path) -> None:
        """tests/kimi_native_test.rs (our wording: docs/api.md#messages-are-our-own)"""
        assert omk(project, 'install').code == 0
        assert (project / '.kimi/agents/architect/agent.yaml').exists()
        result = omk(project, 'rollback', '--dry-run')
        assert result.code == 0
        assert re.search(r'^rollback: 0 restored, \d+ removed, 0 kept \(dry run\)$', result.out, re.M)
        assert 'error' not in result.out
        assert (project / '.kimi/agents/architect/agent.yaml').exists()
        assert (project / '.kimi/omk-manifest.json').exists()

    @deliberate('sync-keeps-local-edits')
    def test_kimi_rollback_restores_backup(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs"""
        sync(project)
        hook = project / '.kimi/hooks/safety-check.sh'
        hook.write_text('# modified by user\n')
        sync(project)
        differ.note(bool(backups_in(hook.parent)), 'plain sync keeps the local edit and takes no backup')
        if not backups_in(hook.parent):
            sync(project, '--force')
        assert backups_in(hook.parent), 'Expected backup file to be created'
        result = omk(project, 'rollback')
        assert result.code == 0
        assert '.kimi/hooks/safety-check.sh: restored from backup' in result.out
        assert hook.read_text() == '# modified by user\n'
        differ.check()

    @deliberate('doctor-exits-1-when-it-finds-errors')
    def test_kimi_doctor_json_output(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs"""
        out = doctor(project, differ, '--json')
        assert '"severity"' in out
        assert '"message"' in out
        differ.check()

    @deliberate('doctor-exits-1-when-it-finds-errors')
    def test_kimi_doctor_missing_kimi_prints_repair_command(
        self, project: Path, monkeypatch: pytest.MonkeyPatch, differ: Differences,
    ) -> None:
        """tests/kimi_native_test.rs (our wording: docs/api.md#messages-are-our-own)"""
        monkeypatch.setenv('PATH', '')
        out = doctor(project, differ)
        assert 'warning: the kimi command is not on PATH' in out
        assert 'fix: pip install kimi-cli' in out  # the CLI of the runtime checked, .kimi/
        differ.check()

    @deliberate('doctor-exits-1-when-it-finds-errors')
    def test_kimi_doctor_rejects_manifest_path_escape(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs (our wording: docs/api.md#messages-are-our-own)"""
        sync(project)
        manifest = project / '.kimi/omk-manifest.json'
        manifest.write_text(manifest.read_text().replace('.kimi/agents/architect/agent.yaml', '../../escape.txt', 1))
        out = doctor(project, differ)
        assert ".kimi/omk-manifest.json: error: unsafe file path: '../../escape.txt'" in out
        differ.check()

    def test_kimi_sync_skips_identical_files(self, project: Path) -> None:
        """tests/kimi_native_test.rs"""
        sync(project)
        assert re.search(r'^sync: 0 created, 0 updated, .* [1-9]\d* unchanged$', sync(project), re.M)
        assert backups_in(project / '.kimi/hooks') == [], 'Expected no backups for identical files'

    @deliberate('doctor-exits-1-when-it-finds-errors')
    def test_kimi_doctor_detects_invalid_agent(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs (our wording: docs/api.md#messages-are-our-own)

        ``not: valid yaml {{`` is valid YAML (a plain scalar may hold braces); omk's "invalid YAML"
        covers its schema error. Ours judges it as Kimi CLI loads it: an agent without a name.
        """
        sync(project)
        (project / '.kimi/agents/architect/agent.yaml').write_text('not: valid yaml {{')
        out = doctor(project, differ)
        assert '.kimi/agents/architect/agent.yaml: error: agent name is required' in out
        differ.check()

    @deliberate('doctor-exits-1-when-it-finds-errors')
    def test_kimi_doctor_detects_dangling_hook_config(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs (our wording: docs/api.md#messages-are-our-own)"""
        sync(project)
        (project / '.kimi/hooks.toml.example').write_text(
            '[[hooks]]\nevent = "PreToolUse"\ncommand = ".kimi/hooks/missing.sh"\n',
        )
        out = doctor(project, differ)
        assert re.search(r'^\.kimi/hooks\.toml\.example: error: .*missing\.sh.*(missing|does not exist)', out, re.M)
        differ.check()

    @deliberate('skills-need-frontmatter')
    def test_kimi_doctor_validates_skills_paths(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs"""
        sync(project)
        skill_dir = project / '.kimi/skills/test-skill'
        skill_dir.mkdir(parents=True)
        (skill_dir / 'SKILL.md').write_text('# Test skill\n')
        out = omk(project, 'doctor').out
        assert ".kimi/skills/omk-managed-assets/SKILL.md: ok: skill 'omk-managed-assets'" in out
        differ.note(
            '.kimi/skills/test-skill/SKILL.md: error' not in out,
            'a SKILL.md without frontmatter is an error, Kimi CLI skips it',
        )
        differ.check()

    @deliberate('doctor-exits-1-when-it-finds-errors')
    def test_kimi_doctor_detects_invalid_skills_path(self, project: Path, differ: Differences) -> None:
        """tests/kimi_native_test.rs (our sync writes a skill: the port removes the folder first)"""
        sync(project)
        shutil.rmtree(project / '.kimi/skills')
        (project / '.kimi/skills').write_text('not a directory')
        out = doctor(project, differ)
        assert re.search(r'^\.kimi/skills: \w+: invalid skills path: .*is not a directory', out, re.M)
        differ.check()


class TestRolePackTest:
    """tests/role_pack_test.rs"""

    def test_role_pack_all_has_5_roles(self) -> None:
        """tests/role_pack_test.rs"""
        assert len(RolePack.all()) == 5

    def test_role_pack_find_architect(self) -> None:
        """tests/role_pack_test.rs"""
        pack = RolePack.find('architect')
        assert pack is not None
        assert pack.id == 'architect'
        assert pack.name == 'Architect'
        assert pack.suggested_worker_count == 1

    def test_role_pack_find_unknown_returns_none(self) -> None:
        """tests/role_pack_test.rs"""
        assert RolePack.find('nonexistent') is None

    @deliberate('role-pack-tools-are-kimi-cli-tool-paths')
    def test_executor_has_test_tool(self, differ: Differences) -> None:
        """tests/role_pack_test.rs"""
        pack = RolePack.find('executor')
        assert pack is not None
        assert 'kimi_cli.tools.shell:Shell' in pack.tools
        differ.note('test' in pack.tools, 'no abstract "test" tool: tests run through the shell tool')
        differ.check()

    def test_all_roles_have_prompt_guards(self) -> None:
        """tests/role_pack_test.rs"""
        for role in RolePack.all():
            assert 'Instruction Hierarchy' in role.system_prompt, f'{role.id} is missing instruction hierarchy section'
            assert 'AGENTS.md' in role.system_prompt, f'{role.id} must reference AGENTS.md hierarchy'
            assert 'Anti-Slop' in role.system_prompt, f'{role.id} is missing anti-slop guardrails'
            assert 'Review Discipline' in role.system_prompt, f'{role.id} is missing review discipline section'

    @deliberate('role-pack-default-skills-are-ours')
    def test_role_pack_default_skills_are_repo_local(self, differ: Differences) -> None:
        """tests/role_pack_test.rs"""
        from omk_precommit.runtimes.bundled import bundled_assets

        bundled_skills = {a.path.split('/')[2] for a in bundled_assets() if a.path.startswith('.kimi/skills/')}
        expected = {'architect': ['architect'], 'executor': ['backend', 'qa'], 'verifier': ['qa'], 'integrator': ['devops']}
        for role_id, skills in expected.items():
            pack = RolePack.find(role_id)
            assert pack is not None
            assert set(pack.default_skills) <= bundled_skills, f'{role_id} names a skill that is not bundled'
            differ.note(list(pack.default_skills) == skills, f'{role_id} defaults to our bundled skills')
        differ.check()


class TestRolePacksRs:
    """src/kimi_native/role_packs.rs (its in-file tests)"""

    def test_role_pack_all_has_5_roles(self) -> None:
        """src/kimi_native/role_packs.rs"""
        assert len(RolePack.all()) == 5

    def test_role_pack_find_architect(self) -> None:
        """src/kimi_native/role_packs.rs"""
        pack = RolePack.find('architect')
        assert pack is not None
        assert (pack.id, pack.name, pack.suggested_worker_count) == ('architect', 'Architect', 1)

    def test_role_pack_find_unknown_returns_none(self) -> None:
        """src/kimi_native/role_packs.rs"""
        assert RolePack.find('nonexistent') is None

    @deliberate('role-pack-tools-are-kimi-cli-tool-paths')
    def test_executor_has_test_tool(self, differ: Differences) -> None:
        """src/kimi_native/role_packs.rs"""
        pack = RolePack.find('executor')
        assert pack is not None
        assert 'kimi_cli.tools.shell:Shell' in pack.tools
        differ.note('test' in pack.tools, 'no abstract "test" tool: tests run through the shell tool')
        differ.check()

    def test_every_role_prompt_includes_hierarchy_and_anti_slop_guards(self) -> None:
        """src/kimi_native/role_packs.rs"""
        for role in RolePack.all():
            for needle in ('Instruction Hierarchy', 'AGENTS.md', 'Anti-Slop', 'Review Discipline'):
                assert needle in role.system_prompt, f'{role.id} prompt must include {needle}'


class TestRollbackRs:
    """src/kimi_native/rollback.rs (its in-file tests; paths under .kimi/: docs/api.md#managed-paths-are-under-kimi)"""

    @staticmethod
    def managed(root: Path, *files: tuple[str, str]) -> None:
        """Write each ``(path, content)`` and save a manifest listing them (no ``backups`` list needed)."""
        (root / '.kimi').mkdir(exist_ok=True)
        manifest = AssetManifest()
        for rel, content in files:
            (root / rel).write_text(content)
            manifest = manifest.add_file(root, rel, EntryKind.OTHER)
        manifest.save(root)

    def test_rollback_no_manifest(self, tmp_path: Path) -> None:
        """src/kimi_native/rollback.rs"""
        report = rollback(tmp_path)
        assert report.manifest_missing
        assert report.restored == [] and report.removed == [] and report.skipped == [] and report.errors == []

    def test_rollback_removes_omk_created_file(self, tmp_path: Path) -> None:
        """src/kimi_native/rollback.rs"""
        self.managed(tmp_path, ('.kimi/test.txt', 'omk-content'))
        report = rollback(tmp_path)
        assert not (tmp_path / '.kimi/test.txt').exists()
        assert report.removed == ['.kimi/test.txt']

    def test_rollback_skips_user_modified_file(self, tmp_path: Path) -> None:
        """src/kimi_native/rollback.rs (``skipped`` entries carry the reason after the path)"""
        self.managed(tmp_path, ('.kimi/test.txt', 'original'))
        (tmp_path / '.kimi/test.txt').write_text('modified')
        report = rollback(tmp_path)
        assert (tmp_path / '.kimi/test.txt').exists()
        assert len(report.skipped) == 1
        assert report.skipped[0].split(' (')[0] == '.kimi/test.txt'

    def test_rollback_restores_from_backup(self, tmp_path: Path) -> None:
        """src/kimi_native/rollback.rs"""
        file_path = tmp_path / '.kimi/test.txt'
        file_path.parent.mkdir()
        file_path.write_text('user-content')
        backup_path = tmp_path / '.kimi/test.txt.omk-backup-1234567890'
        backup_path.write_text('user-content')
        self.managed(tmp_path, ('.kimi/test.txt', 'omk-content'))
        report = rollback(tmp_path)
        assert report.restored == ['.kimi/test.txt']
        assert file_path.read_text() == 'user-content'
        assert not backup_path.exists()

    def test_rollback_dry_run_no_changes(self, tmp_path: Path) -> None:
        """src/kimi_native/rollback.rs"""
        self.managed(tmp_path, ('.kimi/test.txt', 'omk-content'))
        report = rollback(tmp_path, dry_run=True)
        assert len(report.removed) == 1
        assert (tmp_path / '.kimi/test.txt').exists()

    def test_rollback_partial_failure_with_corrupt_backup_keeps_other_files_safe(self, tmp_path: Path) -> None:
        """src/kimi_native/rollback.rs"""
        self.managed(tmp_path, ('.kimi/remove-me.txt', 'omk-owned'), ('.kimi/restore-me.txt', 'omk-content'))
        corrupt_backup = tmp_path / '.kimi/restore-me.txt.omk-backup-9999999999'
        corrupt_backup.mkdir()  # a directory instead of a backup file
        report = rollback(tmp_path)
        assert not (tmp_path / '.kimi/remove-me.txt').exists()
        assert '.kimi/remove-me.txt' in report.removed
        assert (tmp_path / '.kimi/restore-me.txt').read_text() == 'omk-content'
        assert corrupt_backup.exists()
        assert [s.split(' (')[0] for s in report.skipped] == ['.kimi/restore-me.txt']
        assert len(report.errors) == 1
        assert 'restore' in report.errors[0]
        assert 'restore-me.txt' in report.errors[0]


RUST_TESTS = {
    TestManifestTests: ('src/kimi_native/manifest/tests.rs', 10),
    TestKimiNativeTest: ('tests/kimi_native_test.rs', 27),
    TestRolePackTest: ('tests/role_pack_test.rs', 6),
    TestRolePacksRs: ('src/kimi_native/role_packs.rs', 5),
    TestRollbackRs: ('src/kimi_native/rollback.rs', 6),
}


def _anchors(markdown: str) -> set[str]:
    """The GitHub anchors of a markdown file's headings."""
    return {
        re.sub(r'[^\w\- ]', '', line.lstrip('#').strip().lower()).replace(' ', '-')
        for line in markdown.splitlines() if line.startswith('#')
    }


def test_every_rust_test_is_ported_once_and_names_its_file() -> None:
    """54 in all: the five files of omk 0.5.0 (v0.5.0 and the archived HEAD hold the same 54)."""
    total = 0
    for cls, (rust_file, count) in RUST_TESTS.items():
        tests = [name for name in vars(cls) if name.startswith('test_')]
        assert len(tests) == count, cls.__name__
        for name in tests:
            assert (getattr(cls, name).__doc__ or '').startswith(rust_file), f'{cls.__name__}.{name}'
        total += count
    assert total == 54


def test_every_xfail_names_an_existing_docs_section() -> None:
    anchors = _anchors((DOCS / 'api.md').read_text())
    deliberate_differences = 0
    for cls in RUST_TESTS:
        for name, test in vars(cls).items():
            for mark in getattr(test, 'pytestmark', []):
                if mark.name != 'xfail':
                    continue
                deliberate_differences += 1
                assert mark.kwargs['strict'] is True and mark.kwargs['raises'] is DeliberateDifference, name
                document, _, anchor = mark.kwargs['reason'].partition('#')
                assert document == 'docs/api.md' and anchor in anchors, f'{name}: {mark.kwargs["reason"]}'
    assert deliberate_differences == 17
