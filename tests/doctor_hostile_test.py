"""``omk-kimi doctor`` on hostile checkouts: CRLF hook scripts, FIFOs where files belong, and a
``.kimi`` that is a file or a symlink out of the project. Each is one error naming the file and
a fix that works; none hangs."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from omk_precommit import DiagResult, Severity, diagnose_project
from testing.gitrepo import commit_all, git
from testing.omk import omk, omk_command, omk_env
from testing.pathenv import path_without

HOOK_SCRIPTS = ('completion-check.sh', 'notify.sh', 'safety-check.sh')


def errors(results: list[DiagResult]) -> dict[str, list[DiagResult]]:
    found: dict[str, list[DiagResult]] = {}
    for r in results:
        if r.severity is Severity.ERROR:
            found.setdefault(r.path or '', []).append(r)
    return found


def check_out_again(repo: Path, directory: str) -> None:
    """Re-write ``directory`` from git, so the eol settings now in force apply, as in a fresh clone."""
    git(repo, 'rm', '-q', '--cached', '-r', directory)
    git(repo, 'checkout', 'HEAD', '--', directory)


@pytest.mark.parametrize('crlf_setting', ['gitattributes', 'autocrlf'])
def test_hook_scripts_checked_out_with_crlf_are_errors_and_the_fix_works(doctor_project: Path, crlf_setting: str) -> None:
    if crlf_setting == 'gitattributes':
        (doctor_project / '.gitattributes').write_text('* text eol=crlf\n')
        commit_all(doctor_project, 'crlf everywhere')
    else:
        git(doctor_project, 'config', 'core.autocrlf', 'true')
    check_out_again(doctor_project, '.kimi/hooks')
    assert (doctor_project / '.kimi/hooks/safety-check.sh').read_bytes().startswith(b'#!/bin/sh\r\n')
    gate = subprocess.run(['/bin/sh', '-c', '.kimi/hooks/safety-check.sh'], input='{}', capture_output=True,
                          text=True, check=False, cwd=doctor_project)
    assert gate.returncode == 127  # as Kimi runs it: the hook cannot start, and Kimi allows the action

    found = errors(diagnose_project(doctor_project))

    for name in HOOK_SCRIPTS:
        [error] = found.pop(f'.kimi/hooks/{name}')
        assert 'CRLF line endings' in error.message and '#! line ends in a carriage return' in error.message
        assert 'allowing the action' in error.message
        assert error.fix == ('add `.kimi/hooks/*.sh text eol=lf` to .gitattributes, then '
                             'git rm --cached -r .kimi/hooks && git checkout HEAD -- .kimi/hooks')
    assert found == {}
    assert omk(doctor_project, 'check').code == 0  # a CRLF-only difference is still not drift

    with (doctor_project / '.gitattributes').open('a') as f:
        f.write('.kimi/hooks/*.sh text eol=lf\n')
    check_out_again(doctor_project, '.kimi/hooks')  # the fix, as the doctor words it
    assert errors(diagnose_project(doctor_project)) == {}


def test_a_crlf_script_a_hook_command_runs_is_an_error_on_that_hook(doctor_project: Path) -> None:
    scripts = doctor_project / 'scripts'
    scripts.mkdir()
    (scripts / 'gate.sh').write_bytes(b'#!/bin/sh\r\nexit 0\r\n')
    (scripts / 'gate.sh').chmod(0o755)
    (scripts / 'lint.py').write_bytes(b'#!/usr/bin/env python3\r\nprint(1)\r\n')  # Python reads CRLF fine
    (doctor_project / '.kimi/config.toml').write_text(
        '[[hooks]]\nevent = "PreToolUse"\ncommand = "scripts/gate.sh"\n\n'
        '[[hooks]]\nevent = "Stop"\ncommand = "python3 scripts/lint.py"\n')

    [error] = errors(diagnose_project(doctor_project))['.kimi/config.toml']

    assert error.message.startswith('hooks[0]: script scripts/gate.sh has CRLF line endings')
    assert 'git checkout HEAD -- scripts' in (error.fix or '')


def test_kimi_code_hook_scripts_with_crlf_are_errors(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PATH', path_without('kimi'))
    assert omk(repo, 'install', '--target', 'kimi-code').code == 0
    script = repo / '.kimi-code/hooks/safety-check.sh'
    script.write_bytes(script.read_bytes().replace(b'\n', b'\r\n'))

    [error] = errors(diagnose_project(repo, target='kimi-code'))['.kimi-code/hooks/safety-check.sh']

    assert 'CRLF' in error.message and '.kimi-code/hooks/*.sh text eol=lf' in (error.fix or '')


def test_fifos_where_doctor_reads_files_are_errors_not_a_hang(doctor_project: Path) -> None:
    fifos = ('.kimi/agents/architect/system.md', '.kimi/agents/reviewer/agent.yaml',
             '.kimi/skills/omk-managed-assets/SKILL.md', '.kimi/hooks.toml.example', '.kimi/hooks/notify.sh',
             '.kimi/config.toml', 'AGENTS.md')
    for rel in fifos:
        with contextlib.suppress(FileNotFoundError):
            (doctor_project / rel).unlink()
        os.mkfifo(doctor_project / rel)

    done = subprocess.run([*omk_command(doctor_project, 'doctor', '--json')], env=omk_env(), capture_output=True,
                          text=True, check=False, timeout=20)

    assert done.returncode == 1, done.stderr
    found: dict[str, list[str]] = {}
    for r in json.loads(done.stdout):
        if r['severity'] == 'error':
            found.setdefault(r['path'], []).append(r['message'])
    assert found['.kimi/agents/architect/agent.yaml'] == [
        'system prompt .kimi/agents/architect/system.md is not a regular file (a FIFO)']
    for rel in fifos[1:]:
        assert any('is not a regular file (a FIFO)' in m for m in found[rel]), (rel, found)


def test_a_fifo_hook_script_a_kimi_code_hook_runs_is_an_error_not_a_hang(repo: Path) -> None:
    assert omk(repo, 'install', '--target', 'kimi-code').code == 0
    for rel in ('.kimi-code/hooks/safety-check.sh', '.kimi-code/hooks.toml.example',
                '.kimi-code/skills/omk-managed-assets/SKILL.md'):
        (repo / rel).unlink()
        os.mkfifo(repo / rel)

    done = subprocess.run(omk_command(repo, 'doctor', '--target', 'kimi-code'), env=omk_env(),
                          capture_output=True, text=True, check=False, timeout=20)

    assert done.returncode == 1, done.stderr
    assert '.kimi-code/hooks/safety-check.sh: error: is not a regular file (a FIFO)' in done.stdout


def test_a_file_where_the_kimi_dir_belongs_is_named_as_in_the_way(repo: Path) -> None:
    (repo / '.kimi').write_text('notes\n')

    [error] = errors(diagnose_project(repo))['.kimi/']

    assert error.message == 'is a file, not a directory, so it is in the way of the Kimi CLI assets'
    assert error.fix == 'move it aside (mv .kimi .kimi.old) and run omk-kimi install'


def test_a_kimi_dir_linked_outside_the_project_says_to_remove_the_link(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    (repo / '.kimi').symlink_to(elsewhere)

    [error] = errors(diagnose_project(repo))['.kimi/']

    assert f'is a symlink to {elsewhere}, outside the project root' in error.message
    assert error.fix is not None and error.fix.startswith('remove the link (rm .kimi)')
    assert omk(repo, 'install').code == 2  # why "run omk-kimi install" alone would be no fix


def test_a_fifo_manifest_is_named_once_as_not_a_regular_file(doctor_project: Path) -> None:
    manifest = doctor_project / '.kimi/omk-manifest.json'
    manifest.unlink()
    os.mkfifo(manifest)

    done = subprocess.run(omk_command(doctor_project, 'check'), env=omk_env(), capture_output=True, text=True,
                          check=False, timeout=20)

    assert done.returncode == 2
    assert done.stderr == ('omk-kimi: .kimi/omk-manifest.json: is not a regular file (a FIFO); '
                           'move it aside and run again\n')
