"""A cache directory for the real tools the tests install and for builds of this working copy
(kept between runs, git-ignored; ``OMK_TEST_CACHE`` moves it)."""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from testing.tier import is_full

REPO_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    path = Path(os.environ.get('OMK_TEST_CACHE', REPO_ROOT / '.cache'))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def cache_lock(name: str) -> Iterator[None]:
    """Serialise installs of one cached tool across concurrent test processes."""
    with open(cache_dir() / f'{name}.lock', 'w') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# Builds of one working copy (hook repositories, releases, pip installs) kept between runs of the
# fast tier: at most this many per name, and any used within the last hour (another session, say
# a worktree sharing the cache, may be running on it).
KEEP_BUILDS = 3
RECENT_USE_S = 3600
_DONE = '.built'


# What no build depends on: editing a test, a doc, a script or a test helper that builds nothing
# keeps the builds.
NOT_BUILT_FROM = (b'tests/', b'docs/', b'scripts/', b'.ci/', b'CHANGELOG.md', b'testing/')
BUILDERS = (b'testing/bundles.py', b'testing/cache.py', b'testing/hookrepo.py', b'testing/installed.py',
            b'testing/releases.py')


def working_copy_key(root: Path = REPO_ROOT) -> str:
    """A short hash of this working copy as a fresh clone would hold it (tracked and untracked files
    that are not ignored, outside ``NOT_BUILT_FROM`` or among the ``BUILDERS``: paths, executable
    bits, contents) and of the interpreter running the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('GIT_')}
    listed = subprocess.run(
        ('git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'),
        cwd=root, env=env, capture_output=True, check=True,
    ).stdout
    digest = hashlib.sha256(f'{sys.version}\0{sys.executable}\0'.encode())
    built_from = {p for p in listed.split(b'\0') if p and (p in BUILDERS or not p.startswith(NOT_BUILT_FROM))}
    for rel in sorted(built_from):
        path = root / os.fsdecode(rel)
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        digest.update(b'%s\0%d\0' % (rel, os.access(path, os.X_OK)))
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def built_once(name: str, key: str, build: Callable[[Path], None]) -> Path:
    """``<cache>/builds/<name>-<key>``, made by ``build(path)`` the first time it is asked for and
    reused by later sessions and by the other workers of this one.

    A build runs under a lock in its final place (virtualenvs are not relocatable) and counts only
    once it returned: one interrupted half-way is thrown away and done again. Older builds of the
    same name beyond the newest ``KEEP_BUILDS`` and unused for an hour are deleted.
    """
    builds = cache_dir() / 'builds'
    builds.mkdir(exist_ok=True)
    path = builds / f'{name}-{key}'
    with cache_lock(f'build-{name}'):
        done = path / _DONE
        if not done.exists():
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir()
            build(path)
            done.touch()
        os.utime(done)
        _prune(builds, name, keep=path)
    return path


def _prune(builds: Path, name: str, keep: Path) -> None:
    def last_used(path: Path) -> float:
        try:
            return (path / _DONE).stat().st_mtime
        except OSError:
            return 0.0

    others = sorted((p for p in builds.glob(f'{name}-*') if p != keep), key=last_used, reverse=True)
    now = time.time()
    for old in others[KEEP_BUILDS - 1:]:
        if now - last_used(old) > RECENT_USE_S:
            shutil.rmtree(old, ignore_errors=True)


def session_build(name: str, build: Callable[[Path], None], fresh: Callable[[], Path]) -> Path:
    """Where ``build`` put its work for this session: in the full tier a new directory from
    ``fresh()`` every session (everything built afresh, as on a clean CI machine); in the fast
    tier the build of this working copy kept in the cache by an earlier run, if there is one."""
    if is_full():
        path = fresh()
        build(path)
        return path
    return built_once(name, _working_copy_key(), build)


@functools.cache
def _working_copy_key() -> str:
    return working_copy_key()
