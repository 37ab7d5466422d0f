"""Timestamped backups taken before a file is overwritten or restored over."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from omk_precommit.checksum import is_identical
from omk_precommit.fsutil import atomic_write

BACKUP_MARKER = '.omk-backup-'


def backup_path_for(path: Path, now: datetime | None = None) -> Path:
    """A fresh ``<file>.omk-backup-<timestamp>`` name beside ``path`` that does not exist yet."""
    stamp = (now or datetime.now(timezone.utc)).strftime('%Y%m%dT%H%M%S%fZ')
    candidate = path.with_name(f'{path.name}{BACKUP_MARKER}{stamp}')
    n = 1
    while os.path.lexists(candidate):
        candidate = path.with_name(f'{path.name}{BACKUP_MARKER}{stamp}-{n}')
        n += 1
    return candidate


def maybe_backup(path: Path, new_content: bytes | str) -> Path | None:
    """Copy ``path`` to a timestamped backup when it exists and differs from ``new_content``.

    Returns the backup's path, or None when there was nothing to protect. The copy keeps the
    file's bytes and permission bits and is durable before this returns.
    """
    if not path.is_file() or is_identical(path, new_content):
        return None
    target = backup_path_for(path)
    atomic_write(target, path.read_bytes(), mode=path.stat().st_mode & 0o7777)
    return target
