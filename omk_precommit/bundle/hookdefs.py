"""Hook events and the hooks omk recommends for a project, per target (Kimi CLI or Kimi Code).

Only the four keys both runtimes accept are ever written (see ``targets.HOOK_KEYS``); what
differs between targets (the write and shell tools the safety hook matches, the hooks directory) comes
from :mod:`omk_precommit.runtimes.registry`.
"""
from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Callable, Union

from omk_precommit.bundle.resources import asset_text
from omk_precommit.runtimes.registry import KIMI_CLI, get_target

HookTable = dict[str, Union[str, int]]


class HookEvent(str, enum.Enum):
    """The hook events the Kimi CLI accepts in ``[[hooks]]`` (serialised in PascalCase).

    Kimi Code accepts all of these and seven more (``targets.KIMI_CODE_HOOK_EVENTS``).
    """

    PRE_TOOL_USE = 'PreToolUse'
    POST_TOOL_USE = 'PostToolUse'
    POST_TOOL_USE_FAILURE = 'PostToolUseFailure'
    USER_PROMPT_SUBMIT = 'UserPromptSubmit'
    STOP = 'Stop'
    STOP_FAILURE = 'StopFailure'
    SESSION_START = 'SessionStart'
    SESSION_END = 'SessionEnd'
    SUBAGENT_START = 'SubagentStart'
    SUBAGENT_STOP = 'SubagentStop'
    PRE_COMPACT = 'PreCompact'
    POST_COMPACT = 'PostCompact'
    NOTIFICATION = 'Notification'


@dataclass(frozen=True)
class HookConfig:
    """One ``[[hooks]]`` table: an event bound to a shell command."""

    event: HookEvent
    command: str
    matcher: str = ''
    timeout: int = 30

    def as_table(self) -> HookTable:
        """The ``[[hooks]]`` table as data, keys in the order they are written."""
        table: HookTable = {'event': self.event.value, 'command': self.command}
        if self.matcher:
            table['matcher'] = self.matcher
        table['timeout'] = self.timeout
        return table

    def to_toml(self) -> str:
        # JSON strings are TOML basic strings, and a JSON integer is a TOML integer.
        return '\n'.join(['[[hooks]]'] + [f'{key} = {json.dumps(value)}' for key, value in self.as_table().items()]) + '\n'


@dataclass(frozen=True)
class HookScript:
    """A bundled hook script: its file name and the hooks that run it."""

    name: str
    hooks: tuple[HookConfig, ...]

    @property
    def content(self) -> str:
        return asset_text(f'hooks/{self.name}')


@dataclass(frozen=True)
class ProjectHookDefs:
    """Every hook omk recommends for a project, with the scripts they run."""

    scripts: tuple[HookScript, ...]
    target: str = KIMI_CLI

    @property
    def hooks(self) -> list[HookConfig]:
        return [hook for script in self.scripts for hook in script.hooks]

    def to_toml(self) -> str:
        target = get_target(self.target)
        if target.strict_hooks:
            header = (
                '# Hooks recommended by omk-precommit for the Kimi Code CLI. Kimi Code reads hooks only\n'
                '# from $KIMI_CODE_HOME/config.toml: run `omk-kimi hooks enable --user --target kimi-code`\n'
                '# or copy these tables there. Keep to the keys event, matcher, command and timeout: any\n'
                '# other key makes Kimi Code ignore every hook. Commands run from the directory kimi starts in.\n'
            )
        else:
            header = (
                '# Hooks recommended by omk-precommit. Copy these tables into the config.toml your\n'
                '# Kimi CLI reads, or run `omk-kimi hooks enable`. Commands run from the project root.\n'
            )
        return header + ''.join('\n' + hook.to_toml() for hook in self.hooks)


def default_project_hooks(hooks_dir: str | None = None, *, target: str = KIMI_CLI) -> ProjectHookDefs:
    """The three default hooks of ``target``: safety-check, completion-check and notify.

    ``hooks_dir`` is where the commands find the scripts (default: the target's hooks dir).
    """
    info = get_target(target)
    directory = info.hooks_dir if hooks_dir is None else hooks_dir

    def script(name: str, *hooks: tuple[HookEvent, str, int]) -> HookScript:
        command = f'{directory}/{name}'
        return HookScript(name, tuple(HookConfig(event, command, matcher, timeout) for event, matcher, timeout in hooks))

    return ProjectHookDefs((
        script('safety-check.sh', (HookEvent.PRE_TOOL_USE, info.gate_matcher, 10)),
        script('completion-check.sh', (HookEvent.STOP, '', 30)),
        script('notify.sh', (HookEvent.SUBAGENT_START, '', 10), (HookEvent.SUBAGENT_STOP, '', 10)),
    ), target)


def bundled_hook_tables(target: str, command_for: Callable[[str], str]) -> list[HookTable]:
    """The bundled hooks of ``target`` as ``[[hooks]]`` tables; ``command_for(script)`` gives each command."""
    return [{**hook.as_table(), 'command': command_for(script.name)}
            for script in default_project_hooks(target=target).scripts for hook in script.hooks]
