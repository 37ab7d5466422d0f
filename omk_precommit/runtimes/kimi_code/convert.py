"""Turn one Kimi CLI agent (``agent.yaml`` + its system prompt) into a Kimi Code agent file.

Pure: reads the spec and prompt, returns the Markdown and notes on everything that could
not be carried over (tools without a Kimi Code counterpart, the ``model`` field, template
variables Kimi Code does not know). Tool paths go through the one table in ``toolnames``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

from omk_precommit.bundle.agents import RoleAgent
from omk_precommit.engine.fsutil import read_regular
from omk_precommit.runtimes.frontmatter import JAVASCRIPT_YAML_1_2, FrontmatterError, load_yaml, split_frontmatter
from omk_precommit.runtimes.kimi_cli.agentspec import ResolvedSpec
from omk_precommit.runtimes.kimi_code.agents import KimiCodeAgent
from omk_precommit.runtimes.kimi_code.toolnames import UNMAPPABLE_TOOLS, kimi_code_tool

# kimi-cli's built-in prompt variables and the Kimi Code variables that carry the same text.
PROMPT_VARIABLES = {
    'KIMI_WORK_DIR': 'cwd', 'KIMI_WORK_DIR_LS': 'cwd_listing', 'KIMI_AGENTS_MD': 'agents_md',
    'KIMI_SKILLS': 'skills', 'KIMI_ADDITIONAL_DIRS_INFO': 'additional_dirs_info', 'KIMI_OS': 'os',
    'KIMI_SHELL': 'shell',
}
_VARIABLE_RE = re.compile(r'\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}')
_OTHER_TEMPLATE_RE = re.compile(r'\$\{(?!\s*[A-Za-z_][A-Za-z0-9_]*\s*\})|\{%|\{#')
MAX_DESCRIPTION = 240


@dataclass(frozen=True)
class Conversion:
    """The Kimi Code agent made from a Kimi CLI one, and what did not carry over."""

    agent: KimiCodeAgent
    notes: tuple[str, ...]

    @property
    def content(self) -> bytes:
        return self.agent.to_markdown().encode()


def kebab_name(name: str) -> str:
    """``name`` in the kebab-case Kimi Code requires (``My Agent_2`` -> ``my-agent-2``)."""
    return re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')


def _body(spec: ResolvedSpec, prompt: str | None, notes: list[str]) -> str:
    if prompt is None:  # the built-in Kimi CLI prompt: use Kimi Code's built-in one instead
        extra = spec.system_prompt_args.get('ROLE_ADDITIONAL', '').strip()
        return '${base_prompt}\n' + (f'\n{extra}\n' if extra else '')

    def substitute(match: re.Match[str]) -> str:
        # Variables with no counterpart (KIMI_NOW) stay as written; the agent-file check
        # reports them, since Kimi Code prints unknown ${...} literally.
        name = match.group(1)
        if name in spec.system_prompt_args:
            return spec.system_prompt_args[name]
        if name in PROMPT_VARIABLES:
            return '${' + PROMPT_VARIABLES[name] + '}'
        return match.group(0)

    body = _VARIABLE_RE.sub(substitute, prompt)
    if _OTHER_TEMPLATE_RE.search(body):
        notes.append('the prompt uses Jinja blocks or filters, which Kimi Code does not render; left as text')
    return body


def convert_agent(agent_id: str, spec: ResolvedSpec, prompt: str | None, role: RoleAgent | None = None) -> Conversion:
    """The Kimi Code agent for the Kimi CLI agent ``agent_id`` (``role``: the bundled role it is)."""
    notes: list[str] = []
    name = kebab_name(spec.name) or kebab_name(agent_id)
    if spec.name and name != spec.name:
        notes.append(f'name {spec.name!r} became {name!r} (Kimi Code names are kebab-case)')
    tools: list[str] = []
    for path in spec.loaded_tools:
        tool = kimi_code_tool(path)
        if tool is None:
            why = UNMAPPABLE_TOOLS.get(path, 'not a Kimi CLI tool omk knows')
            notes.append(f'tool {path} dropped: {why}')
        elif tool not in tools:
            tools.append(tool)
    when_to_use = spec.when_to_use.strip() or (role.when_to_use if role else '')
    if role is not None:
        description = role.description
    elif when_to_use:
        description = when_to_use.splitlines()[0][:MAX_DESCRIPTION]
    else:
        description = f'{name} agent, migrated from the Kimi CLI'
        notes.append('the Kimi CLI spec has no description or when_to_use; wrote a placeholder description, '
                     'replace it with one line on what the agent is for')
    if spec.model:
        notes.append(f'model {spec.model!r} dropped: Kimi Code agent files cannot choose a model')
    subagents = None
    if spec.own_subagents is not None:
        subagents = tuple(kebab_name(s) for s in spec.own_subagents)
        if subagents:
            notes.append(f'subagents {", ".join(subagents)}: Kimi Code finds them by name among its agents; '
                         'make sure each exists in .kimi-code/agents')
    body = _body(spec, prompt, notes)
    if not body.strip():
        body = '${base_prompt}\n'
        notes.append('the system prompt is empty; the agent uses the Kimi Code built-in prompt')
    agent = KimiCodeAgent(name, description, body, tuple(tools), when_to_use, subagents)
    return Conversion(agent, tuple(notes))


def complete_skill_frontmatter(text: str, dir_name: str) -> tuple[str, tuple[str, ...]]:
    """``SKILL.md`` text with the ``name`` and ``description`` Kimi Code requires filled in the
    way the Kimi CLI defaulted them (directory name; first non-empty body line)."""
    try:
        found = split_frontmatter(text, JAVASCRIPT_YAML_1_2)
        front = load_yaml(found.block) if found is not None else None
    except (FrontmatterError, yaml.YAMLError):
        return text, ()  # Kimi Code rejects it; the skill check reports why
    front = {} if front is None else front
    if not isinstance(front, dict):
        return text, ()
    body = found.body if found is not None else text
    added, notes = [], []
    if not (isinstance(front.get('name'), str) and front['name'].strip()):
        added.append(f'name: {json.dumps(dir_name)}\n')
        notes.append(f'added name {dir_name!r} (the Kimi CLI defaulted it to the directory name; Kimi Code requires it)')
    if not (isinstance(front.get('description'), str) and front['description'].strip()):
        first = next((line.strip() for line in body.splitlines() if line.strip()), '')
        description = first.lstrip('#').strip()[:MAX_DESCRIPTION] or 'No description provided.'
        added.append(f'description: {json.dumps(description, ensure_ascii=False)}\n')
        notes.append('added a description from the first line of the skill (the Kimi CLI defaulted it so; '
                     'Kimi Code requires it)')
    if not added:
        return text, ()
    if found is None:
        return '---\n' + ''.join(added) + '---\n' + text, tuple(notes)
    return text[:found.closing_fence] + ''.join(added) + text[found.closing_fence:], tuple(notes)


def read_prompt(spec: ResolvedSpec) -> str | None:
    """The spec's system prompt text, None for the built-in one; OSError when it is unreadable."""
    if spec.prompt_file is None:
        return None
    return read_regular(spec.prompt_file).decode('utf-8')  # a FIFO is refused, never waited on
