"""The real Python Kimi CLI (``kimi-cli`` from PyPI) in a cached virtualenv, as a test judge.

kimi-cli 1.52.0 needs Python >= 3.12.2 (3.12.0/3.12.1 fail importing ``kimi_cli.tools.agent``)
and ``lxml_html_clean`` for ``kimi_cli.tools.web`` to import. Its ``kimi`` command no longer runs
the agent, so the tests call its library loaders with the venv's interpreter instead.

The venv's base interpreter is ``$OMK_KIMI_PYTHON`` when set (and then only that one), else the
first Python >= 3.12.2 among: the one running the tests, ``python3.X`` and ``python3`` on PATH,
the versions under ``pyenv root``, uv-, asdf- and mise-managed Pythons, and the usual prefixes
(/usr/local, /opt/homebrew, python.org's macOS framework, /opt/python).
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from testing.cache import cache_dir, cache_lock
from testing.judges import KIMI_CLI, JudgeUnavailable, skip_without, used

KIMI_CLI_REQUIREMENTS = ('kimi-cli==1.52.0', 'lxml==6.0.2', 'lxml_html_clean')
MIN_PYTHON = (3, 12, 2)
# The real home, read on import (before tests/conftest.py points HOME at a temp dir per test).
REAL_HOME = Path.home()
NEWER_MINORS = (15, 14, 13, 12)


def _version(python: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run(
            (python, '-c', 'import sys; print(*sys.version_info[:3])'),
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(int(x) for x in out.split())


def _dotted(version: tuple[int, ...]) -> str:
    return '.'.join(map(str, version))


def _newest_first(pattern: str) -> list[str]:
    """Paths matching ``pattern``, highest version number in the path first."""
    def key(path: str) -> list[int]:
        return [int(n) for n in re.findall(r'\d+', path)]
    return sorted(glob.glob(pattern), key=key, reverse=True)


def _pyenv_roots() -> list[str]:
    roots = []
    pyenv = shutil.which('pyenv')
    if pyenv:
        try:
            roots.append(subprocess.run(
                (pyenv, 'root'), capture_output=True, text=True, timeout=30, check=True,
                env={**os.environ, 'HOME': str(REAL_HOME)},
            ).stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    roots += [os.environ.get('PYENV_ROOT', ''), str(REAL_HOME / '.pyenv')]
    return [r for r in dict.fromkeys(roots) if r]


def _candidates() -> Iterator[tuple[str, str]]:
    """(interpreter, where it was found), in the order they are tried."""
    yield sys.executable, 'the interpreter running the tests'
    for name in [f'python3.{minor}' for minor in NEWER_MINORS] + ['python3']:
        if found := shutil.which(name):
            yield found, 'PATH'
    for root in _pyenv_roots():
        for python in _newest_first(f'{root}/versions/3.*/bin/python3'):
            yield python, f'pyenv root {root}'
    data = os.environ.get('XDG_DATA_HOME') or str(REAL_HOME / '.local' / 'share')
    managed = {
        'uv': f'{data}/uv/python/cpython-3.*/bin/python3',
        'asdf': f'{REAL_HOME}/.asdf/installs/python/3.*/bin/python3',
        'mise': f'{data}/mise/installs/python/3.*/bin/python3',
    }
    for manager, pattern in managed.items():
        for python in _newest_first(pattern):
            yield python, manager
    for prefix in ('/usr/local/bin', '/opt/homebrew/bin', '/usr/bin'):
        for minor in NEWER_MINORS:
            yield f'{prefix}/python3.{minor}', prefix
    for pattern in ('/Library/Frameworks/Python.framework/Versions/3.*/bin/python3', '/opt/python/cp3*/bin/python3'):
        for python in _newest_first(pattern):
            yield python, os.path.dirname(pattern.split('*', 1)[0])


def find_python() -> tuple[str, str]:
    """A Python >= 3.12.2 for kimi-cli and where it was found; JudgeUnavailable saying where we looked."""
    explicit = os.environ.get('OMK_KIMI_PYTHON', '')
    if explicit:
        version = _version(explicit)
        if version is None:
            raise JudgeUnavailable(f'OMK_KIMI_PYTHON={explicit} does not run; point it at a Python >= 3.12.2')
        if version < MIN_PYTHON:
            raise JudgeUnavailable(
                f'OMK_KIMI_PYTHON={explicit} is Python {_dotted(version)}; kimi-cli 1.52.0 needs >= 3.12.2')
        return explicit, 'OMK_KIMI_PYTHON'
    seen = set()
    for python, where in _candidates():
        real = os.path.realpath(python)
        if real in seen or not os.access(real, os.X_OK):
            continue
        seen.add(real)
        version = _version(python)
        if version and version >= MIN_PYTHON:
            return python, where
    raise JudgeUnavailable(
        'kimi-cli 1.52.0 needs Python >= 3.12.2 and none was found on PATH, under pyenv root, uv, asdf, mise '
        'or the usual prefixes; set OMK_KIMI_PYTHON to one')


def _venv_base(venv: Path) -> str:
    """``Python X.Y.Z (path)`` of the interpreter a venv was made from, from its pyvenv.cfg."""
    cfg = dict(
        (key.strip(), value.strip()) for key, _, value in
        (line.partition('=') for line in (venv / 'pyvenv.cfg').read_text().splitlines())
    )
    return f'Python {cfg.get("version", "?")} ({cfg.get("executable") or cfg.get("home", "?")})'


def _install(venv: Path) -> Path:
    python = venv / 'bin' / 'python'
    stamp = venv / '.omk-installed'
    with cache_lock('kimi-cli-venv'):
        if stamp.exists() and stamp.read_text() == '\n'.join(KIMI_CLI_REQUIREMENTS):
            return python
        base, where = find_python()
        shutil.rmtree(venv, ignore_errors=True)
        try:
            subprocess.run((base, '-m', 'venv', str(venv)), check=True, capture_output=True)
            proc = subprocess.run(
                (str(python), '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', *KIMI_CLI_REQUIREMENTS),
                capture_output=True, text=True, timeout=1800,
            )
        except (OSError, subprocess.SubprocessError) as e:
            raise JudgeUnavailable(f'could not create a venv with {base} (from {where}) in {venv}: {e}') from None
        if proc.returncode != 0:
            last = ([ln for ln in proc.stderr.splitlines() if ln.strip()] or ['(no output)'])[-1]
            raise JudgeUnavailable(f'pip could not install {" ".join(KIMI_CLI_REQUIREMENTS)} into {venv} '
                                   f'(offline? set PIP_INDEX_URL for a mirror): {last.strip()}')
        stamp.write_text('\n'.join(KIMI_CLI_REQUIREMENTS))
    return python


_outcome: list[Path | JudgeUnavailable] = []  # one attempt per session, success or failure


def install_kimi_cli() -> Path:
    """The interpreter of a venv with kimi-cli installed (created once, cached); JudgeUnavailable if it cannot be."""
    if not _outcome:
        venv = cache_dir() / 'kimi-cli-venv'
        try:
            _outcome.append(_install(venv))
            used[KIMI_CLI] = f'kimi-cli 1.52.0 on {_venv_base(venv)}'
        except JudgeUnavailable as e:
            _outcome.append(e)
    outcome = _outcome[0]
    if isinstance(outcome, JudgeUnavailable):
        raise outcome
    return outcome


def kimi_cli_python() -> Path:
    """The kimi-cli venv's interpreter; the calling test skips (fast tier) when it cannot be installed."""
    try:
        return install_kimi_cli()
    except JudgeUnavailable as e:
        skip_without(KIMI_CLI, str(e))


def run_judge(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a Python ``script`` with the kimi-cli venv's interpreter (the test skips without one)."""
    return subprocess.run((str(kimi_cli_python()), '-c', script, *args), capture_output=True, text=True, env=env,
                          timeout=300)
