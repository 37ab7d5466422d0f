"""Kimi CLI hook events and the hooks omk recommends for a project."""
from __future__ import annotations

import enum
import json
from dataclasses import dataclass

from omk_precommit.resources import asset_text


class HookEvent(str, enum.Enum):
    """The hook events the Kimi CLI accepts in ``[[hooks]]`` (serialised in PascalCase)."""

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

    def to_toml(self) -> str:
        lines = ['[[hooks]]', f'event = {json.dumps(self.event.value)}', f'command = {json.dumps(self.command)}']
        if self.matcher:
            lines.append(f'matcher = {json.dumps(self.matcher)}')
        lines.append(f'timeout = {self.timeout}')
        return '\n'.join(lines) + '\n'


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

    @property
    def hooks(self) -> list[HookConfig]:
        return [hook for script in self.scripts for hook in script.hooks]

    def to_toml(self) -> str:
        header = (
            '# Hooks recommended by omk-precommit. Copy these tables into the config.toml your\n'
            '# Kimi CLI reads, or run `omk-kimi hooks enable`. Commands run from the project root.\n'
        )
        return header + ''.join('\n' + hook.to_toml() for hook in self.hooks)


def default_project_hooks(hooks_dir: str = '.kimi/hooks') -> ProjectHookDefs:
    """The three default hooks: safety-check, completion-check and notify."""
    def script(name: str, *hooks: tuple[HookEvent, str, int]) -> HookScript:
        command = f'{hooks_dir}/{name}'
        return HookScript(name, tuple(HookConfig(event, command, matcher, timeout) for event, matcher, timeout in hooks))

    return ProjectHookDefs((
        script('safety-check.sh', (HookEvent.PRE_TOOL_USE, 'WriteFile|StrReplaceFile', 10)),
        script('completion-check.sh', (HookEvent.STOP, '', 30)),
        script('notify.sh', (HookEvent.SUBAGENT_START, '', 10), (HookEvent.SUBAGENT_STOP, '', 10)),
    ))
