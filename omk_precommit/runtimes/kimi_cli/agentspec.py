"""Agent specs resolved the way Kimi CLI 1.52 resolves them (``kimi_cli.agentspec.load_agent_spec``).

The same rules, re-done without importing kimi-cli: ``version`` stringifies to ``"1"`` (missing
means 1); the ``agent:`` fields are type-checked like its pydantic model and unknown keys are
ignored; ``extend: default`` is the built-in agent and any other value a path relative to the
extending file; the child's scalars and lists replace the parent's while ``system_prompt_args``
merge; ``name``, ``system_prompt_path`` and ``tools`` are required after inheritance. Where
kimi-cli would crash (an extend cycle, an empty file) or read outside the project, this raises a
``SpecError`` naming the file instead.

The one reader of the format: the doctor resolves strictly, ``migrate`` with ``lenient=True``
(a spec without a name still converts, named after its directory), and the doctor and the staged
doctor read the files a spec names with ``spec_references`` / ``referenced_specs``, which never raise.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, NamedTuple

import yaml

from omk_precommit.engine.fsutil import file_kind, read_regular
from omk_precommit.engine.paths import is_inside_root
from omk_precommit.errors import OmkError
from omk_precommit.runtimes.kimi_cli.facts import (
    DEFAULT_AGENT_NAME,
    DEFAULT_AGENT_PROMPT_ARGS,
    DEFAULT_AGENT_SUBAGENTS,
    DEFAULT_AGENT_TOOLS,
)

# Files shipped inside kimi-cli are represented under this marker and never read.
BUILTIN_DIR = Path('<kimi-cli>/agents/default')


class SpecError(OmkError):
    """Why an agent spec does not load: ``file`` (as shown to the user) and ``reason``."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f'{file}: {reason}')
        self.file = file
        self.reason = reason


@dataclass(frozen=True)
class Subagent:
    """One entry of ``subagents:``: the spec file it loads and what the main agent is told."""

    path: Path
    description: str


@dataclass(frozen=True)
class ResolvedSpec:
    """An agent spec after inheritance, with every path made absolute (or under ``BUILTIN_DIR``)."""

    file: Path
    name: str
    system_prompt_path: Path
    system_prompt_args: Mapping[str, str]
    tools: tuple[str, ...]
    allowed_tools: tuple[str, ...] | None
    exclude_tools: tuple[str, ...]
    subagents: Mapping[str, Subagent]
    when_to_use: str = ''
    model: str | None = None
    # The subagent names the spec (or a parent file) declares; None when none does or they are the built-in agent's.
    own_subagents: tuple[str, ...] | None = None

    @property
    def loaded_tools(self) -> list[str]:
        """The tool paths kimi-cli imports: ``allowed_tools`` when set, else ``tools``, minus the excluded."""
        tools = self.allowed_tools if self.allowed_tools is not None else self.tools
        return [tool for tool in tools if tool not in self.exclude_tools]

    @property
    def prompt_file(self) -> Path | None:
        """The system prompt file, symlinks and ``..`` resolved; None for the built-in prompt."""
        return None if is_builtin(self.system_prompt_path) else self.system_prompt_path.resolve()


def is_builtin(path: Path) -> bool:
    """True for a file that ships inside kimi-cli (the default agent, its prompt and subagents)."""
    return path.parts[:1] == BUILTIN_DIR.parts[:1]


def display_path(path: Path, root: Path) -> str:
    """``path`` as the user should read it: project-relative when inside ``root``."""
    if is_builtin(path):
        return f'the built-in {path.name}'
    normal = os.path.normpath(path)
    relative = os.path.relpath(normal, root)
    return normal if relative.startswith('..') else Path(relative).as_posix()


def resolve_agent_spec(file: Path, root: Path, *, lenient: bool = False) -> ResolvedSpec:
    """The spec in ``file`` after inheritance, or ``SpecError`` where kimi-cli would reject it;
    ``lenient`` accepts a spec without a name (its ``name`` is then ``''``)."""
    shown = display_path(file, root)
    fields = _resolve(file, root, ())
    if lenient:
        fields.setdefault('name', '')
    for key, missing in _REQUIRED.items():
        if key not in fields:
            raise SpecError(shown, f'{missing} after inheritance; add `{key}:` under `agent:`')
    subagents: Mapping[str, Subagent] = fields.get('subagents') or {}
    return ResolvedSpec(
        file=file,
        name=fields['name'],
        system_prompt_path=fields['system_prompt_path'],
        system_prompt_args=fields.get('system_prompt_args', {}),
        tools=tuple(fields['tools'] or ()),
        allowed_tools=None if fields.get('allowed_tools') is None else tuple(fields['allowed_tools']),
        exclude_tools=tuple(fields.get('exclude_tools') or ()),
        subagents=subagents,
        when_to_use=fields.get('when_to_use') or '',
        model=fields.get('model'),
        own_subagents=None if 'subagents' not in fields or _builtin_only(subagents) else tuple(subagents),
    )


def _builtin_only(subagents: Mapping[str, Subagent]) -> bool:
    return bool(subagents) and all(is_builtin(sub.path) for sub in subagents.values())


def reference_problem(path: Path, root: Path) -> str | None:
    """Why a spec file that another spec points at cannot be loaded, or None."""
    if not is_inside_root(root, path):
        return f'lies outside the project root ({display_path(path, root)}); copy it into the project'
    if not path.exists():
        return f'does not exist ({display_path(path, root)})'
    if not path.is_file():
        return f'is not a regular file ({display_path(path, root)} is {file_kind(path.stat().st_mode)})'
    return None


class SpecReferences(NamedTuple):
    """The file paths a spec names, as written: its parent, its system prompt and its subagents' specs."""

    extend: str | None  # None for none, or for ``default``
    system_prompt_path: str | None
    subagent_paths: tuple[str, ...]
    empty_subagents: bool = False  # ``subagents: []``, which kimi-cli reads as "inherit"


def spec_references(text: str) -> SpecReferences:
    """The file paths the spec ``text`` names, read leniently: what cannot be read names nothing."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    agent = data.get('agent') if isinstance(data, dict) else None
    if not isinstance(agent, dict):
        return SpecReferences(None, None, ())
    extend, prompt, subagents = agent.get('extend'), agent.get('system_prompt_path'), agent.get('subagents')
    return SpecReferences(
        extend if isinstance(extend, str) and extend and extend != 'default' else None,
        prompt if isinstance(prompt, str) else None,
        tuple(sub['path'] for sub in (subagents.values() if isinstance(subagents, dict) else ())
              if isinstance(sub, dict) and isinstance(sub.get('path'), str)),
        subagents == [],
    )


def referenced_specs(file: Path, root: Path) -> tuple[Path | None, list[Path]]:
    """The parent ``file`` extends (None for none or ``default``) and its subagent files, read leniently."""
    if not is_inside_root(root, file):
        return None, []
    try:
        refs = spec_references(read_regular(file).decode('utf-8'))
    except (OSError, UnicodeDecodeError):
        return None, []
    return (None if refs.extend is None else file.parent / refs.extend), [file.parent / p for p in refs.subagent_paths]


_DEFAULT_AGENT: dict[str, Any] = {
    'name': DEFAULT_AGENT_NAME,
    'system_prompt_path': BUILTIN_DIR / 'system.md',
    'system_prompt_args': DEFAULT_AGENT_PROMPT_ARGS,
    'tools': list(DEFAULT_AGENT_TOOLS),
    'subagents': {name: Subagent(BUILTIN_DIR / f'{name}.yaml', text) for name, text in DEFAULT_AGENT_SUBAGENTS.items()},
}
_REQUIRED = {
    'name': 'agent name is required',
    'system_prompt_path': 'system prompt path is required',
    'tools': 'tools are required',
}
# Fields a child replaces when it sets them, even to null (kimi-cli's ``Inherit`` marker semantics).
_REPLACED = ('name', 'system_prompt_path', 'tools', 'allowed_tools', 'exclude_tools', 'subagents')
# Fields a child replaces only with a non-null value.
_REPLACED_UNLESS_NULL = ('model', 'when_to_use')


# Fields typed ``X | None | Inherit`` where X does not take a list: ``[]`` validates as ``Inherit()``.
_INHERITED_WHEN_EMPTY_LIST = ('name', 'system_prompt_path', 'subagents')


def _resolve(file: Path, root: Path, chain: tuple[str, ...]) -> dict[str, Any]:
    shown = display_path(file, root)
    key = os.path.normpath(file.absolute())
    if key in chain:
        loop = ' -> '.join(display_path(Path(p), root) for p in (*chain[chain.index(key):], key))
        raise SpecError(shown, f'extend cycle ({loop}); kimi-cli would recurse forever')
    fields = _read_fields(file, root)
    extend = fields.pop('extend', None)
    if not extend:
        return fields
    if extend == 'default':
        parent = dict(_DEFAULT_AGENT)
    else:
        parent_file = file.parent / extend
        problem = reference_problem(parent_file, root)
        if problem:
            raise SpecError(shown, f'extends {extend}, which {problem}')
        parent = _resolve(parent_file, root, (*chain, key))
    merged = dict(parent)
    merged['system_prompt_args'] = {**parent.get('system_prompt_args', {}), **fields.get('system_prompt_args', {})}
    for name in _REPLACED:
        if name in fields:
            merged[name] = fields[name]
    for name in _REPLACED_UNLESS_NULL:
        if fields.get(name) is not None:
            merged[name] = fields[name]
    return merged


def _read_fields(file: Path, root: Path) -> dict[str, Any]:
    """The fields one spec file sets, type-checked, with its paths made absolute."""
    shown = display_path(file, root)
    if not is_inside_root(root, file):
        raise SpecError(shown, 'lies outside the project root; copy it into .kimi/agents/ so the team has it')
    if not file.exists():
        raise SpecError(shown, 'agent spec file not found')
    if not file.is_file():
        raise SpecError(shown, f'agent spec path is not a regular file ({file_kind(file.stat().st_mode)})')
    try:
        data = yaml.safe_load(read_regular(file).decode('utf-8'))
    except UnicodeDecodeError:
        raise SpecError(shown, 'is not UTF-8 text') from None
    except OSError as e:
        raise SpecError(shown, f'cannot be read ({e.strerror})') from None
    except yaml.YAMLError as e:
        raise SpecError(shown, f'invalid YAML: {yaml_problem(e)}') from None
    if not isinstance(data, dict):
        raise SpecError(shown, 'is empty or not a YAML mapping; it needs `version: 1` and an `agent:` mapping')
    version = str(data.get('version', '1'))
    if version != '1':
        raise SpecError(shown, f'unsupported agent spec version {version}; Kimi CLI supports only `version: 1`')
    agent = data.get('agent', {})
    if not isinstance(agent, dict) or not all(isinstance(k, str) for k in agent):
        raise SpecError(shown, '`agent:` must be a mapping of fields')
    fields = {}
    for name, check in _FIELD_TYPES.items():
        if name in _INHERITED_WHEN_EMPTY_LIST and agent.get(name) == []:
            continue  # pydantic reads [] as kimi-cli's empty ``Inherit`` tuple: the parent's value stays
        if name in agent:
            problem = check(agent[name])
            if problem:
                raise SpecError(shown, f'`{name}` {problem}')
            fields[name] = agent[name]
    if isinstance(fields.get('system_prompt_path'), str):
        fields['system_prompt_path'] = file.parent / fields['system_prompt_path']
    if isinstance(fields.get('subagents'), dict):
        fields['subagents'] = {
            name: Subagent(file.parent / sub['path'], sub['description']) for name, sub in fields['subagents'].items()
        }
    return fields


def yaml_problem(error: yaml.YAMLError, first_line: int = 1) -> str:
    """A YAML error as one short line: what is wrong and where (``first_line`` is the text's line 1)."""
    mark = getattr(error, 'problem_mark', None)
    problem = getattr(error, 'problem', None) or ' '.join(str(error).split())
    return f'{problem} at line {mark.line + first_line}, column {mark.column + 1}' if mark else problem


def _str(value: object) -> str | None:
    return None if isinstance(value, str) else f'must be a string, not {_type(value)}'


def _optional(check: Callable[[object], str | None]) -> Callable[[object], str | None]:
    return lambda value: None if value is None else check(value)


def _str_list(value: object) -> str | None:
    if not isinstance(value, list):
        return f'must be a list of tool paths, not {_type(value)}'
    bad = [item for item in value if not isinstance(item, str)]
    return f'must contain only strings; {bad[0]!r} is {_type(bad[0])}' if bad else None


def _str_map(value: object) -> str | None:
    if not isinstance(value, dict):
        return f'must be a mapping of names to strings, not {_type(value)}'
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            return f'must map strings to strings; {key!r}: {item!r} is not (quote the value)'
    return None


def _subagents(value: object) -> str | None:
    if not isinstance(value, dict):
        return f'must be a mapping of subagent names to {{path, description}}, not {_type(value)}'
    for key, sub in value.items():
        if not isinstance(key, str) or not isinstance(sub, dict):
            return f'entry {key!r} must be a mapping with `path` and `description`'
        for field in ('path', 'description'):
            if field not in sub:
                return f'entry {key!r} is missing `{field}`'
            if not isinstance(sub[field], str):
                return f'entry {key!r}: `{field}` must be a string, not {_type(sub[field])}'
    return None


def _type(value: object) -> str:
    return 'null' if value is None else type(value).__name__


_FIELD_TYPES: dict[str, Callable[[object], str | None]] = {
    'extend': _optional(_str),
    'name': _str,
    'system_prompt_path': _str,
    'system_prompt_args': _str_map,
    'model': _optional(_str),
    'when_to_use': _optional(_str),
    'tools': _optional(_str_list),
    'allowed_tools': _optional(_str_list),
    'exclude_tools': _optional(_str_list),
    'subagents': _optional(_subagents),
}
