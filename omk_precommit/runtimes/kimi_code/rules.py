"""What Kimi Code 2.1.0 accepts as an agent file or a skill, checked without running it.

Each check mirrors Kimi Code's own parser (``agentFile.ts``, ``skill/catalog/parser.ts``) and
uses its error wording where it has one. Kimi Code skips an invalid agent or skill with only a
log line, so every reason it would skip one is an error here; fields it silently ignores are
warnings. We read YAML with PyYAML (YAML 1.1) where Kimi Code uses js-yaml (1.2): a value such
as ``yes`` is a boolean to us and a string to it, so we are stricter, never more lenient.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from omk_precommit.engine.findings import Finding, Severity
from omk_precommit.engine.fsutil import NotRegularFileError, read_regular
from omk_precommit.engine.paths import is_inside_root
from omk_precommit.runtimes.frontmatter import (
    JAVASCRIPT_WHITESPACE,
    JAVASCRIPT_YAML_1_2,
    FrontmatterError,
    load_yaml,
    split_frontmatter,
)
from omk_precommit.runtimes.hook_rules import ERROR, WARNING, check_hooks_toml
from omk_precommit.runtimes.kimi_code.agents import BUILTIN_PROFILES
from omk_precommit.runtimes.kimi_code.runtime import RUNTIME as KIMI_CODE
from omk_precommit.runtimes.kimi_code.toolnames import is_known_kimi_code_tool

MAX_SCAN_DEPTH = 8

AGENT_NAME_RE = re.compile(r'[a-z0-9]+(?:-[a-z0-9]+)*')
AGENT_FIELDS = ('name', 'description', 'whenToUse', 'tools', 'disallowedTools', 'subagents', 'override')
SKILL_TYPES = ('prompt', 'inline', 'flow', 'reference')
# Variables Kimi Code substitutes in an agent body; any other ${NAME} stays literal text.
PROMPT_VARIABLES = frozenset((
    'base_prompt', 'role_additional', 'product_name', 'reply_style_guide', 'notify_user_guidance', 'os',
    'windows_notes', 'shell', 'cwd', 'cwd_listing', 'agents_md', 'additional_dirs_info',
    'additional_dirs_section', 'skills', 'skills_section', 'plugin_sections',
))
_PROMPT_VARIABLE_RE = re.compile(r'\$\{([A-Za-z_][A-Za-z0-9_]*)\}')


def parse_frontmatter(text: str) -> tuple[Any, str]:
    """``(data, body)`` the way Kimi Code splits a file; data is None without an opening ``---``."""
    front = split_frontmatter(text, JAVASCRIPT_YAML_1_2)
    if front is None:
        return None, text
    if not front.block:
        return {}, front.body
    try:
        data = load_yaml(front.block)
    except yaml.YAMLError as e:
        raise FrontmatterError(str(e).replace('\n', ' ')) from None
    return ({} if data is None else data), front.body


def _problem(rel: str, message: str, severity: Severity = ERROR) -> Finding:
    return Finding(severity, rel, message)


def _decode(rel: str, data: bytes) -> tuple[str | None, list[Finding]]:
    try:
        return data.decode('utf-8'), []
    except UnicodeDecodeError:
        return None, [_problem(rel, 'is not UTF-8 text')]


def _string_list_problem(value: object, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return None
    if not isinstance(value, list):
        return f'Frontmatter field "{field}" must be a comma-separated string or a list of strings'
    if any(not isinstance(item, str) or not item.strip() for item in value):
        return f'Frontmatter field "{field}" must be a list of non-empty strings'
    return None


def _string_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(',') if item.strip()]
    return [item.strip() for item in value] if isinstance(value, list) else []


def _non_empty(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def check_agent_file(rel: str, data: bytes) -> list[Finding]:
    """Every reason Kimi Code would skip the agent file ``rel`` (errors) or ignore part of it."""
    text, problems = _decode(rel, data)
    if text is None:
        return problems
    try:
        front, body = parse_frontmatter(text)
    except FrontmatterError as e:
        return [_problem(rel, f'Invalid frontmatter: {e}')]
    if front is None:
        return [_problem(rel, 'Missing frontmatter: an agent file starts with a --- line, YAML fields, and ---')]
    if not isinstance(front, dict):
        return [_problem(rel, 'Frontmatter must be a mapping at the top level')]
    name_field = front.get('name')
    if name_field is not None and not isinstance(name_field, str):
        problems.append(_problem(rel, 'Frontmatter field "name" must be a non-empty string'))
    name = _non_empty(name_field) or PurePosixPath(rel).stem
    if not AGENT_NAME_RE.fullmatch(name):
        problems.append(_problem(rel, f'Invalid agent name "{name}": expected kebab-case (e.g. "code-reviewer")'))
    elif name in BUILTIN_PROFILES and front.get('override') is not True:
        problems.append(_problem(rel, f'agent "{name}" has the name of a Kimi Code built-in profile and is ignored; '
                                     'add "override: true" to replace the built-in, or rename it'))
    description = front.get('description')
    if description is not None and not isinstance(description, str):
        problems.append(_problem(rel, 'Frontmatter field "description" must be a non-empty string'))
    elif _non_empty(description) is None:
        problems.append(_problem(rel, 'Missing required frontmatter field "description"'))
    if front.get('override') is not None and not isinstance(front.get('override'), bool):
        problems.append(_problem(rel, 'Frontmatter field "override" must be a boolean'))
    for field in ('tools', 'disallowedTools', 'subagents'):
        why = _string_list_problem(front.get(field), field)
        if why is not None:
            problems.append(_problem(rel, why))
        elif field != 'subagents':
            for tool in _string_list(front.get(field)):
                if not is_known_kimi_code_tool(tool):
                    problems.append(_problem(rel, f'{field}: {tool!r} is not a Kimi Code tool, so it is ignored '
                                                 '(Kimi Code names: Read, Write, Edit, Grep, Glob, Bash, Agent, ...)',
                                            WARNING))
    if 'whenToUse' in front and front['whenToUse'] is not None and not isinstance(front['whenToUse'], str):
        problems.append(_problem(rel, 'Frontmatter field "whenToUse" is not a string and is ignored', WARNING))
    for key in front:
        if key not in AGENT_FIELDS:
            hint = ' (Kimi Code spells it whenToUse)' if str(key).lower().replace('-', '_') == 'when_to_use' else ''
            problems.append(_problem(rel, f'Frontmatter field "{key}" is ignored by Kimi Code{hint}', WARNING))
    if not body.strip():
        problems.append(_problem(rel, 'Missing prompt body: the system prompt goes after the closing ---'))
    for variable in sorted(set(_PROMPT_VARIABLE_RE.findall(body)) - PROMPT_VARIABLES):
        problems.append(_problem(rel, f'${{{variable}}} is not a Kimi Code prompt variable and stays as literal text',
                                WARNING))
    return problems


def check_skill_file(rel: str, data: bytes) -> list[Finding]:
    """Every reason Kimi Code would skip the skill file ``rel`` (a ``SKILL.md`` or a flat ``.md``)."""
    text, problems = _decode(rel, data)
    if text is None:
        return problems
    directory_skill = PurePosixPath(rel).name == 'SKILL.md'
    if directory_skill and re.split(r'\r?\n', text, maxsplit=1)[0].strip(JAVASCRIPT_WHITESPACE) != '---':
        return [_problem(rel, 'Missing frontmatter: SKILL.md must start with a --- line, then name and description')]
    try:
        front, body = parse_frontmatter(text)
    except FrontmatterError as e:
        return [_problem(rel, f'Invalid frontmatter: {e}')]
    front = {} if front is None else front
    if not isinstance(front, dict):
        return [_problem(rel, 'Frontmatter must be a mapping at the top level')]
    skill_type = front.get('type')
    if skill_type is not None and (not isinstance(skill_type, str) or skill_type.strip() not in SKILL_TYPES):
        problems.append(_problem(rel, f'skill type {skill_type!r} is not supported, so Kimi Code skips the skill; '
                                     f'use one of {", ".join(SKILL_TYPES)} or leave it out'))
    elif skill_type is not None and skill_type.strip() == 'reference':
        problems.append(_problem(rel, 'type: reference: Kimi Code loads the skill but never lists it to the model, '
                                      'so it is used only when something names it', WARNING))
    if directory_skill:
        for field in ('name', 'description'):
            if _non_empty(front.get(field)) is None:
                problems.append(_problem(rel, f'Missing required frontmatter field "{field}"'))
    elif not body.strip() and _non_empty(front.get('description')) is None:
        problems.append(_problem(rel, 'has no description and no body', WARNING))
    return problems


def _walk_md(directory: Path, depth: int = 0) -> Iterator[Path]:
    """``*.md`` files under ``directory`` in Kimi Code's order: sorted, depth <= 8, no dot entries."""
    if depth > MAX_SCAN_DEPTH or not directory.is_dir():
        return
    for entry in sorted(directory.iterdir(), key=lambda p: p.name):
        if entry.name.startswith('.') or entry.name == 'node_modules':
            continue
        if entry.is_dir():
            yield from _walk_md(entry, depth + 1)
        elif entry.name.endswith('.md') and entry.is_file():
            yield entry


def _skill_files(skills: Path, depth: int = 0) -> Iterator[Path]:
    """The files Kimi Code parses as skills: top-level ``*.md`` and ``<dir>/SKILL.md`` (sub-skills
    only below a skill whose frontmatter says ``has-sub-skill: true``)."""
    if depth > MAX_SCAN_DEPTH or not skills.is_dir():
        return
    entries = sorted(skills.iterdir(), key=lambda p: p.name)
    for entry in entries:
        if (entry / 'SKILL.md').is_file():
            yield entry / 'SKILL.md'
    if depth == 0:
        for entry in entries:
            if entry.name.endswith('.md') and entry.name != 'SKILL.md' and entry.is_file() \
                    and not (skills / entry.name[:-3] / 'SKILL.md').is_file():
                yield entry
    for entry in entries:
        if entry.name.startswith('.') or entry.name == 'node_modules' or not entry.is_dir():
            continue
        if (entry / 'SKILL.md').is_file() and not _has_sub_skills(entry / 'SKILL.md'):
            continue
        yield from _skill_files(entry, depth + 1)


def _has_sub_skills(skill_md: Path) -> bool:
    try:
        front, _ = parse_frontmatter(read_regular(skill_md).decode('utf-8'))
    except (OSError, UnicodeDecodeError, FrontmatterError):
        return False
    return isinstance(front, dict) and front.get('has-sub-skill') is True


def ignored_files(root: Path, base_dir: str = '.kimi-code') -> list[Path]:
    """Markdown files under ``agents/`` and ``skills/`` that Kimi Code never reads: it matches ``.md``
    case-sensitively, so ``agent.MD`` or ``notes.Md`` is skipped without a word."""
    found: list[Path] = []
    for sub in ('agents', 'skills'):
        directory = root / base_dir / sub
        if directory.is_dir():
            found += [path for path in sorted(directory.rglob('*'))
                      if path.suffix.lower() == '.md' and path.suffix != '.md' and path.is_file()
                      and not any(part.startswith('.') for part in path.relative_to(directory).parts)]
    return found


def agent_files(root: Path, base_dir: str = '.kimi-code') -> list[Path]:
    """The files Kimi Code reads as project agents, in its order."""
    return list(_walk_md(root / base_dir / 'agents'))


def skill_files(root: Path, base_dir: str = '.kimi-code') -> list[Path]:
    """The files Kimi Code reads as project skills."""
    return list(_skill_files(root / base_dir / 'skills'))


def check_kimi_code_project(root: Path, base_dir: str = '.kimi-code') -> list[Finding]:
    """Every agent file, skill and the hooks example under ``root/base_dir``, by Kimi Code's rules."""
    problems: list[Finding] = []
    base = root / base_dir

    def readable(path: Path) -> tuple[str, bytes | None]:
        rel = path.relative_to(root).as_posix()
        if not is_inside_root(root, path):
            problems.append(_problem(rel, 'resolves outside the project root through a symlink; not checked'))
            return rel, None
        try:
            return rel, read_regular(path)
        except NotRegularFileError as e:
            problems.append(_problem(rel, str(e.strerror)))
            return rel, None
        except OSError as e:
            problems.append(_problem(rel, f'cannot read ({e.strerror})'))
            return rel, None

    names: dict[str, str] = {}
    for path in agent_files(root, base_dir):
        rel, data = readable(path)
        if data is None:
            continue
        found = check_agent_file(rel, data)
        problems.extend(found)
        if any(p.severity == ERROR for p in found):
            continue
        front, _ = parse_frontmatter(data.decode('utf-8'))
        name = _non_empty(front.get('name')) or path.stem
        if name in names:
            problems.append(_problem(rel, f'agent name "{name}" is already used by {names[name]}, '
                                         'which wins; rename one of them', WARNING))
        else:
            names[name] = rel
    for path in skill_files(root, base_dir):
        rel, data = readable(path)
        if data is not None:
            problems.extend(check_skill_file(rel, data))
    for path in ignored_files(root, base_dir):
        rel = path.relative_to(root).as_posix()
        problems.append(_problem(rel, f'Kimi Code ignores this file: it reads only files ending in .md '
                                      f'(lower case); rename it to {path.stem}.md', WARNING))
    example = base / 'hooks.toml.example'
    if example.is_file():
        rel, data = readable(example)
        if data is not None:
            text, decode_problems = _decode(rel, data)
            problems.extend(decode_problems)
            if text is not None:
                problems.extend(check_hooks_toml(rel, text, KIMI_CODE))
    return problems
