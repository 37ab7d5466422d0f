"""Real git repositories in temporary directories, for tests."""
from __future__ import annotations

import subprocess
from pathlib import Path


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in ``repo`` and return the finished process (text output)."""
    return subprocess.run(('git', *args), cwd=repo, capture_output=True, text=True, check=check)


def commit_all(repo: Path, message: str) -> None:
    """Stage everything in ``repo`` (``git add -A``) and commit it."""
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', message)


def init_repo(path: Path) -> Path:
    """Create an empty git repository with an identity and a first commit."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, 'init', '-q', '-b', 'main')
    git(path, 'config', 'user.email', 'test@example.invalid')
    git(path, 'config', 'user.name', 'omk test')
    git(path, 'config', 'commit.gpgsign', 'false')
    (path / 'README.md').write_text('test project\n')
    git(path, 'add', 'README.md')
    git(path, 'commit', '-q', '-m', 'initial')
    return path


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` except .git, with its bytes and permission bits."""
    result = {}
    for path in sorted(root.rglob('*')):
        if '.git' in path.relative_to(root).parts[:1] or not path.is_file():
            continue
        result[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mode & 0o777)
    return result


def directories(root: Path) -> set[str]:
    """Every directory under ``root`` except .git."""
    return {
        p.relative_to(root).as_posix() for p in root.rglob('*')
        if p.is_dir() and '.git' not in p.relative_to(root).parts[:1]
    }
