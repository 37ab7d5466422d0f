"""Run ``omk-kimi`` in-process (fast, for setup and recovery) or as a real process (to kill)."""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from omk_precommit.cli import main


class Result(NamedTuple):
    code: int
    out: str
    err: str


def omk(root: Path, *args: str) -> Result:
    """``omk-kimi ARGS --dir ROOT`` through ``main``, with its output captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, '--dir', str(root)])
    return Result(code, out.getvalue(), err.getvalue())


def omk_command(root: Path, *args: str) -> list[str]:
    """The argv of ``omk-kimi ARGS --dir ROOT`` as its own Python process."""
    return [sys.executable, '-m', 'omk_precommit', *args, '--dir', str(root)]


def omk_env(**extra: str) -> dict[str, str]:
    """The current (test-isolated) environment plus ``extra``."""
    return {**os.environ, **extra}


def omk_process(root: Path, *args: str, **extra_env: str) -> subprocess.Popen[bytes]:
    """Start ``omk-kimi ARGS --dir ROOT`` as a separate process."""
    return subprocess.Popen(
        omk_command(root, *args), env=omk_env(**extra_env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def install_both_runtimes(repo: Path) -> Path:
    """``repo`` with the assets of both runtimes and an AGENTS.md installed and committed."""
    from omk_precommit.commands.install import install_project_assets
    from testing.gitrepo import commit_all

    install_project_assets(repo, target='kimi-cli')
    install_project_assets(repo, target='kimi-code')
    (repo / 'AGENTS.md').write_text('Run the tests before committing.\n')
    commit_all(repo, 'install both runtimes')
    return repo
