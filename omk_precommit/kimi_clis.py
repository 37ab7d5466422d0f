"""Which Kimi CLI reads which config file, and what its ``[[hooks]]`` tables may hold.

Two CLIs read a ``config.toml``: the Python Kimi CLI (kimi-cli 1.x, ``$KIMI_SHARE_DIR`` or
``~/.kimi``; ``--config-file`` replaces it) and its successor Kimi Code CLI (``$KIMI_CODE_HOME``
or ``~/.kimi-code``; no project config). This module is the one place that knows how they
differ for omk: where the config lives and which hook events and keys each accepts (both taken
from ``targets``, the one list of each); the bundled tables come from ``hookdefs`` per CLI, so
their matchers already name that CLI's file-writing tools.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Union

from omk_precommit.hookdefs import default_project_hooks
from omk_precommit.targets import HOOK_KEYS, KIMI_CLI_HOOK_EVENTS, KIMI_CODE_HOOK_EVENTS

HookTable = dict[str, Union[str, int]]


@dataclass(frozen=True)
class KimiCli:
    """One Kimi CLI as omk sees it: its home directory, and its rules for ``[[hooks]]``."""

    id: str
    display: str
    home_env: str
    default_home: str
    hook_events: tuple[str, ...]
    hook_keys: tuple[str, ...]
    unknown_hook_keys_rejected: bool = False

    def home(self) -> Path:
        """The CLI's home directory: the environment override when set and non-empty, else ``~/<default>``."""
        value = os.environ.get(self.home_env)
        return Path(value).expanduser() if value else Path.home() / self.default_home

    def config_file(self) -> Path:
        return self.home() / 'config.toml'


KIMI_CLI = KimiCli(
    id='kimi-cli', display='Kimi CLI', home_env='KIMI_SHARE_DIR', default_home='.kimi',
    hook_events=KIMI_CLI_HOOK_EVENTS, hook_keys=HOOK_KEYS,
)
# Facts read from @moonshot-ai/kimi-code 2.1.0 (dist/main.mjs: HookDefSchema is a strict zod object).
KIMI_CODE = KimiCli(
    id='kimi-code', display='Kimi Code CLI', home_env='KIMI_CODE_HOME', default_home='.kimi-code',
    hook_events=KIMI_CODE_HOOK_EVENTS, hook_keys=HOOK_KEYS, unknown_hook_keys_rejected=True,
)
CLIS = (KIMI_CLI, KIMI_CODE)


def cli_named(target: str) -> KimiCli:
    """The CLI whose id is the target name ``kimi-cli`` or ``kimi-code``."""
    return next(cli for cli in CLIS if cli.id == target)


@dataclass(frozen=True)
class ConfigChoice:
    """The config file a command works on, for which CLI, and why that one."""

    cli: KimiCli
    path: Path
    reason: str


def _where(cli: KimiCli) -> str:
    return f'${cli.home_env}' if os.environ.get(cli.home_env) else f'~/{cli.default_home}'


def user_config() -> ConfigChoice:
    """The user config of the CLI this user has: Kimi Code's when its home exists, else Kimi CLI's."""
    code_home = KIMI_CODE.home()
    if code_home.is_dir():
        why = f'the Kimi Code CLI home {code_home} ({_where(KIMI_CODE)}) exists, and Kimi Code reads only this file'
        return ConfigChoice(KIMI_CODE, KIMI_CODE.config_file(), why)
    return ConfigChoice(KIMI_CLI, KIMI_CLI.config_file(),
                        f'no Kimi Code CLI home at {code_home}, so the Python Kimi CLI default config ({_where(KIMI_CLI)})')


def cli_for_config(path: Path) -> KimiCli:
    """Whose rules apply to an explicitly named config: Kimi Code's for its own file, else Kimi CLI's."""
    if os.path.realpath(path) == os.path.realpath(KIMI_CODE.config_file()):
        return KIMI_CODE
    return KIMI_CLI


def bundled_hook_tables(cli: KimiCli, command_for: Callable[[str], str]) -> list[HookTable]:
    """The bundled hooks as ``[[hooks]]`` tables for ``cli``; ``command_for(script)`` gives each command."""
    tables: list[HookTable] = []
    for script in default_project_hooks(target=cli.id).scripts:
        for hook in script.hooks:
            table: HookTable = {'event': hook.event.value, 'command': command_for(script.name)}
            if hook.matcher:
                table['matcher'] = hook.matcher
            table['timeout'] = hook.timeout
            tables.append({k: v for k, v in table.items() if k in cli.hook_keys})
    return tables
