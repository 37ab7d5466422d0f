"""The two agent runtimes omk-precommit serves, and what differs between them for hooks.

``kimi-cli`` is the Python Kimi CLI (``.kimi/``, agents as ``agent.yaml`` + ``system.md``);
``kimi-code`` is its successor, the Kimi Code CLI from npm (``.kimi-code/``, agents as one
Markdown file). Everything target-specific about hook tables lives here, in one place.

The drift check imports this module on every commit, so it stays light (no dataclasses).
"""
from __future__ import annotations

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
    """One runtime: its project directory, file-writing tool names and hook rules."""

    name: str
    base_dir: str
    product: str
    write_tools: tuple[str, ...]
    hook_events: tuple[str, ...]
    # True when an unknown key in a [[hooks]] table invalidates the hooks (Kimi Code);
    # the Python Kimi CLI silently ignores such keys.
    strict_hook_keys: bool

    @property
    def write_matcher(self) -> str:
        """The PreToolUse matcher for file writes, anchored because matchers are unanchored
        regex searches (``Write`` alone would also match an MCP tool ``mcp__x__WriteNote``)."""
        return '^(' + '|'.join(self.write_tools) + ')$'

    @property
    def hooks_dir(self) -> str:
        return f'{self.base_dir}/hooks'


_TARGETS = {
    KIMI_CLI: Target(KIMI_CLI, '.kimi', 'Kimi CLI', ('WriteFile', 'StrReplaceFile'), KIMI_CLI_HOOK_EVENTS, False),
    KIMI_CODE: Target(KIMI_CODE, '.kimi-code', 'Kimi Code CLI', ('Write', 'Edit'), KIMI_CODE_HOOK_EVENTS, True),
}
TARGETS = tuple(_TARGETS)
BASE_DIRS = {name: t.base_dir for name, t in _TARGETS.items()}


def get_target(name: str) -> Target:
    """The :class:`Target` called ``name``; an OmkError names the valid choices otherwise."""
    try:
        return _TARGETS[name]
    except KeyError:
        raise OmkError(f'unknown target {name!r}; choose one of {", ".join(TARGETS)}') from None
