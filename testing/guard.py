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
    """git's view of the work tree: each changed path with its status and content hash."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('GIT_')}
    try:
        proc = subprocess.run(
            ('git', 'status', '--porcelain=v1', '-z', '--untracked-files=all'),
            cwd=root, env=env, capture_output=True, check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return 'not a git work tree'
    changed: dict[str, tuple[str, str | None]] = {}
    for record in proc.stdout.split(b'\0'):
        if len(record) > 3:
            rel = os.fsdecode(record[3:])
            path = root / rel
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            changed[rel] = (os.fsdecode(record[:2]), digest)
    return changed


def untouchable_state(home: Path) -> State:
    state: State = {str(d): _tree_state(d) for d in real_kimi_dirs(home)}
    state['repository'] = _repo_state(REPO_ROOT)
    return state


def describe_changes(before: State, after: State) -> str:
    """What differs, one item per changed location (and per changed file of the repository)."""
    items = []
    for key in before:
        old, new = before[key], after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            paths = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
            items.append(f'{key} ({", ".join(paths[:5])}{", ..." if len(paths) > 5 else ""})')
        else:
            items.append(key)
    return ', '.join(items)
