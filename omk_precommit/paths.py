"""Project-relative path validation: nothing is read, written or deleted outside the root."""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from omk_precommit.errors import OmkError


def is_inside_root(root: Path, path: Path) -> bool:
    """True when ``path``, symlinks followed, lies inside ``root`` (symlinks followed)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _shown(rel: str) -> str:
    """``repr(rel)`` cut short enough for a one-line error message."""
    text = repr(rel)
    return text if len(text) <= 80 else text[:77] + '...'


def path_problem(rel: object, base_dir: str) -> str | None:
    """Why ``rel`` is not a safe project-relative path under ``base_dir``, or None."""
    if not isinstance(rel, str):
        return f'path must be a string, got {type(rel).__name__}'
    if not rel:
        return 'empty path'
    if len(rel) > 4096:
        return f'{_shown(rel)}: path longer than 4096 characters'
    if '\0' in rel or '\\' in rel:
        return f'{_shown(rel)}: path contains a NUL or backslash'
    try:
        rel.encode('utf-8')
    except UnicodeEncodeError:  # lone surrogates: no file can have that name
        return f'{_shown(rel)}: path is not valid UTF-8'
    if rel.startswith('/') or (len(rel) > 1 and rel[1] == ':'):
        return f'{_shown(rel)}: absolute path'
    parts = PurePosixPath(rel).parts
    if '..' in parts:
        return f'{_shown(rel)}: contains ".."'
    if not parts or parts[0] != base_dir:
        return f'{_shown(rel)}: outside {base_dir}/'
    return None


def resolve_managed(root: Path, rel: str, base_dir: str) -> Path:
    """The absolute path of a managed ``rel`` path, refusing anything that escapes ``root``."""
    problem = path_problem(rel, base_dir)
    if problem is not None:
        raise OmkError(f'unsafe path {problem}')
    path = root / rel
    if not is_inside_root(root, path):
        raise OmkError(f'unsafe path {rel!r}: resolves outside the project root through a symlink')
    return path
