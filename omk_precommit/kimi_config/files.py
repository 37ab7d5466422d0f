"""Which Kimi config file a command works on, and whose rules apply to it.

Each runtime reads a ``config.toml`` from its home (``Runtime.config_file``): the Python
Kimi CLI (``$KIMI_SHARE_DIR`` or ``~/.kimi``; ``kimi --config-file`` replaces it) and Kimi Code
CLI (``$KIMI_CODE_HOME`` or ``~/.kimi-code``; it reads no project config).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, RUNTIMES, Runtime


@dataclass(frozen=True)
class ConfigChoice:
    """The config file a command works on, for which runtime, and why that one."""

    target: Runtime
    path: Path
    reason: str


def user_config() -> ConfigChoice:
    """The user config of the runtime this user has: the newest runtime whose home exists (Kimi
    Code's before the Kimi CLI's), else the default runtime's."""
    newest_first = sorted((r for r in RUNTIMES.values() if r is not DEFAULT_RUNTIME), key=lambda r: -r.binary_major)
    for runtime in newest_first:
        if runtime.home().is_dir():
            why = (f'the {runtime.product} home {runtime.home()} ({runtime.home_shown()}) exists, '
                   f'and {runtime.product} reads only this file')
            return ConfigChoice(runtime, runtime.config_file(), why)
    absent = ', '.join(f'no {r.product} home at {r.home()}' for r in newest_first)
    return ConfigChoice(DEFAULT_RUNTIME, DEFAULT_RUNTIME.config_file(),
                        f'{absent}, so the {DEFAULT_RUNTIME.product} default config ({DEFAULT_RUNTIME.home_shown()})')


def target_for_config(path: Path) -> Runtime:
    """Whose rules apply to an explicitly named config: the runtime whose own user config it is,
    else the default runtime's (the Kimi CLI reads any file given with ``--config-file``)."""
    real = os.path.realpath(path)
    for runtime in RUNTIMES.values():
        if runtime is not DEFAULT_RUNTIME and real == os.path.realpath(runtime.config_file()):
            return runtime
    return DEFAULT_RUNTIME
