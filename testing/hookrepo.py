"""This repository as a pre-commit hook repo, driven by the real ``pre-commit`` and ``prek``.

pre-commit and prek install a hook repo from a git revision, so the tests commit a snapshot
of the current working copy (tracked and untracked, not ignored) into a temporary repository
and point ``.pre-commit-config.yaml`` at it: the hooks under test are the code under test,
committed or not.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from testing.cache import REPO_ROOT
from testing.gitrepo import git

RUNNERS = ('pre-commit', 'prek')
# Fixed identity and dates: the same working copy always gives the same revision.
_SNAPSHOT_ENV = {
    'GIT_AUTHOR_NAME': 'omk snapshot', 'GIT_AUTHOR_EMAIL': 'snapshot@example.invalid',
    'GIT_COMMITTER_NAME': 'omk snapshot', 'GIT_COMMITTER_EMAIL': 'snapshot@example.invalid',
    'GIT_AUTHOR_DATE': '2000-01-01T00:00:00Z', 'GIT_COMMITTER_DATE': '2000-01-01T00:00:00Z',
}


@dataclass(frozen=True)
class HookRepo:
    """A committed copy of this repository: its path and the revision to pin."""

    path: Path
    rev: str


def _working_copy_files() -> list[str]:
    out = subprocess.run(
        ('git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'),
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.decode()
    return sorted(p for p in out.split('\0') if p and (REPO_ROOT / p).is_file())


def snapshot_hook_repo(dest: Path) -> HookRepo:
    """Commit the current working copy of this repository into ``dest`` and return it."""
    for rel in _working_copy_files():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / rel, target)
    env = {**os.environ, **_SNAPSHOT_ENV}
    for args in (('init', '-q', '-b', 'main'), ('add', '-A'), ('commit', '-q', '--no-verify', '-m', 'snapshot')):
        subprocess.run(('git', *args), cwd=dest, env=env, capture_output=True, check=True)
    return HookRepo(dest, git(dest, 'rev-parse', 'HEAD').stdout.strip())


def runner_executable(runner: str) -> str:
    """The ``pre-commit`` or ``prek`` installed beside the test interpreter (the test extras)."""
    beside = Path(sys.executable).parent / runner
    found = str(beside) if beside.exists() else shutil.which(runner)
    if found is None:
        raise RuntimeError(f'{runner} is not installed; pip install -e .[test]')
    return found


def path_without_kimi() -> str:
    """$PATH minus every directory that holds a ``kimi`` binary, as on a CI machine."""
    dirs = os.environ.get('PATH', '').split(os.pathsep)
    return os.pathsep.join(d for d in dirs if d and not os.path.exists(os.path.join(d, 'kimi')))


def config_yaml(hook_repo: HookRepo, hook_ids: tuple[str, ...], args: tuple[str, ...] = ()) -> str:
    """A ``.pre-commit-config.yaml`` using ``hook_ids`` from ``hook_repo``, with output always shown
    and ``args`` (e.g. ``--target kimi-code``) added to every hook."""
    extra = f'        args: [{", ".join(args)}]\n' if args else ''
    hooks = ''.join(f'      - id: {hook_id}\n        verbose: true\n{extra}' for hook_id in hook_ids)
    return f'repos:\n  - repo: {hook_repo.path}\n    rev: {hook_repo.rev}\n    hooks:\n{hooks}'


@dataclass(frozen=True)
class HookedProject:
    """A git repository whose commits go through ``runner`` with this repository's hooks.

    ``env`` carries the session's runner caches (never the real home) and a PATH without
    ``kimi``; every git and runner command here uses it.
    """

    path: Path
    runner: str
    env: dict[str, str]

    def git(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run git; stdout and stderr together, as a user sees them. Never raises on failure."""
        return subprocess.run(('git', *args), cwd=cwd or self.path, env=self.env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)

    def commit(self, message: str = 'change', cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """``git commit`` of what is staged, through the installed git hook."""
        return self.git('commit', '-m', message, cwd=cwd)

    def run_hooks(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """``<runner> run ARGS`` outside a commit, as CI does it."""
        return subprocess.run((runner_executable(self.runner), 'run', *args), cwd=self.path,
                              env={**self.env, **(env or {})}, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)

    def head(self) -> str:
        return self.git('rev-parse', 'HEAD').stdout.strip()

    def install_git_hook(self, cwd: Path | None = None) -> None:
        """``<runner> install``: from now on ``git commit`` runs the hooks."""
        subprocess.run((runner_executable(self.runner), 'install'), cwd=cwd or self.path, env=self.env,
                       capture_output=True, check=True)


def hooked_project(path: Path, runner: str, hook_repo: HookRepo, hook_ids: tuple[str, ...],
                   runner_homes: dict[str, str], args: tuple[str, ...] = ()) -> HookedProject:
    """A new repository at ``path`` with a committed ``.pre-commit-config.yaml`` and the git hook installed.

    The ``.kimi/`` assets are not installed yet: installing and committing them is the first
    thing the tests check.
    """
    from testing.gitrepo import init_repo

    init_repo(path)
    (path / '.pre-commit-config.yaml').write_text(config_yaml(hook_repo, hook_ids, args))
    env = {**os.environ, **runner_homes, 'PATH': path_without_kimi()}
    project = HookedProject(path, runner, env)
    project.git('add', '.pre-commit-config.yaml')
    project.git('commit', '-q', '--no-verify', '-m', 'pre-commit config')
    project.install_git_hook()
    return project


def cli_has_command(name: str) -> bool:
    """Whether ``omk-kimi`` has the subcommand ``name`` (omk-doctor's command is built on its own issue)."""
    import contextlib
    import io

    from omk_precommit.cli import build_parser

    quiet = io.StringIO()
    try:
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            build_parser().parse_args([name, '--help'])
    except SystemExit as e:
        return e.code == 0
    return True
