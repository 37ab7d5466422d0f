"""``omk-kimi doctor`` and ``diagnose_project``: exit codes, output, and the checks only omk knows."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from omk_precommit import DiagResult, Severity, diagnose_project
from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from omk_precommit.doctor import kimi_binary
from testing.gitrepo import commit_all, git
from testing.pathenv import path_without


@pytest.fixture
def no_kimi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PATH', path_without('kimi'))


@pytest.fixture
def installed(repo: Path, no_kimi: None) -> Path:
    """A git repo with a fresh install, an AGENTS.md and no ``kimi`` on PATH."""
    install_project_assets(repo)
    (repo / 'AGENTS.md').write_text('Run ./scripts/test before committing.\n')
    return repo


def fake_kimi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """Put a ``kimi`` shell script first on PATH; it logs its arguments to ``kimi.args``."""
    bin_dir = tmp_path / 'fake-bin'
    bin_dir.mkdir()
    kimi = bin_dir / 'kimi'
    kimi.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/kimi.args\n{script}\n')
    kimi.chmod(0o755)
    monkeypatch.setenv('PATH', f'{bin_dir}{os.pathsep}{path_without("kimi")}')
    return tmp_path / 'kimi.args'


def severities(results: list[DiagResult], path: str) -> set[Severity]:
    return {r.severity for r in results if r.path == path}


def test_fresh_install_without_kimi_on_path_exits_0_and_json_parses(repo: Path) -> None:
    install_project_assets(repo)
    env = {**os.environ, 'PATH': path_without('kimi')}
    assert subprocess.run(('sh', '-c', 'command -v kimi'), env=env, check=False).returncode != 0

    text = subprocess.run((sys.executable, '-m', 'omk_precommit', 'doctor'), cwd=repo, env=env,
                          capture_output=True, text=True, check=False)
    as_json = subprocess.run((sys.executable, '-m', 'omk_precommit', 'doctor', '--json'), cwd=repo, env=env,
                             capture_output=True, text=True, check=False)

    assert text.returncode == 0, text.stdout + text.stderr
    assert as_json.returncode == 0, as_json.stderr
    results = json.loads(as_json.stdout)
    assert isinstance(results, list) and results
    assert all(set(r) == {'severity', 'check', 'path', 'message', 'fix', 'runtime'} for r in results)
    assert not [r for r in results if r['severity'] == 'error']
    kimi = [r for r in results if r['check'] == 'kimi']
    assert [r['severity'] for r in kimi] == ['warning'] and 'not on PATH' in kimi[0]['message']
    assert text.stdout.rstrip().splitlines()[-1].startswith('doctor: 0 errors')


def test_missing_kimi_dir_is_an_error_fixed_by_install(
        repo: Path, no_kimi: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['doctor']) == 1
    out = capsys.readouterr().out
    assert '.kimi/: error: does not exist' in out
    assert '  fix: omk-kimi install' in out


def test_human_output_groups_results_with_fixes_and_a_summary(
        installed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (installed / '.kimi/hooks/notify.sh').unlink()
    assert main(['doctor']) == 1
    lines = capsys.readouterr().out.splitlines()
    headings = [line for line in lines if line.startswith('[')]
    assert headings == ['[project]', '[agents (.kimi/agents)]', '[hooks]', '[skills (.kimi/skills)]', '[manifest]',
                        '[Kimi config (hooks enabled?)]', '[kimi command]']
    missing = lines.index('.kimi/hooks/notify.sh: error: managed file is missing')
    assert lines[missing + 1] == '  fix: omk-kimi sync'
    assert lines[-1].startswith('doctor: 3 errors, 1 warning, ')  # two hook tables run notify.sh


def test_strict_fails_on_warnings(installed: Path) -> None:
    (installed / 'AGENTS.md').unlink()
    assert main(['doctor']) == 0
    assert main(['doctor', '--strict']) == 1


def test_strict_passes_without_kimi_on_path(installed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['doctor', '--strict']) == 0
    assert 'warning: the kimi command is not on PATH' in capsys.readouterr().out


def test_diagnose_project_strict_promotes_warnings_about_the_project_only(installed: Path) -> None:
    (installed / 'AGENTS.md').unlink()
    share_dir = Path(os.environ['KIMI_SHARE_DIR'])
    share_dir.mkdir()
    (share_dir / 'config.toml').write_text('telemetry = false\n')  # a user config without the bundled hooks
    results = diagnose_project(installed, strict=True)
    assert severities(results, 'AGENTS.md') == {Severity.ERROR}
    assert {r.severity for r in results if r.check == 'kimi'} == {Severity.WARNING}
    (not_enabled,) = [r for r in results if r.check == 'kimi config' and r.severity is not Severity.OK]
    assert not_enabled.severity is Severity.WARNING and 'not enabled' in not_enabled.message


def test_a_hook_problem_in_the_project_config_is_reported_once(installed: Path) -> None:
    (installed / '.kimi/config.toml').write_text('[[hooks]]\nevent = "Stop"\ncommand = "true"\ntimeout = 0\n')
    errors = [r for r in diagnose_project(installed) if r.severity is Severity.ERROR]
    assert [(r.check, r.path) for r in errors] == [('hooks', '.kimi/config.toml')]
    assert 'timeout 0 is outside 1-600 seconds' in errors[0].message


def test_a_setting_kimi_cli_rejects_in_the_project_config_is_an_error(installed: Path) -> None:
    (installed / '.kimi/config.toml').write_text('theme = "blue"\n')
    errors = [r for r in diagnose_project(installed) if r.severity is Severity.ERROR]
    assert [(r.check, r.path) for r in errors] == [('kimi config', '.kimi/config.toml')]
    assert 'theme' in errors[0].message


def test_diag_result_is_frozen_and_serialises_to_json() -> None:
    result = DiagResult(Severity.ERROR, path='.kimi/x', message='broken', fix='omk-kimi sync', check='manifest')
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.message = 'fine'  # type: ignore[misc]
    assert result.to_json() == {'severity': 'error', 'check': 'manifest', 'path': '.kimi/x',
                                'message': 'broken', 'fix': 'omk-kimi sync'}


def test_unreadable_manifest_is_an_error_naming_it_not_a_crash(
        installed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (installed / '.kimi/omk-manifest.json').write_text('{not json')
    assert main(['doctor']) == 1
    out = capsys.readouterr().out
    assert '.kimi/omk-manifest.json: error: not valid JSON' in out


def test_unsafe_manifest_path_is_an_error(installed: Path) -> None:
    manifest = installed / '.kimi/omk-manifest.json'
    data = json.loads(manifest.read_text())
    data['files'][0]['path'] = '.kimi/../../etc/passwd'
    manifest.write_text(json.dumps(data))
    errors = [r for r in diagnose_project(installed) if r.severity is Severity.ERROR]
    assert [(r.path, r.check) for r in errors] == [('.kimi/omk-manifest.json', 'manifest')]
    assert 'unsafe file path' in errors[0].message


def test_missing_manifest_is_a_warning(installed: Path) -> None:
    (installed / '.kimi/omk-manifest.json').unlink()
    assert severities(diagnose_project(installed), '.kimi/omk-manifest.json') == {Severity.WARNING}


def test_edited_managed_file_is_a_warning_with_a_diff_fix(installed: Path) -> None:
    prompt = '.kimi/agents/reviewer/system.md'
    with open(installed / prompt, 'a') as f:
        f.write('Also check the changelog.\n')
    (result,) = [r for r in diagnose_project(installed) if r.path == prompt]
    assert result.severity is Severity.WARNING
    assert result.fix is not None and result.fix.startswith(f'omk-kimi diff {prompt}')


def test_drift_in_a_git_ignored_file_is_not_reported(installed: Path) -> None:
    (installed / '.gitignore').write_text('.kimi/skills/\n')
    skill = next((installed / '.kimi/skills').glob('*/SKILL.md'))
    with open(skill, 'a') as f:
        f.write('local note\n')
    rel = skill.relative_to(installed).as_posix()
    manifest_results = [r for r in diagnose_project(installed) if r.check == 'manifest' and r.path == rel]
    assert [r.severity for r in manifest_results] == [Severity.OK]


def test_backup_missing_from_the_index_is_a_warning(repo: Path, no_kimi: None) -> None:
    prompt = repo / '.kimi/agents/architect/system.md'
    prompt.parent.mkdir(parents=True)
    prompt.write_text('our own architect\n')
    install_project_assets(repo)
    (backup,) = repo.glob('.kimi/agents/architect/system.md.omk-backup-*')
    results = diagnose_project(repo)
    assert not [r for r in results if r.path == backup.relative_to(repo).as_posix()]
    backup.unlink()
    (result,) = [r for r in diagnose_project(repo) if r.path == backup.relative_to(repo).as_posix()]
    assert result.severity is Severity.WARNING and 'rollback cannot restore' in result.message


def test_user_agent_linked_outside_the_project_is_an_error_and_not_read(installed: Path, tmp_path: Path) -> None:
    outside = tmp_path / 'elsewhere.yaml'
    outside.write_text('version: 1\nagent: {extend: default, name: elsewhere}\n')
    link = installed / '.kimi/agents/linked/agent.yaml'
    link.parent.mkdir()
    link.symlink_to(outside)
    (result,) = [r for r in diagnose_project(installed) if r.path == '.kimi/agents/linked/agent.yaml']
    assert result.severity is Severity.ERROR and 'outside the project root' in result.message


def test_tool_outside_kimi_cli_is_only_a_warning(installed: Path) -> None:
    spec = installed / '.kimi/agents/mine/agent.yaml'
    spec.parent.mkdir()
    spec.write_text("version: 1\nagent:\n  extend: default\n  name: mine\n  tools: ['acme_tools.search:Search']\n")
    (result,) = [r for r in diagnose_project(installed) if r.path == '.kimi/agents/mine/agent.yaml']
    assert result.severity is Severity.WARNING and 'acme_tools.search:Search' in result.message


def test_unreferenced_hook_script_without_executable_bit_is_a_warning(installed: Path) -> None:
    script = installed / '.kimi/hooks/format.sh'
    script.write_text('#!/bin/sh\nexit 0\n')
    script.chmod(0o644)
    (result,) = [r for r in diagnose_project(installed) if r.path == '.kimi/hooks/format.sh']
    assert result.severity is Severity.WARNING
    assert result.fix == 'chmod +x .kimi/hooks/format.sh && git add --chmod=+x .kimi/hooks/format.sh'


def test_bundled_hook_script_losing_its_executable_bit_is_an_error(installed: Path) -> None:
    (installed / '.kimi/hooks/safety-check.sh').chmod(0o644)
    errors = [r for r in diagnose_project(installed) if r.severity is Severity.ERROR]
    assert [r.path for r in errors] == ['.kimi/hooks.toml.example']
    assert 'safety-check.sh is not executable' in errors[0].message


def test_doctor_runs_from_a_subdirectory_of_a_linked_worktree(installed: Path, tmp_path: Path) -> None:
    commit_all(installed, 'install omk assets')
    worktree = tmp_path / 'linked'
    git(installed, 'worktree', 'add', '-q', str(worktree))
    (worktree / 'src').mkdir()
    env = {**os.environ, 'PATH': path_without('kimi')}
    proc = subprocess.run((sys.executable, '-m', 'omk_precommit', 'doctor', '--json'), cwd=worktree / 'src', env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout
    assert any(r['path'] == '.kimi/agents/architect/agent.yaml' for r in json.loads(proc.stdout))


def test_kimi_version_is_reported_when_kimi_is_on_path(
        installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A kimi-cli 1.x from before the archive notice: the CLI that reads this .kimi/ project.
    # (Kimi Code 2.x does not read .kimi/: tests/multi_runtime_test.py.)
    args = fake_kimi(tmp_path, monkeypatch, 'echo "kimi, version 1.40.0"')
    (result,) = [r for r in diagnose_project(installed) if r.check == 'kimi']
    assert result.severity is Severity.OK and result.message.startswith('kimi 1.40.0 at ')
    assert args.read_text() == '--version\n'  # the only invocation, never a bare `kimi`


def test_archived_kimi_cli_is_a_warning(installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notice = 'kimi-cli is no longer maintained. Please use the new Kimi Code CLI.'
    fake_kimi(tmp_path, monkeypatch, f'echo "kimi, version 1.52.0"; echo "{notice}"')
    (result,) = [r for r in diagnose_project(installed) if r.check == 'kimi']
    assert result.severity is Severity.WARNING and 'archived' in result.message


@pytest.mark.parametrize('script', ['exit 3', 'echo no version here'])
def test_kimi_that_fails_its_version_query_is_a_warning(
        installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    fake_kimi(tmp_path, monkeypatch, script)
    (result,) = [r for r in diagnose_project(installed) if r.check == 'kimi']
    assert result.severity is Severity.WARNING and '--version failed' in result.message


def test_kimi_that_hangs_is_a_warning_after_the_timeout(
        installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_kimi(tmp_path, monkeypatch, 'sleep 30')  # sleep keeps the output pipe open
    monkeypatch.setattr(kimi_binary, 'VERSION_TIMEOUT', 0.3)
    (result,) = [r for r in diagnose_project(installed, strict=True) if r.check == 'kimi']
    assert result.severity is Severity.WARNING and 'did not answer' in result.message


def test_errors_become_github_annotations_except_in_json_mode(
        installed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    spec = installed / '.kimi/agents/mine/agent.yaml'
    spec.parent.mkdir()
    spec.write_text('version: 2\nagent: {extend: default, name: mine}\n')
    monkeypatch.setenv('GITHUB_ACTIONS', 'true')
    assert main(['doctor']) == 1
    annotation = '::error file=.kimi/agents/mine/agent.yaml::omk-doctor: unsupported agent spec version 2'
    assert annotation in capsys.readouterr().out
    assert main(['doctor', '--json']) == 1
    assert json.loads(capsys.readouterr().out)


def test_skill_file_linked_outside_the_project_is_an_error_and_not_read(
        installed: Path, tmp_path: Path) -> None:
    outside = tmp_path / 'SKILL.md'
    outside.write_text('---\nname: linked\ndescription: Lives elsewhere.\n---\n')
    (installed / '.kimi/skills/linked').mkdir()
    (installed / '.kimi/skills/linked/SKILL.md').symlink_to(outside)
    (result,) = [r for r in diagnose_project(installed) if r.path == '.kimi/skills/linked/SKILL.md']
    assert result.severity is Severity.ERROR and 'outside the project root' in result.message


@pytest.mark.parametrize(('target', 'hint'), [
    ('kimi-cli', 'pip install kimi-cli'), ('kimi-code', 'npm install -g @moonshot-ai/kimi-code'),
])
def test_kimi_not_on_path_hint_names_the_cli_of_the_checked_target(
        repo: Path, no_kimi: None, target: str, hint: str) -> None:
    install_project_assets(repo, target=target)
    (missing,) = [r for r in diagnose_project(repo, target=target) if r.check == 'kimi']
    assert 'not on PATH' in missing.message
    assert (missing.fix or '').startswith(hint)


def test_hook_program_not_on_path_is_a_warning_that_says_it_would_allow(installed: Path) -> None:
    config = installed / '.kimi/config.toml'
    config.write_text('[[hooks]]\nevent = "PreToolUse"\ncommand = "omk-no-such-program --check"\nmatcher = "Shell"\n')
    found = [r for r in diagnose_project(installed) if r.path == '.kimi/config.toml' and r.check == 'hooks']
    assert [r.severity for r in found] == [Severity.WARNING]
    assert 'omk-no-such-program is not on PATH' in found[0].message and '"allow"' in found[0].message
