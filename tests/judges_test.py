"""The real judges: found portably, required in the full tier, one skip line each in the fast tier."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from testing import kimi_cli
from testing.cache import REPO_ROOT
from testing.judges import JudgeUnavailable
from testing.kimi_code import KimiCodeUnavailable, install_kimi_code

JUDGE_TESTS = ('tests/kimi_code_real_test.py', 'tests/doctor_kimi_cli_facts_test.py')
OFFLINE_REGISTRY = 'http://127.0.0.1:9/'  # the discard port: nothing answers, as when offline


def fake_python(path: Path, version: str) -> Path:
    """An executable that answers the version probe as Python ``version`` would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho {version.replace(".", " ")}\n')
    path.chmod(0o755)
    return path


def run_pytest_without_judges(tmp_path: Path, tier: str) -> subprocess.CompletedProcess[str]:
    """The judge tests in a fresh pytest with an empty cache, npm offline and no usable Python for kimi-cli."""
    env = {
        **os.environ, 'OMK_TEST_TIER': tier, 'OMK_TEST_CACHE': str(tmp_path / 'cache'),
        'OMK_KIMI_PYTHON': str(tmp_path / 'no-such-python'), 'npm_config_registry': OFFLINE_REGISTRY,
    }
    return subprocess.run(
        (sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', *JUDGE_TESTS),
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )


def test_full_tier_fails_in_one_line_naming_each_judge_that_cannot_be_installed(tmp_path: Path) -> None:
    proc = run_pytest_without_judges(tmp_path, 'full')
    assert proc.returncode == 4, proc.stdout + proc.stderr
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert line.startswith('ERROR: full test tier: the kimi-cli judge cannot be installed: OMK_KIMI_PYTHON=')
    assert 'the Kimi Code judge cannot be installed: npm could not install Kimi Code' in line
    assert 'passed' not in proc.stdout


def test_fast_tier_skips_with_one_summary_line_per_missing_judge(tmp_path: Path) -> None:
    proc = run_pytest_without_judges(tmp_path, 'fast')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    skipped = [ln for ln in proc.stdout.splitlines() if ln.startswith('SKIPPED')]
    assert len(skipped) == 2, proc.stdout
    assert any('kimi-cli judge unavailable: OMK_KIMI_PYTHON=' in ln and 'does not run' in ln for ln in skipped)
    assert any('Kimi Code judge unavailable: npm could not install Kimi Code' in ln and 'offline?' in ln for ln in skipped)
    assert 'failed' not in proc.stdout and 'error' not in proc.stdout


def test_a_bad_tier_name_is_one_line_and_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        (sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--co', 'tests/judges_test.py'),
        cwd=REPO_ROOT, env={**os.environ, 'OMK_TEST_TIER': 'quick'}, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 4
    assert proc.stderr.strip() == "ERROR: OMK_TEST_TIER='quick' is not a test tier: use fast (the default) or full"


def test_offline_npm_is_a_reason_to_skip_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('OMK_TEST_CACHE', str(tmp_path / 'cache'))
    monkeypatch.setenv('npm_config_registry', OFFLINE_REGISTRY)
    with pytest.raises(KimiCodeUnavailable, match=r'npm could not install Kimi Code into .* \(offline\? .*\): \S'):
        install_kimi_code()


def test_omk_kimi_python_is_the_only_one_tried_and_a_too_old_one_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = fake_python(tmp_path / 'python3.11', '3.11.9')
    monkeypatch.setenv('OMK_KIMI_PYTHON', str(old))
    with pytest.raises(JudgeUnavailable, match=rf'OMK_KIMI_PYTHON={old} is Python 3.11.9; kimi-cli 1.52.0 needs >= 3.12.2'):
        kimi_cli.find_python()
    monkeypatch.setenv('OMK_KIMI_PYTHON', str(fake_python(tmp_path / 'python3.12', '3.12.2')))
    assert kimi_cli.find_python() == (str(tmp_path / 'python3.12'), 'OMK_KIMI_PYTHON')


def test_a_new_enough_python_is_found_under_the_pyenv_root_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / 'pyenv'
    fake_python(root / 'versions/3.12.1/bin/python3', '3.12.1')  # too old for kimi-cli
    fake_python(root / 'versions/3.12.10/bin/python3', '3.12.10')
    fake_python(root / 'versions/3.12.9/bin/python3', '3.12.9')
    empty = tmp_path / 'bin'
    empty.mkdir()
    monkeypatch.delenv('OMK_KIMI_PYTHON', raising=False)
    monkeypatch.setenv('PYENV_ROOT', str(root))
    monkeypatch.setenv('PATH', str(empty))
    monkeypatch.setattr(kimi_cli.sys, 'executable', str(fake_python(tmp_path / 'running/python', '3.9.18')))
    assert kimi_cli.find_python() == (str(root / 'versions/3.12.10/bin/python3'), f'pyenv root {root}')


def test_without_any_new_enough_python_the_reason_says_where_it_looked_and_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = tmp_path / 'bin'
    empty.mkdir()
    monkeypatch.delenv('OMK_KIMI_PYTHON', raising=False)
    monkeypatch.setenv('PYENV_ROOT', str(tmp_path / 'no-pyenv'))
    monkeypatch.setenv('PATH', str(empty))
    monkeypatch.setattr(kimi_cli, 'REAL_HOME', tmp_path / 'home')
    monkeypatch.setattr(kimi_cli.sys, 'executable', str(fake_python(tmp_path / 'running/python', '3.9.18')))
    monkeypatch.setattr(kimi_cli, '_newest_first', lambda pattern: [])  # no system-wide Pythons either
    monkeypatch.setattr(kimi_cli, 'NEWER_MINORS', ())
    with pytest.raises(JudgeUnavailable, match='needs Python >= 3.12.2 and none was found on PATH, under pyenv root'):
        kimi_cli.find_python()
