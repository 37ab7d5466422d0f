"""Make permission bits bind even when the tests run as root (as they do in containers).

Root reads a mode-000 file and writes into a mode-555 directory regardless, so a test of
"permission denied" would prove nothing. ``as_other_user`` runs a function in a forked child
that has dropped to the ``nobody`` user; when the tests already run unprivileged it just
calls the function. ``shared_tempdir`` makes a project directory that user can reach (the
pytest temp root is private to root).
"""
from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar('T')
NOBODY = 65534


def running_as_root() -> bool:
    return os.geteuid() == 0


@contextlib.contextmanager
def shared_tempdir() -> Iterator[Path]:
    """A temporary directory the unprivileged user can use; removed afterwards whatever its modes."""
    path = Path(tempfile.mkdtemp(prefix='omk-perm-'))
    os.chmod(path, 0o755)
    try:
        yield path
    finally:
        for dirpath, dirnames, filenames in os.walk(path):
            for name in dirnames + filenames:
                with contextlib.suppress(OSError):
                    full = os.path.join(dirpath, name)
                    if not os.path.islink(full):
                        os.chmod(full, 0o700 if os.path.isdir(full) else 0o600)
        shutil.rmtree(path)


def hand_over(root: Path) -> None:
    """Give the tree to the unprivileged user (when we are root), so that only the modes a
    test sets afterwards keep it out."""
    if not running_as_root():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames, '']:
            os.lchown(os.path.join(dirpath, name) if name else dirpath, NOBODY, NOBODY)


def as_other_user(fn: Callable[[], T]) -> T:
    """``fn()`` run without root's power to ignore permissions; exceptions come back as AssertionError."""
    if not running_as_root():
        return fn()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop privileges, run, report, and leave without running pytest's exit code
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            outcome: tuple[str, object] = ('ok', fn())
        except BaseException as e:  # noqa: B036 - everything must be reported to the parent
            outcome = ('error', f'{type(e).__name__}: {e}')
        with os.fdopen(write_end, 'wb') as f:
            f.write(pickle.dumps(outcome))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, 'rb') as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and data, f'the unprivileged child died (status {status})'
    kind, value = pickle.loads(data)
    if kind == 'error':
        raise AssertionError(f'in the unprivileged child: {value}')
    return value


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)
