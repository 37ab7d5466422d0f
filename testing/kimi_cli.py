"""The real Python Kimi CLI (``kimi-cli`` from PyPI) in a cached virtualenv, as a test judge.

kimi-cli 1.52.0 needs Python >= 3.12.2 (3.12.0/3.12.1 fail importing ``kimi_cli.tools.agent``)
and ``lxml_html_clean`` for ``kimi_cli.tools.web`` to import. Its ``kimi`` command no longer runs
the agent, so the tests call its library loaders with the venv's interpreter instead.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

from testing.cache import cache_dir, cache_lock

KIMI_CLI_REQUIREMENTS = ('kimi-cli==1.52.0', 'lxml==6.0.2', 'lxml_html_clean')
MIN_PYTHON = (3, 12, 2)


def _version(python: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run(
            (python, '-c', 'import sys; print(*sys.version_info[:3])'),
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(int(x) for x in out.split())


def find_python() -> str | None:
    """A Python interpreter new enough for kimi-cli: $OMK_KIMI_PYTHON, PATH, then pyenv."""
    candidates = [os.environ.get('OMK_KIMI_PYTHON', ''), sys.executable]
    candidates += [shutil.which(f'python3.{minor}') or '' for minor in (15, 14, 13, 12)]
    pyenv_root = os.environ.get('PYENV_ROOT', '/root/.pyenv')
    candidates += sorted(glob.glob(f'{pyenv_root}/versions/3.1[2-9]*/bin/python3'), reverse=True)
    for python in candidates:
        if python and (version := _version(python)) and version >= MIN_PYTHON:
            return python
    return None


def kimi_cli_python() -> Path | None:
    """The interpreter of a venv with kimi-cli installed (created once, cached); None without Python >= 3.12.2."""
    venv = cache_dir() / 'kimi-cli-venv'
    python = venv / 'bin' / 'python'
    stamp = venv / '.omk-installed'
    with cache_lock('kimi-cli-venv'):
        if stamp.exists() and stamp.read_text() == '\n'.join(KIMI_CLI_REQUIREMENTS):
            return python
        base = find_python()
        if base is None:
            return None
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run((base, '-m', 'venv', str(venv)), check=True)
        subprocess.run(
            (str(python), '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', *KIMI_CLI_REQUIREMENTS),
            check=True, capture_output=True,
        )
        stamp.write_text('\n'.join(KIMI_CLI_REQUIREMENTS))
    return python


def run_judge(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a Python ``script`` with the kimi-cli venv's interpreter (caller skips if unavailable)."""
    python = kimi_cli_python()
    assert python is not None, 'kimi-cli venv unavailable: call kimi_cli_python() first and skip'
    return subprocess.run((str(python), '-c', script, *args), capture_output=True, text=True, env=env, timeout=300)
