"""A fresh virtualenv with this checkout pip-installed (not editable), as a user would have it."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from testing.cache import REPO_ROOT

# This machine's pip configuration points at local indexes that may not exist; pip says so on
# every lookup. That is the machine talking, not the package being built.
MACHINE_PIP_NOISE = re.compile(r"^WARNING: Location '[^']*' is ignored: it is neither a file nor a directory\.$")


class Installed(NamedTuple):
    omk_kimi: Path
    pip_output: str


def clean_clone(dest: Path) -> Path:
    """Copy what a fresh clone of the work tree would hold (tracked and not-ignored files) to ``dest``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('GIT_')}
    listed = subprocess.run(
        ('git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'),
        cwd=REPO_ROOT, env=env, capture_output=True, check=True,
    ).stdout
    for rel in filter(None, os.fsdecode(listed).split('\0')):
        source = REPO_ROOT / rel
        if not os.path.lexists(source):  # deleted in the work tree, not yet committed
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    return dest


def install_checkout(venv: Path, source: Path | None = None, python: str = sys.executable) -> Installed:
    """Create ``venv`` with ``python``, ``pip install`` into it the tree at ``source`` (default: a clean
    clone of this repository)."""
    source = clean_clone(venv.parent / 'clone') if source is None else source
    subprocess.run((python, '-m', 'venv', str(venv)), check=True)
    env = {**os.environ, 'PIP_DISABLE_PIP_VERSION_CHECK': '1', 'PYTHONWARNINGS': ''}
    proc = subprocess.run(
        (str(venv / 'bin' / 'python'), '-m', 'pip', 'install', str(source)),
        env=env, capture_output=True, text=True, check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f'pip install failed:\n{output}'
    return Installed(venv / 'bin' / 'omk-kimi', output)


def warning_lines(pip_output: str) -> list[str]:
    """Lines of ``pip install`` output that warn or announce a deprecation (machine noise left out)."""
    return [
        line for line in pip_output.splitlines()
        if re.search(r'warn|deprecat', line, re.IGNORECASE) and not MACHINE_PIP_NOISE.match(line.strip())
    ]
