"""Durable file operations: atomic writes, safe reads and removals, and the project lock.

Every change the mutating commands make to disk goes through ``make_dirs``, ``atomic_write``
or ``remove_file``; each ends with ``crash_point()``, the hook the crash-injection tests use
to kill the process right after a given durable step (see ``CRASH_ENV``).
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shlex
import signal
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from omk_precommit.errors import OmkError

TMP_MARKER = '.omk-tmp-'
_TMP_NAME = re.compile(r'\..+\.omk-tmp-[0-9]+')
LOCK_TIMEOUT = 30.0
# Test hook, not a user setting: with OMK_CRASH_AFTER_WRITES=N in the environment the process
# SIGKILLs itself right after its N-th durable step (directory made, file renamed into place,
# temp file written, file removed). tests/crash_recovery_test.py walks N over every step.
CRASH_ENV = 'OMK_CRASH_AFTER_WRITES'


def crash_point() -> None:
    """Count one durable step; die by SIGKILL when ``CRASH_ENV`` says this is the last one."""
    left = os.environ.get(CRASH_ENV)
    if left is None or not left.isdigit():
        return
    if int(left) <= 1:
        os.kill(os.getpid(), signal.SIGKILL)
    os.environ[CRASH_ENV] = str(int(left) - 1)


def _cannot(verb: str, path: Path, e: OSError) -> OmkError:
    return OmkError(f'{path}: cannot {verb} ({e.strerror or e}); check its permissions and the free space')


def make_dirs(directory: Path) -> None:
    """Create ``directory`` and its missing parents, each one durable before the next."""
    missing = []
    while not os.path.isdir(directory):
        missing.append(directory)
        if directory.parent == directory:
            break
        directory = directory.parent
    for path in reversed(missing):
        try:
            os.mkdir(path)
        except FileExistsError:
            if not os.path.isdir(path):
                raise OmkError(f'{path}: is not a directory but in the way of one; '
                               f'move it aside (mv {shlex.quote(str(path))} {shlex.quote(str(path) + ".old")}) '
                               'and run again') from None
            continue
        except OSError as e:
            raise _cannot('create directory', path, e) from None
        fsync_dir(path.parent)
        crash_point()


PROBE_EVENT = 'omk.probe'  # an audit event: a place looked at that a doctor verdict depends on


def probed(path: str | Path) -> None:
    """Announce that ``path`` was looked at, found or not (a program on PATH, a bundle's folder):
    ``doctor/inputs.py`` records it, and the doctor's verdict cache watches it."""
    sys.audit(PROBE_EVENT, os.path.abspath(path))


def make_directory_within(root: Path | str, rel: str) -> None:
    """``root/rel`` and the folders on the way, unless that leaves ``root`` (resolved): a ``..``, an
    absolute ``rel``, or a symlink on the way (git keeps a symlink and files below it out of one
    index, but a forged index may not)."""
    path = os.path.join(root, rel)
    if path.startswith(os.path.join(root, '')) and os.path.realpath(path) == path:
        os.makedirs(path, exist_ok=True)


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` so readers see the old or the new file, never half.

    The temp file beside it is created exclusively and never through a symlink, and the
    rename replaces a symlink at ``path`` instead of writing through it.
    """
    make_dirs(path.parent)
    tmp = path.with_name(f'.{path.name}{TMP_MARKER}{os.getpid()}')
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)  # left by a killed run that had our pid
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as e:
        raise _cannot('write', path, e) from None
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode if mode is not None else _default_mode(path))
            os.fsync(f.fileno())
        crash_point()
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise _cannot('write', path, e) from None
        raise
    fsync_dir(path.parent)
    crash_point()


def atomic_symlink(path: Path, target: str) -> None:
    """Replace ``path`` with a symlink to ``target`` (as ``os.readlink`` gave it), atomically."""
    make_dirs(path.parent)
    tmp = path.with_name(f'.{path.name}{TMP_MARKER}{os.getpid()}')
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        os.symlink(target, tmp)
        crash_point()
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _cannot('write', path, e) from None
    fsync_dir(path.parent)
    crash_point()


def _default_mode(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o7777  # a symlinked file keeps its target's mode, not 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def remove_file(path: Path) -> bool:
    """Delete the file or symlink at ``path`` durably; False when nothing was there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    except OSError as e:
        raise _cannot('delete', path, e) from None
    fsync_dir(path.parent)
    crash_point()
    return True


def read_if_exists(path: Path, shown: str | Path | None = None) -> bytes | None:
    """The bytes of the regular file at ``path`` (symlinks followed), None when nothing is there.

    A directory, FIFO, socket or device, or a file we may not read, raises OmkError naming
    ``shown``; a FIFO is never waited on.
    """
    shown = shown or path
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        raise OmkError(f'{shown}: is a directory, not a file; move it aside and run again') from None
    except OSError as e:
        raise OmkError(f'{shown}: cannot read ({e.strerror or e}); fix its permissions') from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise OmkError(f'{shown}: is a directory, not a file; move it aside and run again')
        if not stat.S_ISREG(st.st_mode):
            raise OmkError(f'{shown}: is not a regular file ({file_kind(st.st_mode)}); move it aside and run again')
        with os.fdopen(fd, 'rb', closefd=False) as f:
            return f.read()
    except OSError as e:
        raise OmkError(f'{shown}: cannot read ({e.strerror or e}); fix its permissions') from None
    finally:
        os.close(fd)


def file_kind(mode: int) -> str:
    """What a file of ``mode`` is, in words: ``a FIFO``, ``a socket``, ``a device``, ``a directory``."""
    if stat.S_ISFIFO(mode):
        return 'a FIFO'
    if stat.S_ISSOCK(mode):
        return 'a socket'
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return 'a device'
    if stat.S_ISDIR(mode):
        return 'a directory'
    return 'a regular file' if stat.S_ISREG(mode) else 'a special file'


class NotRegularFileError(OSError):
    """``read_regular`` found a FIFO, socket or device where a file belongs; ``strerror`` says which."""


def read_regular(path: Path, limit: int = -1) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed; the first ``limit`` bytes
    when ``limit`` >= 0), never waiting on a FIFO.

    Raises the ``OSError`` a plain read would (``FileNotFoundError``, ``IsADirectoryError``,
    ``PermissionError``), and ``NotRegularFileError`` for a FIFO, socket or device, so callers
    that already catch ``OSError`` stay correct.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, 'is a directory', str(path))
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFileError(errno.EINVAL, f'is not a regular file ({file_kind(st.st_mode)})', str(path))
        with os.fdopen(fd, 'rb', closefd=False) as f:
            return f.read(limit)
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in ``directory`` durable."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temp_files(directory: Path) -> None:
    """Delete temp files an interrupted atomic write left behind under ``directory``.

    Only names ``atomic_write`` makes are touched, symlinked directories are not entered,
    and callers hold the project lock, so no live write's temp file can be among them.
    """
    if not directory.is_dir() or directory.is_symlink():
        return
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
        for name in filenames:
            if _TMP_NAME.fullmatch(name):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(dirpath, name))


@contextlib.contextmanager
def project_lock(root: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on the project root directory; wait up to ``timeout`` seconds.

    The lock is an ``flock`` on the directory itself, so it needs no lock file, works on a
    read-only tree, and the kernel releases it when a holder dies, even by SIGKILL.
    """
    try:
        fd = os.open(root, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise OmkError(f'{root}: cannot open the project directory ({e.strerror})') from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
                if time.monotonic() >= deadline:
                    raise OmkError(
                        f'{root}: another omk-kimi run holds the project lock; '
                        f'waited {timeout:.0f}s, try again when it has finished',
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)
