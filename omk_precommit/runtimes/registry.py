"""The two agent runtimes omk-precommit serves: where each keeps its files, and its hook rules.

``kimi-cli`` is the Python Kimi CLI (``.kimi/`` in a project, its home ``$KIMI_SHARE_DIR`` or
``~/.kimi``; agents as ``agent.yaml`` + ``system.md``); ``kimi-code`` is its successor, the Kimi
Code CLI from npm (``.kimi-code/``, its home ``$KIMI_CODE_HOME`` or ``~/.kimi-code``; agents as
one Markdown file). Everything target-specific lives here, in one place; ``hook_rules`` applies
the hook facts, ``config_files`` picks a config file by them.

The drift check imports this module on every commit, so it stays light (no dataclasses).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from omk_precommit.errors import OmkError

KIMI_CLI = 'kimi-cli'
KIMI_CODE = 'kimi-code'
MANIFEST_NAME = 'omk-manifest.json'  # in each target's base directory

# The keys a [[hooks]] table may hold. Kimi Code validates them strictly (zod .strict()):
# one unknown key, such as the `fail_mode` some documents mention, drops every hook.
HOOK_KEYS = ('event', 'matcher', 'command', 'timeout')

KIMI_CLI_HOOK_EVENTS = (
    'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'UserPromptSubmit', 'Stop', 'StopFailure',
    'SessionStart', 'SessionEnd', 'SubagentStart', 'SubagentStop', 'PreCompact', 'PostCompact',
    'Notification',
)
KIMI_CODE_HOOK_EVENTS = (
    'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest', 'PermissionResult',
    'UserPromptSubmit', 'UserPromptQueued', 'TurnStarted', 'Stop', 'StopFailure', 'Interrupt',
    'SessionStart', 'SessionEnd', 'SessionHeartbeat', 'SubagentStart', 'SubagentStop',
    'TaskStarted', 'PreCompact', 'PostCompact', 'Notification',
)


class Target(NamedTuple):
    """One runtime: its project directory, its home, file-writing tool names and hook rules."""

    name: str
    base_dir: str
    product: str
    write_tools: tuple[str, ...]
    hook_events: tuple[str, ...]
    # True when [[hooks]] tables are validated strictly (Kimi Code's zod schema): an unknown key,
    # an empty command or a non-integer timeout invalidates every hook. The Python Kimi CLI
    # (pydantic, lax) ignores unknown keys and coerces "30" to 30.
    strict_hooks: bool
    # Events whose matcher is tested against the empty string (there is nothing to match on).
    empty_matched_events: tuple[str, ...]
    matcher_engine: str  # whose regular expressions a matcher is: 'python' or 'javascript'
    home_env: str      # the environment variable that moves the home directory
    default_home: str  # the home directory under ~ otherwise
    shell_tools: tuple[str, ...]  # the tools that run a shell command (tool_input "command")

    def home(self) -> Path:
        """The home directory: ``$<home_env>`` when set and non-empty, else ``~/<default_home>``."""
        value = os.environ.get(self.home_env)
        return Path(value).expanduser() if value else Path.home() / self.default_home

    def home_shown(self) -> str:
        """How the user names the home: ``$KIMI_SHARE_DIR`` when it is set, else ``~/.kimi``."""
        return f'${self.home_env}' if os.environ.get(self.home_env) else f'~/{self.default_home}'

    def config_file(self) -> Path:
        """The user config this runtime reads: ``config.toml`` in its home."""
        return self.home() / 'config.toml'

    @property
    def gate_matcher(self) -> str:
        """The PreToolUse matcher of the safety gate: file writes and the shell, anchored because
        matchers are unanchored regex searches (``Write`` alone would also match ``mcp__x__WriteNote``)."""
        return '^(' + '|'.join(self.write_tools + self.shell_tools) + ')$'

    @property
    def hooks_dir(self) -> str:
        return f'{self.base_dir}/hooks'


_TARGETS = {
    KIMI_CLI: Target(KIMI_CLI, '.kimi', 'Kimi CLI', ('WriteFile', 'StrReplaceFile'), KIMI_CLI_HOOK_EVENTS,
                     strict_hooks=False, empty_matched_events=('Stop',), matcher_engine='python',
                     home_env='KIMI_SHARE_DIR', default_home='.kimi', shell_tools=('Shell',)),
    # Facts read from @moonshot-ai/kimi-code 2.1.0 (dist/main.mjs: HookDefSchema is a strict zod object).
    KIMI_CODE: Target(KIMI_CODE, '.kimi-code', 'Kimi Code CLI', ('Write', 'Edit'), KIMI_CODE_HOOK_EVENTS,
                      strict_hooks=True, empty_matched_events=('Stop', 'Interrupt', 'SessionHeartbeat'),
                      matcher_engine='javascript', home_env='KIMI_CODE_HOME', default_home='.kimi-code', shell_tools=('Bash',)),
}
TARGETS = tuple(_TARGETS)  # the names (--target choices)
ALL_TARGETS = tuple(_TARGETS.values())  # the records
BASE_DIRS = {name: t.base_dir for name, t in _TARGETS.items()}


def get_target(name: str) -> Target:
    """The :class:`Target` called ``name``; an OmkError names the valid choices otherwise."""
    try:
        return _TARGETS[name]
    except KeyError:
        raise OmkError(f'unknown target {name!r}; choose one of {", ".join(TARGETS)}') from None
