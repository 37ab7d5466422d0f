"""Read a Kimi CLI agent spec the way kimi-cli 1.52.0's ``load_agent_spec`` does, ``extend`` included.

``extend: default`` inherits the built-in agent (its tools, its own system prompt, its
subagents); any other ``extend`` is a file path relative to the spec that names it. A child's
fields replace the parent's, except ``system_prompt_args``, which merge key by key. Unlike
kimi-cli we refuse to read a parent outside the project root.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from omk_precommit.engine.paths import is_inside_root
from omk_precommit.errors import OmkError

# The built-in default agent of kimi-cli 1.52.0 (kimi_cli/agents/default/agent.yaml).
DEFAULT_TOOLS = (
    'kimi_cli.tools.agent:Agent', 'kimi_cli.tools.ask_user:AskUserQuestion', 'kimi_cli.tools.todo:SetTodoList',
    'kimi_cli.tools.shell:Shell', 'kimi_cli.tools.background:TaskList', 'kimi_cli.tools.background:TaskOutput',
    'kimi_cli.tools.background:TaskStop', 'kimi_cli.tools.file:ReadFile', 'kimi_cli.tools.file:ReadMediaFile',
    'kimi_cli.tools.file:Glob', 'kimi_cli.tools.file:Grep', 'kimi_cli.tools.file:WriteFile',
    'kimi_cli.tools.file:StrReplaceFile', 'kimi_cli.tools.web:SearchWeb', 'kimi_cli.tools.web:FetchURL',
    'kimi_cli.tools.plan:ExitPlanMode', 'kimi_cli.tools.plan.enter:EnterPlanMode',
)
DEFAULT_SUBAGENTS = ('coder', 'explore', 'plan')
MAX_EXTEND_DEPTH = 16


@dataclass(frozen=True)
class ResolvedSpec:
    """An agent spec after inheritance. ``prompt_path`` None means the built-in system prompt."""

    name: str
    prompt_path: Path | None
    prompt_args: dict[str, str] = field(default_factory=dict)
    tools: tuple[str, ...] = ()
    when_to_use: str = ''
    model: str | None = None
    # None: the built-in coder/explore/plan subagents; otherwise the names the spec declares.
    subagents: tuple[str, ...] | None = None


DEFAULT_SPEC = ResolvedSpec(name='', prompt_path=None, prompt_args={'ROLE_ADDITIONAL': ''}, tools=DEFAULT_TOOLS)


def _load_yaml(root: Path, path: Path, shown: str) -> dict[str, Any]:
    if not is_inside_root(root, path):
        raise OmkError(f'{shown}: lies outside the project root; not read')
    try:
        data = yaml.safe_load(path.read_text(encoding='utf-8'))
    except FileNotFoundError:
        raise OmkError(f'{shown}: agent spec file not found') from None
    except (OSError, UnicodeDecodeError) as e:
        raise OmkError(f'{shown}: cannot read ({e})') from None
    except yaml.YAMLError as e:
        raise OmkError(f'{shown}: invalid YAML in agent spec ({str(e).splitlines()[0]})') from None
    if not isinstance(data, dict):
        raise OmkError(f'{shown}: an agent spec must be a YAML mapping with version and agent')
    if str(data.get('version', '1')) != '1':
        raise OmkError(f'{shown}: unsupported agent spec version {data.get("version")!r} (only 1)')
    agent = data.get('agent', {})
    if not isinstance(agent, dict):
        raise OmkError(f'{shown}: "agent" must be a mapping')
    return agent


def _str_list(agent: dict[str, Any], key: str, shown: str) -> tuple[str, ...] | None:
    value = agent.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OmkError(f'{shown}: agent.{key} must be a list of strings')
    return tuple(value)


def _resolve(root: Path, path: Path, depth: int) -> tuple[ResolvedSpec, tuple[str, ...] | None, tuple[str, ...]]:
    """(spec, allowed_tools, exclude_tools) of ``path`` with its parents merged in."""
    shown = path.relative_to(root).as_posix() if is_inside_root(root, path) else str(path)
    if depth > MAX_EXTEND_DEPTH:
        raise OmkError(f'{shown}: extend chain is longer than {MAX_EXTEND_DEPTH} (a cycle?)')
    agent = _load_yaml(root, path, shown)
    extend = agent.get('extend')
    allowed: tuple[str, ...] | None
    exclude: tuple[str, ...]
    if extend is None:
        parent, allowed, exclude = ResolvedSpec(name='', prompt_path=None), None, ()
        parent_prompt_set = False
    elif extend == 'default':
        parent, allowed, exclude = DEFAULT_SPEC, None, ()
        parent_prompt_set = True
    elif isinstance(extend, str):
        parent, allowed, exclude = _resolve(root, (path.parent / extend).resolve(), depth + 1)
        parent_prompt_set = True
    else:
        raise OmkError(f'{shown}: agent.extend must be "default" or a path')
    spec = parent
    if 'name' in agent:
        spec = replace(spec, name=str(agent['name'] or ''))
    if agent.get('system_prompt_path'):
        spec = replace(spec, prompt_path=(path.parent / str(agent['system_prompt_path'])).resolve())
        parent_prompt_set = True
    args = agent.get('system_prompt_args') or {}
    if not isinstance(args, dict) or not all(isinstance(v, str) for v in args.values()):
        raise OmkError(f'{shown}: agent.system_prompt_args must map names to strings')
    spec = replace(spec, prompt_args={**spec.prompt_args, **{str(k): v for k, v in args.items()}})
    if 'tools' in agent:
        spec = replace(spec, tools=_str_list(agent, 'tools', shown) or ())
    if 'allowed_tools' in agent:
        allowed = _str_list(agent, 'allowed_tools', shown)
    if 'exclude_tools' in agent:
        exclude = _str_list(agent, 'exclude_tools', shown) or ()
    if agent.get('when_to_use') is not None:
        spec = replace(spec, when_to_use=str(agent['when_to_use']))
    if agent.get('model') is not None:
        spec = replace(spec, model=str(agent['model']))
    if 'subagents' in agent:
        subagents = agent['subagents'] or {}
        if not isinstance(subagents, dict):
            raise OmkError(f'{shown}: agent.subagents must map names to {{path, description}}')
        spec = replace(spec, subagents=tuple(str(k) for k in subagents))
    if not parent_prompt_set:
        raise OmkError(f'{shown}: system_prompt_path is required (or extend: default)')
    if extend is None and 'tools' not in agent:
        raise OmkError(f'{shown}: tools are required (or extend: default)')
    return spec, allowed, exclude


def resolve_agent_spec(root: Path, path: Path) -> ResolvedSpec:
    """The effective spec of the agent file ``path``: inherited fields filled in, and ``tools``
    the list kimi-cli loads (``allowed_tools`` if set, else ``tools``, minus ``exclude_tools``)."""
    spec, allowed, exclude = _resolve(root, path, 0)
    tools = allowed if allowed is not None else spec.tools
    return replace(spec, tools=tuple(t for t in tools if t not in exclude))
