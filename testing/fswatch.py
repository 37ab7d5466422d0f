"""Catch any access to a directory tree with Linux inotify: opens, reads, writes, deletes.

A snapshot before and after proves nothing outside the project root was written or deleted;
only a watch like this proves nothing there was even opened or read. ``os.stat``/``lstat``
(which resolving a symlink needs) raise no events, so they do not count as access.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import struct
from pathlib import Path

IN_ACCESS = 0x001
IN_MODIFY = 0x002
IN_ATTRIB = 0x004
IN_CLOSE_WRITE = 0x008
IN_OPEN = 0x020
IN_MOVED_FROM = 0x040
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC
_ANY_ACCESS = (IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_OPEN | IN_MOVED_FROM
               | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)
_NAMES = {IN_ACCESS: 'read', IN_MODIFY: 'write', IN_ATTRIB: 'chmod/chown', IN_CLOSE_WRITE: 'close-write',
          IN_OPEN: 'open', IN_MOVED_FROM: 'move-out', IN_MOVED_TO: 'move-in', IN_CREATE: 'create',
          IN_DELETE: 'delete', IN_DELETE_SELF: 'delete-self', IN_MOVE_SELF: 'move-self'}
_HEADER = struct.Struct('iIII')


class AccessWatch:
    """An inotify watch on every directory of a tree; ``events()`` drains what happened since."""

    def __init__(self, top: Path) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
        self._fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), 'inotify_init1 failed')
        self._dirs: dict[int, str] = {}
        for dirpath, dirnames, _ in os.walk(top):
            dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
            wd = libc.inotify_add_watch(self._fd, os.fsencode(dirpath), _ANY_ACCESS)
            if wd < 0:
                raise OSError(ctypes.get_errno(), f'inotify_add_watch {dirpath} failed')
            self._dirs[wd] = dirpath
        self.events()  # our own walk opened the directories: that is not the code under test

    def events(self) -> list[str]:
        """Everything that touched the tree since the last call, as 'what path' strings."""
        found: list[str] = []
        while True:
            try:
                buf = os.read(self._fd, 65536)
            except OSError as e:
                if e.errno == errno.EAGAIN:
                    return found
                raise
            offset = 0
            while offset < len(buf):
                wd, mask, _, length = _HEADER.unpack_from(buf, offset)
                name = buf[offset + _HEADER.size:offset + _HEADER.size + length].rstrip(b'\0').decode(errors='replace')
                offset += _HEADER.size + length
                what = ','.join(n for bit, n in _NAMES.items() if mask & bit)
                if what:
                    found.append(f'{what} {os.path.join(self._dirs.get(wd, "?"), name)}')

    def close(self) -> None:
        os.close(self._fd)
