"""Where user-scope assets live and which they are.

The Python Kimi CLI discovers no agent files by itself (``kimi --agent-file PATH`` picks one), so
user agents go where a Kimi CLI user looks for Kimi's files: its share directory
(``$KIMI_SHARE_DIR``, default ``~/.kimi``), as ``agents/<id>/agent.yaml``, beside the hook scripts
that a user-level ``[[hooks]]`` config runs, ``hooks/<script>``. ``$OMK_KIMI_USER_DIR`` overrides
the directory (omk 0.5.0 used ``~/.config/kimi``).

For the Kimi Code target the user directory is Kimi Code's home (``$KIMI_CODE_HOME``, default
``~/.kimi-code``), where Kimi Code itself discovers user agents (``agents/<id>.md``); the hook
scripts go to its ``hooks/`` beside them. ``$OMK_KIMI_USER_DIR`` applies to the Kimi CLI only.

The user directory is handled exactly like a project's ``.kimi/``: the "root" is its parent and
the "base dir" its name, so the manifest (``<dir>/omk-manifest.json``), path-safety checks,
three-way planner, backups and rollback are the project ones.
"""
from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from omk_precommit.engine.asset import BundledAsset
from omk_precommit.engine.manifest import EntryKind
from omk_precommit.errors import OmkError
from omk_precommit.runtimes.bundled import bundled_assets
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime

USER_KINDS = (EntryKind.AGENT_SPEC, EntryKind.AGENT_PROMPT, EntryKind.HOOK_SCRIPT)


@dataclass(frozen=True)
class UserScope:
    """The user asset directory as ``root / base_dir``, and why it was chosen."""

    root: Path
    base_dir: str
    reason: str

    @property
    def directory(self) -> Path:
        return self.root / self.base_dir

    def hook_script(self, name: str) -> Path:
        return self.directory / 'hooks' / name

    def hook_command(self, name: str) -> str:
        """The shell command a user-level ``[[hooks]]`` table runs: the script's absolute path, shell-quoted."""
        return shlex.quote(str(self.hook_script(name)))


def user_scope(target: Runtime | str = DEFAULT_RUNTIME) -> UserScope:
    """The user asset directory of the runtime ``target`` (``Runtime.user_dir``): for the Kimi CLI
    ``$OMK_KIMI_USER_DIR``, else its share dir; for Kimi Code its home."""
    runtime = get_runtime(target)
    chosen, reason = runtime.user_dir()
    # Resolved, so a symlinked ~/.kimi (dotfiles) passes the "inside the root" checks.
    real = Path(os.path.realpath(chosen.absolute()))
    if real.parent == real:
        raise OmkError(f'{chosen}: cannot use the file system root as the user asset directory'
                       + (f'; set ${runtime.user_dir_env}' if runtime.user_dir_env else ''))
    return UserScope(real.parent, real.name, reason)


def user_assets(scope: UserScope, target: Runtime | str = DEFAULT_RUNTIME) -> tuple[BundledAsset, ...]:
    """The bundled agents and hook scripts, with paths under ``scope.base_dir`` instead of the project's asset dir."""
    runtime = get_runtime(target)
    prefix = runtime.base_dir + '/'
    return tuple(
        replace(asset, path=f'{scope.base_dir}/{asset.path[len(prefix):]}')
        for asset in bundled_assets(runtime) if asset.kind in USER_KINDS
    )
