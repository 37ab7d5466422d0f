"""Kimi Code agent files: one Markdown file per agent, YAML frontmatter then the prompt.

Kimi Code 2.1.0 reads ``name`` (kebab-case, default: the file stem), ``description``
(required), ``whenToUse``, ``tools`` (its own tool names), ``override`` and ``subagents``;
the body is the system prompt. An agent that shares its name with a built-in profile
(agent, coder, explore, plan) is ignored unless it sets ``override: true``.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml

from omk_precommit.bundle.agents import RoleAgent
from omk_precommit.runtimes.kimi_code.toolnames import kimi_code_tool

# Profiles built into Kimi Code 2.1.0; a project agent with one of these names needs
# `override: true`, or Kimi Code skips it with a warning.
BUILTIN_PROFILES = ('agent', 'coder', 'explore', 'plan')


@dataclass(frozen=True)
class KimiCodeAgent:
    """The fields omk writes into a Kimi Code agent file."""

    name: str
    description: str
    body: str
    tools: tuple[str, ...] | None = None  # None: every tool (the key is left out)
    when_to_use: str = ''
    subagents: tuple[str, ...] | None = None  # None: Kimi Code's default subagents

    @property
    def override(self) -> bool:
        return self.name in BUILTIN_PROFILES

    def frontmatter(self) -> dict[str, object]:
        data: dict[str, object] = {'name': self.name, 'description': self.description}
        if self.when_to_use:
            data['whenToUse'] = self.when_to_use
        if self.tools is not None:
            data['tools'] = list(self.tools)
        if self.subagents is not None:
            data['subagents'] = list(self.subagents)
        if self.override:
            data['override'] = True
        return data

    def to_markdown(self) -> str:
        """The file text: ``---``, the frontmatter as YAML, ``---``, a blank line, the body."""
        front = yaml.safe_dump(self.frontmatter(), sort_keys=False, width=1000, allow_unicode=True)
        body = self.body if self.body.endswith('\n') else self.body + '\n'
        return f'---\n{front}---\n\n{body}'


def kimi_code_agent(role: RoleAgent) -> KimiCodeAgent:
    """A bundled role as a Kimi Code agent: same prompt, tools translated by the one table."""
    tools = []
    for path in role.tools:
        name = kimi_code_tool(path)
        if name is None:  # a bundled role only uses tools that exist on both targets
            raise ValueError(f'{role.id}: tool {path} has no Kimi Code name')
        if name not in tools:
            tools.append(name)
    return KimiCodeAgent(role.name, role.description, role.system_prompt, tuple(tools), role.when_to_use)
