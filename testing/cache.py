"""A cache directory for the real tools the tests install (kept between runs, git-ignored)."""
from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

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
