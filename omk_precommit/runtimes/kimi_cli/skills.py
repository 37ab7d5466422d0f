"""Doctor checks for ``.kimi/skills/``: the layouts Kimi CLI discovers, held to the Agent Skills rules.

Kimi CLI 1.52 discovers ``<name>/SKILL.md`` and flat ``<name>.md`` files and is lenient: a skill
without frontmatter or description silently gets its first body line as description, one it
cannot parse is silently skipped, and names are free-form. The doctor holds every skill to the
Agent Skills specification instead: YAML frontmatter with a ``name`` of lowercase letters,
digits and single hyphens (at most 64 characters) equal to the directory or file name, and a
non-empty ``description`` of at most 1024 characters.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from omk_precommit.engine.findings import DiagResult, Findings
from omk_precommit.engine.fsutil import file_kind
from omk_precommit.engine.paths import is_inside_root
from omk_precommit.runtimes.frontmatter import PYTHON_YAML_1_1, FrontmatterError, load_yaml, split_frontmatter
from omk_precommit.runtimes.kimi_cli.agentspec import yaml_problem
from omk_precommit.runtimes.readers import not_regular_fix, read_project_text

SKILL_FILE = 'SKILL.md'
MAX_NAME = 64
MAX_DESCRIPTION = 1024
SKILL_TYPES = ('standard', 'flow')
_NAME = re.compile(r'[a-z0-9]+(?:-[a-z0-9]+)*')
_DIAGRAM_FENCE = re.compile(r'^\s*(```|~~~)\s*(mermaid|d2)\b', re.MULTILINE)


def parse_frontmatter(text: str) -> dict[str, Any]:
    """The YAML mapping between a first ``---`` line and the next one, as Kimi CLI reads it."""
    try:
        front = split_frontmatter(text, PYTHON_YAML_1_1)
    except FrontmatterError:
        raise FrontmatterError('frontmatter is not closed by a `---` line, so Kimi CLI reads the file as body only') \
            from None
    if front is None:
        raise FrontmatterError('has no YAML frontmatter (a first line `---`, then name and description, then `---`)')
    if not front.block:
        raise FrontmatterError('frontmatter is empty')
    try:
        data = load_yaml(front.block, PYTHON_YAML_1_1)
    except yaml.YAMLError as e:
        problem = yaml_problem(e, first_line=2)
        raise FrontmatterError(f'frontmatter is not valid YAML ({problem}); Kimi CLI skips the skill') from None
    if not isinstance(data, dict):
        raise FrontmatterError('frontmatter must be a YAML mapping; Kimi CLI skips the skill')
    return data


def check_skills(root: Path, base_dir: str) -> list[DiagResult]:
    """One result per problem of every skill under ``<base_dir>/skills``, or one ok per skill."""
    findings = Findings('skills')
    rel_dir = f'{base_dir}/skills'
    skills_dir = root / rel_dir
    if os.path.lexists(skills_dir) and not skills_dir.is_dir():
        kind = 'a broken symlink' if skills_dir.is_symlink() and not skills_dir.exists() else file_kind(skills_dir.stat().st_mode)
        # Kimi CLI finds no skills, and no sync can write the bundled skill through it (omk 0.5.0 warns too).
        findings.error(rel_dir, f'invalid skills path: {kind}, which is not a directory, so Kimi CLI finds no '
                                'project skills and omk-kimi sync cannot write the bundled one',
                       f'move it aside (mv {rel_dir} {rel_dir}.old) and run omk-kimi sync')
        return findings.results
    if not skills_dir.is_dir():
        findings.ok(rel_dir, 'no project skills')
        return findings.results
    if not is_inside_root(root, skills_dir):
        findings.error(rel_dir, 'resolves outside the project root through a symlink',
                       f'replace the link {rel_dir} with a directory')
        return findings.results
    entries = sorted(skills_dir.iterdir())
    directories = {e.name.casefold() for e in entries if e.is_dir() and (e / SKILL_FILE).is_file()}
    for entry in entries:
        rel = f'{rel_dir}/{entry.name}'
        if not is_inside_root(root, entry):
            findings.error(rel, 'resolves outside the project root through a symlink', f'replace the link {rel}')
        elif entry.is_dir():
            _check_directory(entry, rel, root, findings)
        elif entry.name.upper() == SKILL_FILE.upper():
            findings.error(rel, f'a {SKILL_FILE} directly in skills/ belongs to no skill; Kimi CLI ignores it',
                           f'move it to {rel_dir}/<skill-name>/{SKILL_FILE}')
        elif entry.name.lower().endswith('.md'):
            stem = entry.name[:-3]
            if stem.casefold() in directories:
                findings.error(rel, f'shadowed by the skill directory {rel_dir}/{stem}/; Kimi CLI ignores this file',
                               f'remove {rel} or merge it into {rel_dir}/{stem}/{SKILL_FILE}')
            else:
                _check_skill_file(entry, rel, stem, root, findings)
    return findings.results


def _check_directory(directory: Path, rel: str, root: Path, findings: Findings) -> None:
    skill_md = directory / SKILL_FILE
    if skill_md.is_file():
        _check_skill_file(skill_md, f'{rel}/{SKILL_FILE}', directory.name, root, findings)
        return
    misnamed = sorted(p.name for p in directory.iterdir() if p.name.upper() == SKILL_FILE.upper())
    if skill_md.exists() and not skill_md.is_dir():  # a FIFO, socket or device: never opened
        findings.error(f'{rel}/{SKILL_FILE}', f'is not a regular file ({file_kind(skill_md.stat().st_mode)}), '
                                              'so Kimi CLI ignores the skill', not_regular_fix(f'{rel}/{SKILL_FILE}'))
    elif os.path.lexists(skill_md):  # a broken symlink (e.g. to a file the commit does not hold) or a directory
        findings.error(f'{rel}/{SKILL_FILE}', 'is not a file (a broken symlink or a directory), so Kimi CLI ignores the skill',
                       f'make {rel}/{SKILL_FILE} a file with name and description frontmatter')
    elif misnamed:
        findings.error(f'{rel}/{misnamed[0]}', f'must be named exactly {SKILL_FILE}; Kimi CLI does not find {misnamed[0]}',
                       f'git mv {rel}/{misnamed[0]} {rel}/{SKILL_FILE}')
    else:
        findings.error(rel, f'skill directory has no {SKILL_FILE}, so Kimi CLI ignores it',
                       f'add {rel}/{SKILL_FILE} with name and description frontmatter, or remove the directory')


def _check_skill_file(path: Path, rel: str, expected_name: str, root: Path, findings: Findings) -> None:
    fix = f'edit the frontmatter of {rel}'
    text = read_project_text(root, path, rel, findings)
    if text is None:
        return
    try:
        frontmatter = parse_frontmatter(text)
    except FrontmatterError as e:
        findings.error(rel, str(e), f'start {rel} with ---, name: {expected_name}, description: ..., ---')
        return
    name = frontmatter.get('name')
    if not name:
        findings.error(rel, 'frontmatter has no `name`', f'{fix}: add name: {expected_name}')
    elif not isinstance(name, str):
        findings.error(rel, f'`name` must be a string, not {type(name).__name__}; Kimi CLI skips the skill', fix)
    elif len(name) > MAX_NAME or not _NAME.fullmatch(name):
        findings.error(rel, f'name {name!r} breaks the Agent Skills rules: at most {MAX_NAME} lowercase letters, '
                            'digits and single hyphens, not starting or ending with a hyphen', fix)
    elif name != expected_name:
        findings.error(rel, f'name {name!r} must equal the skill\'s directory or file name {expected_name!r}',
                       f'{fix}: name: {expected_name}, or rename the skill')
    _check_description(frontmatter.get('description'), rel, fix, findings)
    skill_type = frontmatter.get('type') or 'standard'
    if skill_type not in SKILL_TYPES:
        findings.error(rel, f'type {skill_type!r} is not standard or flow; Kimi CLI skips the skill', fix)
    elif skill_type == 'flow' and not _DIAGRAM_FENCE.search(text):
        findings.warning(rel, 'a flow skill needs a mermaid or d2 code block; Kimi CLI treats it as a standard skill',
                         f'add a ```mermaid flowchart to {rel}, or remove `type: flow`')
    if not findings.has_problems(rel):
        findings.ok(rel, f'skill {name!r}')


def _check_description(description: object, rel: str, fix: str, findings: Findings) -> None:
    if description is None or description == '':
        findings.error(rel, 'frontmatter has no `description`; Kimi CLI would show the first body line instead',
                       f'{fix}: add description: <what the skill does and when to use it>')
    elif not isinstance(description, str):
        findings.error(rel, f'`description` must be a string, not {type(description).__name__}; '
                            'Kimi CLI skips the skill', fix)
    elif not description.strip():
        findings.error(rel, '`description` is blank', fix)
    elif len(description) > MAX_DESCRIPTION:
        findings.error(rel, f'description has {len(description)} characters; '
                            f'the Agent Skills limit is {MAX_DESCRIPTION}', fix)
