"""Timestamped backups taken before a file is overwritten or restored over."""
from __future__ import annotations

import os
from collections.abc import Collection
from datetime import datetime, timezone
from pathlib import Path

from omk_precommit.engine.fsutil import atomic_symlink, atomic_write, read_if_exists

BACKUP_MARKER = '.omk-backup-'


def backup_path_for(path: Path, now: datetime | None = None, taken: Collection[Path] = ()) -> Path:
    """A fresh ``<file>.omk-backup-<timestamp>`` name beside ``path``: not on disk, not in ``taken``."""
    stamp = (now or datetime.now(timezone.utc)).strftime('%Y%m%dT%H%M%S%fZ')
    candidate = path.with_name(f'{path.name}{BACKUP_MARKER}{stamp}')
    n = 1
    while os.path.lexists(candidate) or candidate in taken:
        candidate = path.with_name(f'{path.name}{BACKUP_MARKER}{stamp}-{n}')
        n += 1
    return candidate


def write_backup(path: Path, backup: Path) -> None:
    """Copy ``path`` (bytes and permission bits) to ``backup``, durably, before this returns.

    A symlink is backed up as the same symlink (same target text), so rollback can put the
    link back rather than a regular file holding what it pointed at.
    """
    if os.path.islink(path):
        atomic_symlink(backup, os.readlink(path))
        return
    data = read_if_exists(path)
    if data is None:
        return
    atomic_write(backup, data, mode=os.stat(path).st_mode & 0o7777)


def same_link(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` are both symlinks with the same target text, or neither is a symlink."""
    a_link, b_link = os.path.islink(a), os.path.islink(b)
    return a_link == b_link and (not a_link or os.readlink(a) == os.readlink(b))


def maybe_backup(path: Path, new_content: bytes | str) -> Path | None:
    """Copy ``path`` to a timestamped backup when it exists and differs from ``new_content``.

    Returns the backup's path, or None when there was nothing to protect. The copy keeps the
    file's bytes and permission bits and is durable before this returns.
    """
    if isinstance(new_content, str):
        new_content = new_content.encode()
    current = read_if_exists(path)
    if current is None or current == new_content:
        return None
    target = backup_path_for(path)
    write_backup(path, target)
    return target
