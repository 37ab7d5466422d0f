"""Every question omk-precommit asks git goes through here (GitPython is imported lazily)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path


def find_root(start: Path) -> Path:
    """The root of the git work tree containing ``start`` (worktrees included), else ``start``.

    A plain upward search for ``.git`` answers the common case without importing GitPython;
    when git's environment variables redirect the repository, GitPython decides.
    """
    if os.environ.get('GIT_WORK_TREE') or os.environ.get('GIT_DIR'):
        return _find_root_with_gitpython(start)
    for directory in (start, *start.parents):
        if os.path.lexists(directory / '.git'):
            return directory
    return start


def _find_root_with_gitpython(start: Path) -> Path:
    import git

    try:
        top = git.Git(start).rev_parse('--show-toplevel')
    except git.GitCommandError:
        return start
    return Path(top) if top else start


def ignored_paths(root: Path, paths: list[str]) -> set[str]:
    """The subset of ``paths`` (relative to ``root``) that git ignores; empty outside git."""
    if not paths or not os.path.lexists(root / '.git'):
        return set()
    proc = subprocess.run(
        ('git', 'check-ignore', '-z', '--stdin'),
        cwd=root, input='\0'.join(paths).encode(), capture_output=True, check=False,
    )
    if proc.returncode not in (0, 1):  # 1: none ignored; anything else: not a usable repo
        return set()
    return {p for p in proc.stdout.decode(errors='surrogateescape').split('\0') if p}
