"""The doctor's verdict cache: a stored verdict is printed only while nothing it depends on changed."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import omk_precommit
import omk_precommit.doctor
from omk_precommit.cli import main
from omk_precommit.fastcheck import statcache
from omk_precommit.fastcheck import warm as hot_path_cache
from omk_precommit.fastcheck.cachefile import write_record
from omk_precommit.fastcheck.verdict import cache_path
from testing.bundles import BundlePackage
from testing.gitrepo import commit_all, git

SHORT_WINDOW_NS = 50_000_000
AGENT = '.kimi/agents/architect/agent.yaml'
HOOK_SCRIPT = '.kimi/hooks/safety-check.sh'


def settle() -> None:
    """Wait out the (short) racy window, so that what was just written can be cached."""
    time.sleep(2 * SHORT_WINDOW_NS / 1e9)


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per real doctor run (a cache miss); a spy, the doctor still runs."""
    runs: list[bool] = []
    real = omk_precommit.doctor.diagnose_project

    def spy(*args: object, **kwargs: object) -> object:
        runs.append(True)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(omk_precommit.doctor, 'diagnose_project', spy)
    return runs


@pytest.fixture
def project(doctor_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean committed install, with an empty PATH directory a ``kimi`` can be put in; settled."""
    monkeypatch.setattr(statcache, 'RACY_WINDOW_NS', SHORT_WINDOW_NS)
    monkeypatch.setattr(hot_path_cache, 'RACY_WINDOW_NS', SHORT_WINDOW_NS)  # the hooks' hot path (commands.fast)
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    monkeypatch.setenv('PATH', f'{bin_dir}{os.pathsep}{os.environ["PATH"]}')
    monkeypatch.delenv('GITHUB_ACTIONS', raising=False)
    monkeypatch.delenv('GIT_INDEX_FILE', raising=False)
    settle()
    return doctor_project


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(['doctor', *args])
    out, err = capsys.readouterr()
    return code, out, err


def warm(capsys: pytest.CaptureFixture[str], judged: list[bool], *args: str) -> tuple[int, str, str]:
    """Run the doctor until its verdict is cached (two runs), and return the cached run's result."""
    first = doctor(capsys, *args)
    before = len(judged)
    second = doctor(capsys, *args)
    assert len(judged) == before, 'the second run of an unchanged project was judged again'
    assert second == first
    return second


def judged_again(capsys: pytest.CaptureFixture[str], judged: list[bool], *args: str) -> tuple[int, str]:
    """Run the doctor, which must judge afresh (a changed input), and return its status and output."""
    before = len(judged)
    code, out, _ = doctor(capsys, *args)
    assert len(judged) == before + 1, 'a changed input was not seen: the cached verdict was printed'
    return code, out


def test_unchanged_project_is_not_judged_again_and_prints_the_same_verdict(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    code, out, _ = warm(capsys, judged)
    assert judged == [True]
    assert code == 0
    assert 'the kimi command is not on PATH' in out  # a cached verdict still prints its warnings
    assert out.rstrip().splitlines()[-1].startswith('doctor: 0 errors, 1 warning')


def _chmod_minus_x(root: Path) -> None:
    path = root / HOOK_SCRIPT
    path.chmod(path.stat().st_mode & ~(stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))


def _script_outside_the_asset_dir(root: Path) -> None:
    (root / 'scripts').mkdir(exist_ok=True)
    (root / 'scripts' / 'stop.sh').write_text('#!/bin/sh\nexit 0\n')
    (root / 'scripts' / 'stop.sh').chmod(0o755)
    (root / '.kimi' / 'config.toml').write_text('[[hooks]]\nevent = "Stop"\ncommand = "scripts/stop.sh"\n')


def _user_config(root: Path) -> None:
    share = Path(os.environ['KIMI_SHARE_DIR'])
    share.mkdir(parents=True, exist_ok=True)
    (share / 'config.toml').write_text('telemetry = false\n')


def _kimi_on_path(root: Path) -> None:
    kimi = Path(os.environ['PATH'].split(os.pathsep)[0]) / 'kimi'
    kimi.write_text('#!/bin/sh\necho "kimi, version 1.52.0"\n')
    kimi.chmod(0o755)


# Each input of a verdict, changed on its own: (what it is, how to change it).
FLIPS: list[tuple[str, Callable[[Path], object]]] = [
    ('an agent file', lambda root: (root / AGENT).write_text((root / AGENT).read_text() + '# edited\n')),
    ("a hook script's mode", _chmod_minus_x),
    ('AGENTS.md', lambda root: (root / 'AGENTS.md').unlink()),
    ('a file added to the asset dir', lambda root: (root / '.kimi/skills/new.md').write_text('no frontmatter\n')),
    ('the project config', lambda root: (root / '.kimi/config.toml').write_text('theme = "blue"\n')),
    ('a script a hook points at, outside the asset dir', _script_outside_the_asset_dir),
    ('the user config', _user_config),
    ('the kimi binary on PATH', _kimi_on_path),
]


@pytest.mark.parametrize(('what', 'flip'), FLIPS, ids=[what for what, _ in FLIPS])
def test_a_changed_input_is_judged_again(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool], what: str, flip: Callable[[Path], object],
) -> None:
    before = warm(capsys, judged)
    flip(project)
    settle()
    runs = len(judged)
    after = doctor(capsys)
    assert len(judged) == runs + 1, f'{what} changed, but the cached verdict was printed'
    assert after != before  # each flip changes what the doctor says, so a stale verdict would show
    assert warm(capsys, judged) == after  # and the new verdict is cached in turn


def test_a_second_edit_of_the_same_file_is_judged_again(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    # Two edits in a row: the second must not be hidden by the verdict cached after the first.
    warm(capsys, judged)
    (project / '.kimi/config.toml').write_text('theme = "blue"\n')
    settle()
    warm(capsys, judged)
    (project / '.kimi/config.toml').write_text('[[hooks]]\nevent = "Stop"\ncommand = "true"\ntimeout = 0\n')
    settle()
    runs = len(judged)
    code, out, _ = doctor(capsys)
    assert len(judged) == runs + 1
    assert code == 1 and 'timeout' in out


def test_a_change_inside_the_racy_window_is_not_cached(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    warm(capsys, judged)
    (project / AGENT).write_text((project / AGENT).read_text() + '# edited\n')  # no settle(): racy
    doctor(capsys)
    runs = len(judged)
    doctor(capsys)
    assert len(judged) == runs + 1, 'a verdict on a file changed within the racy window was trusted'


@pytest.mark.parametrize('option', [['--strict'], ['--json'], ['--target', 'kimi-code'], ['--staged']])
def test_each_option_has_its_own_verdict(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool], option: list[str],
) -> None:
    (project / 'AGENTS.md').unlink()  # a warning about the project, which --strict makes an error
    commit_all(project, 'no AGENTS.md')
    settle()
    plain = warm(capsys, judged)
    runs = len(judged)
    with_option = doctor(capsys, *option)
    assert len(judged) == runs + 1
    assert with_option != plain
    assert warm(capsys, judged, *option) == with_option
    runs = len(judged)
    assert doctor(capsys) == plain  # the verdict without the option is never mixed up with it
    assert len(judged) == runs  # and is still cached: a runtime and --staged have their own file,
    # the other options their own entry in it


def test_changed_ignore_rules_are_judged_again(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    # Drift in an ignored path is not an error, so the rules are an input (even when, as for a
    # tracked file here, git's answer does not change).
    warm(capsys, judged)
    (project / '.gitignore').write_text(f'{AGENT}\n')
    settle()
    runs = len(judged)
    doctor(capsys)
    assert len(judged) == runs + 1


def test_another_release_judges_again(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool], monkeypatch: pytest.MonkeyPatch,
) -> None:
    warm(capsys, judged)
    monkeypatch.setattr(omk_precommit, '__version__', '99.0.0')
    runs = len(judged)
    doctor(capsys)
    assert len(judged) == runs + 1


def test_a_changed_kimi_home_variable_judges_again(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    warm(capsys, judged)
    monkeypatch.setenv('KIMI_SHARE_DIR', str(tmp_path / 'elsewhere'))
    runs = len(judged)
    doctor(capsys)
    assert len(judged) == runs + 1


def test_staged_verdict_follows_the_index_not_the_working_tree(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    staged = warm(capsys, judged, '--staged')
    (project / '.kimi/config.toml').write_text('theme = "blue"\n')
    git(project, 'add', '.kimi/config.toml')
    git(project, 'reset', '-q', '--', '.kimi/config.toml')  # untracked again: the summary names it
    settle()
    runs = len(judged)
    untracked = doctor(capsys, '--staged')
    assert len(judged) == runs + 1 and 'skipped 1 untracked file' in untracked[1]
    git(project, 'add', '.kimi/config.toml')
    settle()
    runs = len(judged)
    added = doctor(capsys, '--staged')
    assert len(judged) == runs + 1 and added != untracked and added != staged
    warm(capsys, judged, '--staged')
    _chmod_minus_x(project)  # an unstaged change is not part of the commit: the verdict stands
    settle()
    runs = len(judged)
    assert doctor(capsys, '--staged') == added
    assert len(judged) == runs
    git(project, 'add', HOOK_SCRIPT)  # staged, it is
    runs = len(judged)
    code, out, _ = doctor(capsys, '--staged')
    assert len(judged) == runs + 1 and code == 1 and 'safety-check.sh' in out


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == 'flipped byte':
        path.write_bytes(data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:])
    elif how == 'truncated':
        path.write_bytes(data[: len(data) // 2])
    elif how == 'empty':
        path.write_bytes(b'')
    elif how == 'another release':
        path.write_bytes(data.replace(omk_precommit.__version__.encode(), b'0.0.0-other', 1))
    elif how == 'wrong shape':  # a valid record of the right kind, with the wrong fields
        write_record(path, b'verdict/2', ('not', 'a', 'verdict'))


@pytest.mark.parametrize('how', ['flipped byte', 'truncated', 'empty', 'another release', 'wrong shape'])
def test_damaged_or_foreign_cache_is_ignored(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool], how: str,
) -> None:
    verdict = warm(capsys, judged)
    path = cache_path(project, '.kimi', staged=False)
    assert path is not None and path.is_file()
    _damage(path, how)
    runs = len(judged)
    assert doctor(capsys) == verdict
    assert len(judged) == runs + 1


def test_forged_verdict_for_other_inputs_is_ignored(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    # A cache from another checkout of the same repository (another root) is foreign.
    verdict = warm(capsys, judged)
    path = cache_path(project, '.kimi', staged=False)
    assert path is not None
    from omk_precommit.fastcheck.cachefile import read_record

    fields = read_record(path, b'verdict/2')
    assert fields is not None and len(fields) == 1
    context, *entry = fields[0]
    forged = ('/elsewhere', *context[1:])
    write_record(path, b'verdict/2', ((forged, *entry[:5], (0, 'forged\n'), ()),))
    runs = len(judged)
    assert doctor(capsys) == verdict
    assert len(judged) == runs + 1


def test_a_run_in_another_context_does_not_evict_the_verdict_of_this_one(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A commit hook runs with git's exec dir on PATH; a run by hand without. Both stay cached.
    by_hand = warm(capsys, judged)
    with monkeypatch.context() as m:
        m.setenv('PATH', f'{os.environ["PATH"]}{os.pathsep}/nonexistent-git-core')
        in_hook = warm(capsys, judged)
    runs = len(judged)
    assert doctor(capsys) == by_hand
    assert len(judged) == runs
    assert in_hook == by_hand


def test_cache_lives_in_the_git_dir_and_git_status_stays_clean(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    warm(capsys, judged)
    assert (project / '.git' / 'omk-doctor-cache.kimi').is_file()
    assert git(project, 'status', '--porcelain').stdout == ''


def test_json_verdict_from_the_cache_is_valid_json(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    code, out, _ = warm(capsys, judged, '--json')
    assert code == 0 and isinstance(json.loads(out), list)


def test_cached_doctor_imports_neither_yaml_nor_tomlkit_nor_dataclasses_nor_the_doctor(doctor_project: Path) -> None:
    # The real 3 s racy window: the point is the import set of a real warm run.
    script = (
        'import sys\n'
        'from omk_precommit.cli import main\n'
        'code = main(["doctor"])\n'
        'print(" ".join(sorted(sys.modules)))\n'
    )
    time.sleep(statcache.RACY_WINDOW_NS / 1e9 + 0.2)
    for staged in (False, True):
        env = {**os.environ, **({'GIT_INDEX_FILE': str(doctor_project / '.git' / 'index')} if staged else {})}
        runs = [subprocess.run((sys.executable, '-c', script), cwd=doctor_project, env=env, capture_output=True,
                               text=True, check=True) for _ in range(2)]
        modules = set(runs[1].stdout.splitlines()[-1].split())
        assert runs[1].stdout.splitlines()[:-1] == runs[0].stdout.splitlines()[:-1]
        heavy = {'yaml', 'tomlkit', 'dataclasses', 'git', 'omk_precommit.doctor', 'omk_precommit.engine.manifest',
                 'omk_precommit.runtimes.kimi_cli.agentspec', 'json'}
        assert modules & heavy == set(), f'staged={staged}'


def _template_prompt(root: Path, prompt: str) -> None:
    """An agent whose prompt (``prompt``, from the project root) includes ``part.md`` beside it."""
    (root / prompt).parent.mkdir(parents=True, exist_ok=True)
    (root / prompt).write_text('Hello\n{% include "part.md" %}\n')
    agent = root / '.kimi/agents/mine/agent.yaml'
    agent.parent.mkdir(parents=True)
    agent.write_text(f'version: 1\nagent:\n  extend: default\n  name: mine\n  system_prompt_path: ../../../{prompt}\n')


def test_an_include_created_after_the_verdict_is_seen(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    _template_prompt(project, 'docs/p/system.md')
    settle()
    code, out, _ = warm(capsys, judged)
    assert code == 1 and 'part.md' in out

    (project / 'docs/p/part.md').write_text('the part\n')
    code, _ = judged_again(capsys, judged)

    assert code == 0


def test_a_template_prompt_in_the_project_root_leaves_the_verdict_cached(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    _template_prompt(project, 'system.md')
    (project / 'part.md').write_text('the part\n')
    settle()
    warm(capsys, judged)  # its folder is the whole project: not an input (.git changes on every run)

    (project / 'part.md').write_text('the part, edited\n')
    judged_again(capsys, judged)  # what it includes by name is an input


def test_a_script_reached_through_a_link_to_the_root_is_an_input(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    (project / 'scripts').mkdir()
    script = project / 'scripts' / 'run.sh'
    script.write_text('#!/bin/sh\nexit 0\n')
    script.chmod(0o755)
    (project / '.kimi' / 'lnk').mkdir()
    os.symlink('../..', project / '.kimi' / 'lnk' / 'root')
    (project / '.kimi' / 'config.toml').write_text('[[hooks]]\nevent = "Stop"\ncommand = ".kimi/lnk/root/scripts/run.sh"\n')
    settle()
    code, _, _ = warm(capsys, judged)
    assert code == 0

    script.chmod(0o644)
    code, out = judged_again(capsys, judged)

    assert code == 1 and 'not executable' in out


def _hook_running(root: Path, command: str) -> None:
    (root / '.kimi' / 'config.toml').write_text(f'[[hooks]]\nevent = "Stop"\ncommand = "{command}"\n')


@pytest.mark.parametrize('program', ['omk-tool-9', 'omk-interpreter-9'])
def test_a_program_a_hook_needs_installed_or_removed_later_is_seen(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool], program: str,
) -> None:
    if program == 'omk-tool-9':
        _hook_running(project, 'omk-tool-9 --check')
    else:
        script = project / 'scripts' / 'gate.sh'
        script.parent.mkdir()
        script.write_text(f'#!/usr/bin/env {program}\nexit 0\n')
        script.chmod(0o755)
        _hook_running(project, 'scripts/gate.sh')
    settle()
    _, missing, _ = warm(capsys, judged)
    assert program in missing

    installed = Path(os.environ['PATH'].split(os.pathsep)[0]) / program
    installed.write_text('#!/bin/sh\nexit 0\n')
    installed.chmod(0o755)
    _, found = judged_again(capsys, judged)
    assert program not in found

    settle()
    warm(capsys, judged)
    installed.unlink()
    _, gone = judged_again(capsys, judged)
    assert program in gone  # never a cached pass once it is gone


def test_a_script_named_by_its_absolute_path_in_the_project_is_an_input(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    (project / 'scripts').mkdir()
    _hook_running(project, f'{project}/scripts/run.sh')
    settle()
    _, missing, _ = warm(capsys, judged)
    assert 'does not exist' in missing

    (project / 'scripts' / 'run.sh').write_text('#!/bin/sh\nexit 0\n')
    (project / 'scripts' / 'run.sh').chmod(0o755)
    _, found = judged_again(capsys, judged)
    assert 'does not exist' not in found


def test_a_path_bundle_restored_after_the_verdict_is_seen(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    assert main(['bundle', 'init', 'tools/kb']) == 0
    assert main(['install', '--bundle', './tools/kb']) == 0
    toml = project / 'tools' / 'kb' / 'omk-bundle.toml'
    kept = toml.read_bytes()
    toml.unlink()
    capsys.readouterr()
    settle()
    code, out, _ = warm(capsys, judged)
    assert code == 1 and 'has no omk-bundle.toml' in out

    toml.write_bytes(kept)
    code, out = judged_again(capsys, judged)
    assert 'has no omk-bundle.toml' not in out


def test_a_bundle_package_uninstalled_after_the_verdict_is_seen(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
    acme_v1: BundlePackage, monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = tmp_path / 'site'
    shutil.copytree(acme_v1.site, site)
    monkeypatch.syspath_prepend(str(site))
    assert main(['install', '--bundle', 'acme']) == 0
    capsys.readouterr()
    settle()
    code, out, _ = warm(capsys, judged)
    assert code == 0, out

    toml = site / 'acme_kimi_assets' / 'omk-bundle.toml'
    toml.write_text(toml.read_text().replace('version = "1.0.0"', 'version = "1.0.1"'))  # edited in place
    code, out = judged_again(capsys, judged)
    assert '1.0.1 available' in out
    settle()
    warm(capsys, judged)

    sys.path.remove(str(site))  # PYTHONPATH no longer names it
    code, out = judged_again(capsys, judged)
    assert code == 1 and 'is not installed' in out
    sys.path.insert(0, str(site))
    settle()
    warm(capsys, judged)

    for installed in site.iterdir():  # pip uninstall, by hand
        shutil.rmtree(installed)
    code, out = judged_again(capsys, judged)
    assert code == 1 and 'is not installed' in out


def test_an_env_interpreter_elsewhere_removed_later_is_seen(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    env = tmp_path / 'e' / 'env'
    env.parent.mkdir()
    os.symlink(shutil.which('env') or '/usr/bin/env', env)
    script = project / 'tools' / 'x'
    script.parent.mkdir()
    script.write_text(f'#!{env} sh\nexit 0\n')
    script.chmod(0o755)
    _hook_running(project, 'tools/x')
    settle()
    code, _, _ = warm(capsys, judged)
    assert code == 0

    env.unlink()
    code, out = judged_again(capsys, judged)
    assert code == 1 and 'does not exist' in out


def test_a_staged_link_retargeted_is_seen(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool],
) -> None:
    for folder, mode in (('d', 0o755), ('e', 0o644)):
        (project / 'tools' / folder).mkdir(parents=True)
        (project / 'tools' / folder / 'x').write_text('#!/bin/sh\nexit 0\n')
        (project / 'tools' / folder / 'x').chmod(mode)
    os.symlink('tools/d', project / 'td')
    _hook_running(project, 'td/x')
    commit_all(project, 'a hook through a link')
    settle()
    code, _, _ = warm(capsys, judged, '--staged')
    assert code == 0

    (project / 'td').unlink()
    os.symlink('tools/e', project / 'td')
    git(project, 'add', 'td')
    code, out = judged_again(capsys, judged, '--staged')
    assert code == 1 and 'not executable' in out


def test_a_relative_path_entry_makes_the_directory_part_of_the_context(
    project: Path, capsys: pytest.CaptureFixture[str], judged: list[bool], monkeypatch: pytest.MonkeyPatch,
) -> None:
    (project / 'tools').mkdir()
    (project / 'tools' / 'relprog').write_text('#!/bin/sh\nexit 0\n')
    (project / 'tools' / 'relprog').chmod(0o755)
    (project / 'sub').mkdir()
    _hook_running(project, 'relprog')
    monkeypatch.setenv('PATH', f'tools{os.pathsep}{os.environ["PATH"]}')
    settle()
    _, out, _ = warm(capsys, judged)
    assert 'relprog is not on PATH' not in out

    monkeypatch.chdir(project / 'sub')  # from here, PATH's "tools" is sub/tools
    _, out = judged_again(capsys, judged)
    assert 'relprog is not on PATH' in out
