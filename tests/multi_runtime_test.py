"""Without ``--target`` every command and hook acts on every runtime the repository has, each
reported under its runtime's name; ``install`` picks the CLI the user has; the doctor says when
the ``kimi`` on PATH does not read the runtime it checks (issue 19, docs/kimi-code.md#pre-commit).

The hook tests run the README's pre-commit snippet as written (no ``args``) under the real
pre-commit and prek; ``kimi`` on PATH is a fake that prints a version, as in doctor_test.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from testing.gitrepo import git
from testing.hookrepo import RUNNERS, HookedProject, HookRepo, hooked_project
from testing.omk import install_both_runtimes
from testing.pathenv import path_without

REPO_ROOT = Path(__file__).resolve().parent.parent
KIMI_CLI_FILE = '.kimi/agents/architect/system.md'
KIMI_CODE_FILE = '.kimi-code/agents/architect.md'


def readme_snippet_hooks() -> tuple[str, ...]:
    """The hook ids the README's pre-commit snippet enables (commented-out ones left out)."""
    readme = (REPO_ROOT / 'README.md').read_text()
    ids = tuple(re.findall(r'^\s+- id: (omk-[a-z]+)', readme, flags=re.MULTILINE))
    assert ids and 'omk-check' in ids
    return ids


def fake_kimi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version_output: str) -> None:
    """A ``kimi`` first on PATH that answers ``--version`` with ``version_output``."""
    bin_dir = tmp_path / 'fake-bin'
    bin_dir.mkdir()
    kimi = bin_dir / 'kimi'
    kimi.write_text(f'#!/bin/sh\necho "{version_output}"\n')
    kimi.chmod(0o755)
    monkeypatch.setenv('PATH', f'{bin_dir}{os.pathsep}{path_without("kimi")}')


@pytest.fixture
def no_kimi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PATH', path_without('kimi'))


@pytest.fixture
def both(repo: Path, no_kimi: None) -> Path:
    """A repository with both runtimes installed and committed."""
    return install_both_runtimes(repo)


def edit(root: Path, rel: str) -> None:
    path = root / rel
    path.write_text(path.read_text() + '\nA local edit.\n')


def section(output: str, runtime: str) -> str:
    """The part of a command's text output under the heading of ``runtime``."""
    parts = re.split(r'^[ \t]*== ([a-z-]+): .*==$', output, flags=re.MULTILINE)  # prek indents hook output
    sections = dict(zip(parts[1::2], parts[2::2]))
    assert runtime in sections, output
    return sections[runtime]


# -- must show 1: a Kimi Code-only repository with the README's snippet as written --------------


@pytest.fixture(params=RUNNERS)
def kimi_code_project(request: pytest.FixtureRequest, tmp_path: Path, hook_repo: HookRepo,
                      runner_homes: dict[str, str]) -> HookedProject:
    project = hooked_project(tmp_path / 'project', str(request.param), hook_repo, readme_snippet_hooks(), runner_homes)
    assert 'args:' not in (project.path / '.pre-commit-config.yaml').read_text()
    install_project_assets(project.path, target='kimi-code')
    (project.path / 'AGENTS.md').write_text('# Agents\n\nRun the tests before you commit.\n')
    return project


def test_readme_snippet_passes_the_clean_commit_of_a_kimi_code_only_repository(kimi_code_project: HookedProject):
    kimi_code_project.git('add', '-A')
    result = kimi_code_project.commit('install the kimi-code assets')
    assert result.returncode == 0, result.stdout
    assert '11 managed files match the manifest in the index' in result.stdout
    if 'omk-doctor' in readme_snippet_hooks():
        assert '.kimi-code/: ok: present' in result.stdout
        assert not re.search(r'^\.kimi/', result.stdout, flags=re.MULTILINE)  # nothing judged of a .kimi/


def test_readme_snippet_blocks_a_staged_edit_of_a_kimi_code_file_naming_it(kimi_code_project: HookedProject):
    kimi_code_project.git('add', '-A')
    assert kimi_code_project.commit('install').returncode == 0
    edit(kimi_code_project.path, KIMI_CODE_FILE)
    kimi_code_project.git('add', KIMI_CODE_FILE)
    head = kimi_code_project.head()

    result = kimi_code_project.commit('let the architect code')

    assert result.returncode != 0 and kimi_code_project.head() == head, result.stdout
    assert f'{KIMI_CODE_FILE}: modified in the index' in result.stdout


# -- must show 2: both runtimes: drift in either blocks, labelled with its runtime --------------


@pytest.mark.parametrize('runner', RUNNERS)
def test_drift_in_either_runtime_blocks_the_commit_under_its_runtimes_heading(
        tmp_path: Path, hook_repo: HookRepo, runner_homes: dict[str, str], runner: str):
    project = hooked_project(tmp_path / 'project', runner, hook_repo, ('omk-check',), runner_homes)
    install_project_assets(project.path, target='kimi-cli')
    install_project_assets(project.path, target='kimi-code')
    project.git('add', '-A')
    assert project.commit('install both').returncode == 0
    for runtime, rel in (('kimi-cli', KIMI_CLI_FILE), ('kimi-code', KIMI_CODE_FILE)):
        edit(project.path, rel)
        project.git('add', rel)
        head = project.head()

        result = project.commit(f'edit {rel}')

        assert result.returncode != 0 and project.head() == head, result.stdout
        assert f'{rel}: modified in the index' in section(result.stdout, runtime)
        other = 'kimi-code' if runtime == 'kimi-cli' else 'kimi-cli'
        assert 'match the manifest in the index' in section(result.stdout, other)
        project.git('reset', '-q', 'HEAD', '--', rel)
        project.git('checkout', '--', rel)


def test_check_of_both_runtimes_exits_1_on_drift_in_either_and_labels_json(
        both: Path, capsys: pytest.CaptureFixture[str]):
    assert main(['check']) == 0
    capsys.readouterr()
    (both / KIMI_CODE_FILE).unlink()

    assert main(['check']) == 1
    out = capsys.readouterr().out
    assert f'{KIMI_CODE_FILE}: missing (deleted)' in section(out, 'kimi-code')
    assert 'omk-kimi sync --force --target kimi-code' in section(out, 'kimi-code')
    assert '17 managed files match the manifest on disk' in section(out, 'kimi-cli')

    assert main(['check', '--json']) == 1
    reports = json.loads(capsys.readouterr().out)['runtimes']
    assert [(r['runtime'], [d['path'] for d in r['drifted']]) for r in reports] == [
        ('kimi-cli', []), ('kimi-code', [KIMI_CODE_FILE])]


def test_target_narrows_to_one_runtime_with_the_json_shape_of_before(
        both: Path, capsys: pytest.CaptureFixture[str]):
    edit(both, KIMI_CODE_FILE)
    assert main(['check', '--target', 'kimi-cli', '--json']) == 0
    report = json.loads(capsys.readouterr().out)
    assert report['runtime'] == 'kimi-cli' and report['drifted'] == [] and report['managed'] == 17
    assert main(['check', '--target', 'kimi-code']) == 1
    out = capsys.readouterr().out
    assert '==' not in out and f'{KIMI_CODE_FILE}: modified on disk' in out


def test_a_repository_without_a_manifest_is_one_hint_line_and_exit_0(repo: Path, capsys: pytest.CaptureFixture[str]):
    assert main(['check']) == 0
    assert capsys.readouterr().out.splitlines() == [
        '.kimi/omk-manifest.json: no manifest on disk, nothing to check (run omk-kimi install)']
    (repo / '.kimi-code').mkdir()
    assert main(['check']) == 0
    assert capsys.readouterr().out.splitlines() == [
        '.kimi-code/omk-manifest.json: no manifest on disk, nothing to check (run omk-kimi install --target kimi-code)']


def test_a_commit_checks_the_runtimes_whose_manifest_is_staged(both: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]):
    git(both, 'rm', '-q', '--cached', '-r', '.kimi')  # .kimi/ stays on disk, out of the commit
    edit(both, KIMI_CLI_FILE)
    monkeypatch.setenv('GIT_INDEX_FILE', str(both / '.git' / 'index'))

    assert main(['check']) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ['11 managed files match the manifest in the index']


def test_doctor_of_both_runtimes_labels_every_result(both: Path, capsys: pytest.CaptureFixture[str]):
    bad = both / '.kimi-code/agents/mine.md'
    bad.write_text('---\nname: Not A Valid Name\n---\n')

    assert main(['doctor', '--json']) == 1
    results = json.loads(capsys.readouterr().out)
    assert {r['runtime'] for r in results} == {'kimi-cli', 'kimi-code'}
    errors = [(r['runtime'], r['path']) for r in results if r['severity'] == 'error']
    assert errors and all(e == ('kimi-code', '.kimi-code/agents/mine.md') for e in errors)
    assert main(['doctor']) == 1
    out = capsys.readouterr().out
    assert '.kimi-code/agents/mine.md: error' in section(out, 'kimi-code')
    assert 'doctor: 0 errors' in section(out, 'kimi-cli')


def test_sync_diff_and_rollback_cover_both_runtimes(both: Path, capsys: pytest.CaptureFixture[str]):
    (both / KIMI_CLI_FILE).unlink()
    (both / KIMI_CODE_FILE).unlink()
    assert main(['sync', '--fail-on-change']) == 1
    out = capsys.readouterr().out
    assert f'{KIMI_CLI_FILE}: created' in section(out, 'kimi-cli')
    assert f'{KIMI_CODE_FILE}: created' in section(out, 'kimi-code')

    edit(both, KIMI_CLI_FILE)
    edit(both, KIMI_CODE_FILE)
    assert main(['diff', KIMI_CODE_FILE]) == 1
    out = capsys.readouterr().out
    assert f'+++ b/{KIMI_CODE_FILE}' in out and KIMI_CLI_FILE not in out
    assert main(['diff', '--json']) == 1
    diffs = {r['runtime']: r['diffs'] for r in json.loads(capsys.readouterr().out)['runtimes']}
    assert [len(diffs['kimi-cli']), len(diffs['kimi-code'])] == [1, 1]
    assert main(['diff', '.kimi-code/nope.md']) == 2

    assert main(['rollback']) == 0
    assert not (both / '.kimi/omk-manifest.json').exists() and not (both / '.kimi-code/omk-manifest.json').exists()
    assert (both / KIMI_CLI_FILE).exists() and (both / KIMI_CODE_FILE).exists()  # local edits are kept


# -- must show 3: install without --target picks the CLI the user has --------------------------


@pytest.mark.parametrize(('version', 'written', 'why'), [
    ('2.1.0', '.kimi-code', 'is Kimi Code CLI 2.1.0'),
    ('kimi, version 1.40.0', '.kimi', 'is Kimi CLI 1.40.0'),
])
def test_install_without_target_writes_the_assets_of_the_kimi_on_path_and_says_why(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        version: str, written: str, why: str):
    fake_kimi(tmp_path, monkeypatch, version)

    assert main(['install']) == 0

    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f'target {"kimi-code" if written == ".kimi-code" else "kimi-cli"} ({written}/): '
                            f'the kimi on PATH ({tmp_path / "fake-bin" / "kimi"}) {why}')
    assert (repo / written / 'omk-manifest.json').is_file()
    other = '.kimi' if written == '.kimi-code' else '.kimi-code'
    assert not (repo / other).exists()


def test_install_without_kimi_follows_the_asset_dir_the_project_has_else_the_default(
        repo: Path, no_kimi: None, capsys: pytest.CaptureFixture[str]):
    (repo / '.kimi-code').mkdir()
    assert main(['install', '--dry-run']) == 0
    assert 'target kimi-code (.kimi-code/): no kimi on PATH, and the project already has .kimi-code/' in \
        capsys.readouterr().out
    (repo / '.kimi-code').rmdir()
    assert main(['install']) == 0
    assert 'target kimi-cli (.kimi/): no kimi on PATH, and the project has no asset dir yet: the default' in \
        capsys.readouterr().out
    assert (repo / '.kimi/omk-manifest.json').is_file()


def test_install_target_decides_over_the_kimi_on_path(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]):
    fake_kimi(tmp_path, monkeypatch, '2.1.0')
    assert main(['install', '--target', 'kimi-cli', '--json']) == 0
    assert json.loads(capsys.readouterr().out)['chosen_because'] == '--target kimi-cli'
    assert (repo / '.kimi/omk-manifest.json').is_file() and not (repo / '.kimi-code').exists()


# -- must show 4: the doctor knows which CLI runs here ------------------------------------------


def kimi_result(capsys: pytest.CaptureFixture[str], runtime: str) -> dict[str, str]:
    assert main(['doctor', '--json']) == 0  # advisory: never fails the run
    (result,) = [r for r in json.loads(capsys.readouterr().out) if r['check'] == 'kimi' and r['runtime'] == runtime]
    return result


def test_with_kimi_code_on_path_the_doctor_of_a_kimi_cli_project_warns_it_is_not_read(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    install_project_assets(repo, target='kimi-cli')
    fake_kimi(tmp_path, monkeypatch, '2.1.0')

    result = kimi_result(capsys, 'kimi-cli')

    assert result['severity'] == 'warning'
    assert 'is Kimi Code CLI, which reads .kimi-code/, not .kimi/' in result['message']
    assert result['fix'] == 'omk-kimi migrate --to kimi-code'


def test_with_kimi_cli_on_path_the_doctor_of_a_kimi_code_project_warns_it_is_not_read(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    install_project_assets(repo, target='kimi-code')
    fake_kimi(tmp_path, monkeypatch, 'kimi, version 1.40.0')

    result = kimi_result(capsys, 'kimi-code')

    assert result['severity'] == 'warning' and 'which reads .kimi/, not .kimi-code/' in result['message']
    assert 'omk-kimi install ' in result['fix'] and 'npm install -g @moonshot-ai/kimi-code' in result['fix']


def test_a_project_with_both_runtimes_is_fine_with_either_cli(
        both: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    fake_kimi(tmp_path, monkeypatch, '2.1.0')
    assert kimi_result(capsys, 'kimi-cli')['severity'] == 'ok'
    assert kimi_result(capsys, 'kimi-code')['severity'] == 'ok'


@pytest.mark.parametrize(('target', 'hint'), [
    ('kimi-cli', 'pip install kimi-cli'), ('kimi-code', 'npm install -g @moonshot-ai/kimi-code')])
def test_kimi_not_on_path_names_the_cli_of_the_runtime_checked(
        repo: Path, no_kimi: None, capsys: pytest.CaptureFixture[str], target: str, hint: str):
    install_project_assets(repo, target=target)
    result = kimi_result(capsys, target)
    assert result['severity'] == 'warning' and 'not on PATH' in result['message']
    assert result['fix'].startswith(hint)


def test_the_doctor_asks_kimi_once_for_both_runtimes(both: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]):
    fake_kimi(tmp_path, monkeypatch, '2.1.0')
    log = tmp_path / 'kimi.args'
    kimi = tmp_path / 'fake-bin' / 'kimi'
    kimi.write_text(f'#!/bin/sh\necho "$@" >> {log}\necho 2.1.0\n')
    assert main(['doctor']) == 0
    assert log.read_text() == '--version\n'


def test_hooks_yaml_needs_no_args_for_either_runtime():
    hooks = yaml.safe_load((REPO_ROOT / '.pre-commit-hooks.yaml').read_text())
    assert hooks and all('args' not in h and '--target' not in h['entry'] for h in hooks)
