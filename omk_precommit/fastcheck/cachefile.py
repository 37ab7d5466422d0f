"""The on-disk form of the drift check's caches: a CRC-checked ``marshal`` record in the git dir.

A cache only ever makes a check faster, so both directions are best effort: a missing, foreign
(another release) or damaged file reads as None, and a failed write leaves the old file or none.
"""
from __future__ import annotations

import marshal
import os
import zlib

from omk_precommit import __version__
from omk_precommit.engine.gitutil import git_dir

TYPE_CHECKING = False  # read on every commit: no typing or pathlib at import
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

_MAGIC = b'omk-check-cache'


def cache_file(root: Path, name: str) -> Path | None:
    """Where the cache ``name`` of the work tree at ``root`` lives; None outside a git work tree.

    In the git directory: per work tree (a linked worktree has its own), never committed, and
    invisible to ``git status``.
    """
    directory = git_dir(root)
    return directory / name if directory is not None else None


def read_record(path: str | Path, kind: bytes) -> tuple[Any, ...] | None:
    """The fields written by ``write_record(path, kind, ...)`` of this release, else None."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
        header, _, body = data.partition(b'\n')
        magic, written_kind, version, crc = header.split(b' ')
        if (magic, written_kind, version) != (_MAGIC, kind, _version()) or int(crc, 16) != zlib.crc32(body):
            return None
        fields = marshal.loads(body)
    except (OSError, ValueError, TypeError, EOFError):
        return None
    return fields if type(fields) is tuple else None


def write_record(path: str | Path, kind: bytes, fields: tuple[Any, ...]) -> None:
    """Replace the cache at ``path`` atomically with ``fields``; errors are ignored."""
    body = marshal.dumps(fields)
    data = b'%s %s %s %08x\n%s' % (_MAGIC, kind, _version(), zlib.crc32(body), body)
    tmp = f'{path}.{os.getpid()}.tmp'
    try:
        # No fsync: after a crash a torn or empty cache fails its CRC and is ignored.
        with open(tmp, 'wb') as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _version() -> bytes:
    # A cache written by another release is not read: the manifest snapshot in it passed that
    # release's validation, which may differ from this one's.
    return __version__.encode()
