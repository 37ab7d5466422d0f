"""Proof that a test session wrote nothing outside its temporary directories.

``untouchable_state`` fingerprints what the tests must never change: the real user's Kimi
configuration directories and the repository's own files (tracked, and untracked but not
ignored; ignored tool caches such as ``.cache/`` or ``.pytest_cache/`` are allowed). The
session fixture in ``tests/conftest.py`` takes it before the first test and after the last.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
State = dict[str, object]


def real_kimi_dirs(home: Path) -> list[Path]:
    """Where Kimi CLI and Kimi Code keep the user's configuration."""
    return [home / '.kimi', home / '.kimi-code', home / '.config' / 'kimi']


def _tree_state(top: Path) -> object:
    """Every entry under ``top`` with its type, size, mode and mtime (links not followed)."""
    if not os.path.lexists(top):
        return 'absent'
    entries = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            entries[os.path.relpath(path, top)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return entries


def _repo_state(root: Path) -> object:
    """git's view of the work tree, plus the content of every file it reports as changed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('GIT_')}
    try:
        proc = subprocess.run(
            ('git', 'status', '--porcelain=v1', '-z', '--untracked-files=all'),
            cwd=root, env=env, capture_output=True, check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return 'not a git work tree'
    changed = {}
    for record in proc.stdout.split(b'\0'):
        path = root / os.fsdecode(record[3:]) if len(record) > 3 else None
        if path is not None and path.is_file():
            changed[os.fsdecode(record)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return proc.stdout, changed


def untouchable_state(home: Path) -> State:
    state: State = {str(d): _tree_state(d) for d in real_kimi_dirs(home)}
    state['repository'] = _repo_state(REPO_ROOT)
    return state


def describe_changes(before: State, after: State) -> str:
    return ', '.join(key for key in before if before[key] != after.get(key))
