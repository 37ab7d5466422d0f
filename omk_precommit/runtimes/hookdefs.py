"""Hook events and the hooks omk recommends for a project, per runtime (Kimi CLI or Kimi Code).

Only the four keys both runtimes accept are ever written (see ``runtimes.base.HOOK_KEYS``); what
differs between runtimes (the tool names the safety hook matches, the hooks directory) comes
from :mod:`omk_precommit.runtimes.registry`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Union

from omk_precommit.bundle.resources import asset_text
from omk_precommit.runtimes.kimi_cli.facts import HookEvent as HookEvent
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime

HookTable = dict[str, Union[str, int]]


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
    runtime: Runtime = DEFAULT_RUNTIME

    @property
    def hooks(self) -> list[HookConfig]:
        return [hook for script in self.scripts for hook in script.hooks]

    def to_toml(self) -> str:
        return self.runtime.hooks_example_header + ''.join('\n' + hook.to_toml() for hook in self.hooks)


def default_project_hooks(hooks_dir: str | None = None, *, runtime: Runtime | str = DEFAULT_RUNTIME) -> ProjectHookDefs:
    """The three default hooks of ``runtime``: safety-check, completion-check and notify.

    ``hooks_dir`` is where the commands find the scripts (default: the runtime's hooks dir).
    """
    info = get_runtime(runtime)
    directory = info.hooks_dir if hooks_dir is None else hooks_dir

    def script(name: str, *hooks: tuple[HookEvent, str, int]) -> HookScript:
        command = f'{directory}/{name}'
        return HookScript(name, tuple(HookConfig(event, command, matcher, timeout) for event, matcher, timeout in hooks))

    return ProjectHookDefs((
        script('safety-check.sh', (HookEvent.PRE_TOOL_USE, info.gate_matcher, 10)),
        script('completion-check.sh', (HookEvent.STOP, '', 30)),
        script('notify.sh', (HookEvent.SUBAGENT_START, '', 10), (HookEvent.SUBAGENT_STOP, '', 10)),
    ), info)


def bundled_hook_tables(runtime: Runtime | str, command_for: Callable[[str], str]) -> list[HookTable]:
    """The bundled hooks of ``runtime`` as ``[[hooks]]`` tables; ``command_for(script)`` gives each command."""
    return [{**hook.as_table(), 'command': command_for(script.name)}
            for script in default_project_hooks(runtime=runtime).scripts for hook in script.hooks]
