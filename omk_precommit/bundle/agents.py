"""Role agents and the Kimi CLI agent-spec format they are written in."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from omk_precommit.bundle.resources import asset_text
from omk_precommit.engine.fsutil import atomic_write

READ_TOOLS = (
    'kimi_cli.tools.file:ReadFile',
    'kimi_cli.tools.file:Glob',
    'kimi_cli.tools.file:Grep',
)
WRITE_TOOLS = (
    'kimi_cli.tools.file:WriteFile',
    'kimi_cli.tools.file:StrReplaceFile',
)
SHELL = 'kimi_cli.tools.shell:Shell'
WEB_TOOLS = ('kimi_cli.tools.web:SearchWeb', 'kimi_cli.tools.web:FetchURL')
TODO = 'kimi_cli.tools.todo:SetTodoList'
AGENT = 'kimi_cli.tools.agent:Agent'


@dataclass(frozen=True)
class AgentSpec:
    """A Kimi CLI agent spec (``agent.yaml``): version 1, extending the built-in agent."""

    name: str
    tools: tuple[str, ...]
    system_prompt_path: str = './system.md'
    extend: str = 'default'
    subagents: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_yaml(self) -> str:
        agent: dict[str, object] = {
            'extend': self.extend,
            'name': self.name,
            'system_prompt_path': self.system_prompt_path,
            'tools': list(self.tools),
        }
        if self.subagents:
            agent['subagents'] = self.subagents
        return yaml.safe_dump({'version': 1, 'agent': agent}, sort_keys=False, width=1000)


@dataclass(frozen=True)
class RoleAgent:
    """An omk role: its id (directory name), display name, prompt and tool bindings."""

    id: str
    name: str
    description: str
    tools: tuple[str, ...]
    when_to_use: str = ''

    @property
    def system_prompt(self) -> str:
        return asset_text(f'prompts/{self.id}.md')

    def spec(self) -> AgentSpec:
        return AgentSpec(name=self.name, tools=self.tools)


def default_role_agents() -> list[RoleAgent]:
    """The six built-in role agents, in a stable order."""
    return [
        RoleAgent('architect', 'architect', 'Plans changes and writes designs; does not edit code.',
                  (*READ_TOOLS, SHELL, *WEB_TOOLS, TODO),
                  'Before a change that touches several files or a public interface, to get a step-by-step plan.'),
        RoleAgent('executor', 'executor', 'Implements an agreed plan in small verified steps.',
                  (*READ_TOOLS, *WRITE_TOOLS, SHELL, TODO, AGENT),
                  'When a plan is agreed and the code needs to be written and tested.'),
        RoleAgent('verifier', 'verifier', 'Checks claims by running commands and tests.',
                  (*READ_TOOLS, SHELL, TODO),
                  'After a change, to confirm by running them that the tests and the claimed behaviour hold.'),
        RoleAgent('reviewer', 'reviewer', 'Reviews a diff for correctness, security and clarity.',
                  (*READ_TOOLS, SHELL),
                  'Before a commit or merge, to get a second reading of the diff.'),
        RoleAgent('security', 'security', 'Looks for leaks, injection and unsafe file handling.',
                  (*READ_TOOLS, SHELL, *WEB_TOOLS),
                  'When a change handles secrets, user input, file paths, shell commands or network data.'),
        RoleAgent('explore', 'explore', 'Answers questions about the code base quickly, read-only.',
                  (*READ_TOOLS, SHELL),
                  'To find where something is defined or how a part of the code base works, without changing it.'),
    ]


def write_agent_to_dir(agent: RoleAgent, directory: Path) -> None:
    """Write ``agent.yaml`` and ``system.md`` for ``agent`` into ``directory`` atomically."""
    atomic_write(directory / 'agent.yaml', agent.spec().to_yaml().encode())
    atomic_write(directory / 'system.md', agent.system_prompt.encode())
