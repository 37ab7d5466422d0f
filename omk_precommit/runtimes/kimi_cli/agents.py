"""Doctor checks for ``.kimi/agents/``: every agent spec, bundled or user-added, loads in Kimi CLI.

An agent spec is any ``*.yaml`` / ``*.yml`` file under ``.kimi/agents/``. Files other than
``agent.yaml`` that other specs only ``extend`` are partial by design and are checked through the
specs that extend them; every other file must load on its own, as ``kimi --agent-file FILE``
would: the spec resolves, its name is not empty, its prompt file exists and renders as the
Jinja2 template kimi-cli reads it as (``prompts``), its tool paths are Kimi CLI tools, and its subagent files exist and resolve.
"""
from __future__ import annotations

import difflib
import os
from collections.abc import Collection
from pathlib import Path

from omk_precommit.engine.findings import DiagResult, Findings
from omk_precommit.engine.fsutil import NotRegularFileError, read_regular
from omk_precommit.engine.paths import is_inside_root
from omk_precommit.runtimes.kimi_cli.agentspec import (
    ResolvedSpec,
    SpecError,
    display_path,
    is_builtin,
    reference_problem,
    referenced_specs,
    resolve_agent_spec,
    spec_references,
)
from omk_precommit.runtimes.kimi_cli.facts import KIMI_CLI_VERSION, KNOWN_TOOLS
from omk_precommit.runtimes.kimi_cli.prompts import render_problem
from omk_precommit.runtimes.readers import not_regular_fix

SPEC_SUFFIXES = ('.yaml', '.yml')
ENTRY_NAME = 'agent.yaml'  # the name of an agent's own spec, as in .kimi/agents/<id>/agent.yaml


def check_agents(root: Path, base_dir: str, managed: Collection[str] = ()) -> list[DiagResult]:
    """One result per problem of every agent spec under ``<base_dir>/agents``, or one ok per spec.

    ``managed`` holds the project-relative paths the manifest lists, so the fix for a broken
    bundled spec can be ``omk-kimi sync --force``.
    """
    findings = Findings('agents')
    agents_dir = root / base_dir / 'agents'
    files = spec_files(agents_dir)
    if not files:
        findings.warning(f'{base_dir}/agents', 'no agent specs found', fix='omk-kimi install')
    for file in entry_specs(files, root):
        _check_spec(file, root, findings, managed)
    return findings.results


def spec_files(agents_dir: Path) -> list[Path]:
    """Every YAML file under ``agents_dir``, symlinked directories included (the Kimi CLI loads an
    agent through a link like any other; each real directory is entered once, so a link cycle ends)."""
    found = []
    seen: set[str] = set()
    for directory, subdirs, names in os.walk(agents_dir, followlinks=True):
        real = os.path.realpath(directory)
        if real in seen:
            subdirs[:] = []
            continue
        seen.add(real)
        found += [Path(directory, name) for name in names if name.endswith(SPEC_SUFFIXES)]
    return sorted(found)


def entry_specs(files: list[Path], root: Path) -> list[Path]:
    """The specs to check on their own: every ``agent.yaml``, and other files unless specs only ``extend`` them."""
    parents: set[str] = set()
    subagents: set[str] = set()
    for file in files:
        parent, children = referenced_specs(file, root)
        if parent is not None:
            parents.add(os.path.normpath(parent))
        subagents.update(os.path.normpath(child) for child in children)
    return [
        f for f in files
        if f.name == ENTRY_NAME or os.path.normpath(f) not in parents or os.path.normpath(f) in subagents
    ]


def _check_spec(file: Path, root: Path, findings: Findings, managed: Collection[str]) -> None:
    rel = display_path(file, root)
    fix = f'omk-kimi sync --force (restores the bundled {rel})' if rel in managed else f'edit {rel}'
    try:
        spec = resolve_agent_spec(file, root)
    except SpecError as e:
        if e.file == rel:
            findings.error(rel, e.reason, not_regular_fix(rel) if 'not a regular file' in e.reason else fix)
        else:
            findings.error(rel, f'in {e.file}, which it extends: {e.reason}', f'edit {e.file}')
        return
    if not spec.name.strip():
        findings.error(rel, 'agent name is empty after inheritance (the built-in default agent is named "")',
                       f'add `name: {file.parent.name}` under `agent:` in {rel}')
    _check_prompt(spec, root, findings, rel, fix)
    _check_tools(spec, findings, rel, fix)
    _check_subagents(spec, root, findings, rel, fix)
    if spec_references(read_regular(file).decode('utf-8')).empty_subagents:
        inherited = ', '.join(sorted(spec.subagents)) or 'none'
        findings.warning(rel, f'`subagents: []` does not remove the subagents: Kimi CLI reads [] as "inherit", '
                              f'so this agent gets its parent\'s ({inherited})', f'write `subagents: {{}}` in {rel} for none')
    if not findings.has_problems(rel):
        findings.ok(rel, f'loads in Kimi CLI {KIMI_CLI_VERSION}: agent {spec.name!r}, {len(spec.loaded_tools)} tools')


def _check_prompt(spec: ResolvedSpec, root: Path, findings: Findings, rel: str, fix: str) -> None:
    path = spec.system_prompt_path
    if is_builtin(path):
        return
    shown = display_path(path, root)
    if not is_inside_root(root, path):
        findings.error(rel, f'system prompt {shown} lies outside the project root', f'copy it into the project and {fix}')
        return
    try:
        text = read_regular(path).decode('utf-8')
    except FileNotFoundError:
        findings.error(rel, f'system prompt file {shown} does not exist', f'create {shown}, or {fix}')
        return
    except NotRegularFileError as e:
        findings.error(rel, f'system prompt {shown} {e.strerror}', not_regular_fix(shown))
        return
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as e:
        reason = 'is not UTF-8 text' if isinstance(e, UnicodeDecodeError) else f'cannot be read ({e.strerror})'
        findings.error(rel, f'system prompt {shown} {reason}', fix)
        return
    problem = render_problem(path, text, spec.system_prompt_args)
    if problem:
        findings.error(rel, f'system prompt {shown} is not a template Kimi CLI can render: {problem}',
                       f'fix {shown} (it is Jinja2 with ${{ }} variables; write {{{{ "{{#" }}}} for a literal {{#}}, '
                       f'define a missing name under `system_prompt_args:` in {rel})')


def _check_tools(spec: ResolvedSpec, findings: Findings, rel: str, fix: str) -> None:
    loaded = spec.loaded_tools
    for tool in loaded:
        if ':' not in tool:
            findings.error(rel, f'tool {tool!r} is not of the form module:Class', f'{fix}: write it as {_suggest(tool)}')
        elif tool not in KNOWN_TOOLS and _is_kimi_module(tool):
            findings.error(rel, f'tool {tool} does not exist in Kimi CLI {KIMI_CLI_VERSION}',
                           f'{fix}: use {_suggest(tool)}')
        elif tool not in KNOWN_TOOLS:
            findings.warning(rel, f'tool {tool} is not a Kimi CLI tool; omk-kimi cannot check it, '
                                  'so the Kimi CLI must be able to import it',
                             f'install {tool.split(":")[0]} where the Kimi CLI runs')
    for tool in spec.exclude_tools:
        if tool not in KNOWN_TOOLS and _is_kimi_module(tool):
            findings.warning(rel, f'exclude_tools names {tool}, which does not exist in Kimi CLI {KIMI_CLI_VERSION}, '
                                  'so it excludes nothing', f'{fix}: use {_suggest(tool)}')
    if spec.allowed_tools is not None:
        for tool in spec.tools:
            if tool not in KNOWN_TOOLS and _is_kimi_module(tool):
                findings.warning(rel, f'tools names {tool}, which does not exist in Kimi CLI {KIMI_CLI_VERSION} '
                                      '(unused: allowed_tools replaces tools)', f'{fix}: use {_suggest(tool)}')


def _is_kimi_module(tool: str) -> bool:
    module = tool.split(':')[0]
    return module == 'kimi_cli' or module.startswith('kimi_cli.')


def _suggest(tool: str) -> str:
    """The known tool path ``tool`` most likely meant (``a.b.C`` is read as ``a.b:C``)."""
    candidate = tool if ':' in tool else ':'.join(tool.rsplit('.', 1))
    if candidate in KNOWN_TOOLS:
        return candidate
    same_class = sorted((t for t in KNOWN_TOOLS if t.split(':')[1] == candidate.split(':')[-1]), key=len)
    if same_class:
        return same_class[0]
    close = difflib.get_close_matches(candidate, sorted(KNOWN_TOOLS), n=1, cutoff=0.85)
    return close[0] if close else 'a tool path such as kimi_cli.tools.file:ReadFile'


def _check_subagents(spec: ResolvedSpec, root: Path, findings: Findings, rel: str, fix: str) -> None:
    for name, sub in sorted(spec.subagents.items()):
        if is_builtin(sub.path):
            continue
        problem = reference_problem(sub.path, root)
        if problem:
            findings.error(rel, f'subagent {name!r}: spec file {problem}', f'create it, or {fix}')
            continue
        try:
            resolve_agent_spec(sub.path, root)
        except SpecError as e:
            findings.error(rel, f'subagent {name!r} does not load: {e}', f'edit {e.file}')
