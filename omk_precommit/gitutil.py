"""Every question omk-precommit asks git goes through here (GitPython is imported lazily)."""
from __future__ import annotations

import os
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
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return start
    return Path(repo.working_tree_dir) if repo.working_tree_dir else start


def git_dir(root: Path) -> Path | None:
    """The git directory of the work tree at ``root``, None when ``root`` is not one.

    ``.git`` is either the directory itself or, in a linked worktree or a submodule, a file
    ``gitdir: <path>`` naming it; read here rather than through git, which costs a process.
    """
    dot_git = root / '.git'
    try:
        if dot_git.is_dir():
            return dot_git
        with open(dot_git, 'rb') as f:
            first = f.readline(4096).decode(errors='surrogateescape').strip()
    except OSError:
        return None
    if not first.startswith('gitdir:'):
        return None
    target = root / first[len('gitdir:'):].strip()
    return target if target.is_dir() else None


def ignored_paths(root: Path, paths: list[str]) -> set[str]:
    """The subset of ``paths`` (relative to ``root``) that git ignores; empty outside git."""
    if not paths or not os.path.lexists(root / '.git'):
        return set()
    import subprocess  # here, not at the top: a clean check never runs git

    proc = subprocess.run(
        ('git', 'check-ignore', '-z', '--stdin'),
        cwd=root, input='\0'.join(paths).encode(), capture_output=True, check=False,
    )
    if proc.returncode not in (0, 1):  # 1: none ignored; anything else: not a usable repo
        return set()
    return {p for p in proc.stdout.decode(errors='surrogateescape').split('\0') if p}
