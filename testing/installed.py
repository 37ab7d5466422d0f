"""A fresh virtualenv with this checkout pip-installed (not editable), as a user would have it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from testing.cache import REPO_ROOT


def install_checkout(venv: Path, source: Path = REPO_ROOT) -> Path:
    """Create ``venv``, ``pip install`` this repository (or the copy at ``source``) into it, return its ``omk-kimi``."""
    subprocess.run((sys.executable, '-m', 'venv', str(venv)), check=True)
    subprocess.run(
        (str(venv / 'bin' / 'python'), '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', str(source)),
        check=True, capture_output=True,
    )
    return venv / 'bin' / 'omk-kimi'
