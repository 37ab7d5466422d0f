"""Which Kimi config file a command works on, and whose rules apply to it.

Two runtimes read a ``config.toml`` from their home (``targets.Target.config_file``): the Python
Kimi CLI (``$KIMI_SHARE_DIR`` or ``~/.kimi``; ``kimi --config-file`` replaces it) and Kimi Code
CLI (``$KIMI_CODE_HOME`` or ``~/.kimi-code``; it reads no project config).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from omk_precommit.runtimes.registry import KIMI_CLI, KIMI_CODE, Target, get_target


@dataclass(frozen=True)
class ConfigChoice:
    """The config file a command works on, for which runtime, and why that one."""

    target: Target
    path: Path
    reason: str


def user_config() -> ConfigChoice:
    """The user config of the runtime this user has: Kimi Code's when its home exists, else Kimi CLI's."""
    code, cli = get_target(KIMI_CODE), get_target(KIMI_CLI)
    if code.home().is_dir():
        why = f'the Kimi Code CLI home {code.home()} ({code.home_shown()}) exists, and Kimi Code reads only this file'
        return ConfigChoice(code, code.config_file(), why)
    return ConfigChoice(cli, cli.config_file(), f'no Kimi Code CLI home at {code.home()}, '
                                                f'so the Python Kimi CLI default config ({cli.home_shown()})')


def target_for_config(path: Path) -> Target:
    """Whose rules apply to an explicitly named config: Kimi Code's for its own file, else Kimi CLI's."""
    code = get_target(KIMI_CODE)
    if os.path.realpath(path) == os.path.realpath(code.config_file()):
        return code
    return get_target(KIMI_CLI)
