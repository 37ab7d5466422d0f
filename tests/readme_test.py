"""The README stays a front door (<= 250 lines) and every relative link in it and in docs/ resolves.

A link resolves when its file exists and, with ``#anchor``, when that file has a heading whose
GitHub slug is the anchor. Links inside fenced code blocks and inline code are not links.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from testing.cache import REPO_ROOT

README = REPO_ROOT / 'README.md'
MAX_README_LINES = 250

FENCE = re.compile(r'^\s*(```|~~~)')
INLINE_CODE = re.compile(r'(`+).+?\1')
LINK = re.compile(r'!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
HEADING = re.compile(r'^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$')


def prose_lines(text: str) -> list[str]:
    """The lines of a markdown file outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: rendered text, lowercased, punctuation dropped, spaces to hyphens."""
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', heading)  # a link's text
    text = re.sub(r'[`*]|(?<!\w)_|_(?!\w)', '', text)  # code and emphasis markers
    text = re.sub(r'[^\w\- ]', '', text.lower())
    return text.replace(' ', '-')


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a markdown file, duplicates numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found = set()
    for line in prose_lines(path.read_text(encoding='utf-8')):
        match = HEADING.match(line)
        if not match:
            continue
        slug = github_slug(match.group(1))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f'{slug}-{count}')
    return found


def links(path: Path) -> list[str]:
    """The link targets of a markdown file, outside code."""
    return [
        target
        for line in prose_lines(path.read_text(encoding='utf-8'))
        for target in LINK.findall(INLINE_CODE.sub('', line))
    ]


def broken_links(path: Path) -> list[str]:
    """``file: link: why`` for each relative link of ``path`` that leads nowhere."""
    problems = []
    for target in links(path):
        if re.match(r'[a-z][a-z0-9+.-]*:', target, re.IGNORECASE):
            continue  # https:, mailto: ...
        file_part, _, anchor = target.partition('#')
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            problems.append(f'{path.name}: {target}: no such file')
        elif anchor and linked.suffix == '.md' and anchor not in anchors(linked):
            problems.append(f'{path.name}: {target}: no heading with that anchor in {linked.name}')
    return problems


def markdown_files() -> list[Path]:
    return [README, *sorted((REPO_ROOT / 'docs').glob('*.md'))]


def test_readme_is_at_most_250_lines():
    lines = len(README.read_text(encoding='utf-8').splitlines())
    assert lines <= MAX_README_LINES, f'README.md has {lines} lines; move reference material to docs/'


@pytest.mark.parametrize('path', markdown_files(), ids=lambda p: p.name)
def test_every_relative_link_points_to_an_existing_file_and_heading(path):
    assert broken_links(path) == []


def test_every_docs_file_is_one_click_from_the_readme():
    linked = {(README.parent / t.partition('#')[0]).resolve() for t in links(README)}
    unlinked = [p.name for p in sorted((REPO_ROOT / 'docs').glob('*.md')) if p.resolve() not in linked]
    assert unlinked == []


@pytest.mark.parametrize(('heading', 'slug'), (
    ('Three-way sync', 'three-way-sync'),
    ('Kimi Code CLI (`--target kimi-code`)', 'kimi-code-cli---target-kimi-code'),
    ('The `kimi` command', 'the-kimi-command'),
    ('Why a check is cheap', 'why-a-check-is-cheap'),
    ('Install, sync, rollback', 'install-sync-rollback'),
    ('`migrate --to kimi-code`', 'migrate---to-kimi-code'),
    ('user_scope and [docs](x.md)', 'user_scope-and-docs'),
))
def test_github_slug(heading, slug):
    assert github_slug(heading) == slug


def test_broken_links_names_a_missing_file_a_missing_anchor_and_ignores_code(tmp_path):
    (tmp_path / 'other.md').write_text('# Other\n\n## A section\n\n## A section\n')
    page = tmp_path / 'page.md'
    page.write_text(
        '# Page\n\n'
        '[ok](other.md#a-section) [ok too](other.md#a-section-1) [self](#page) [web](https://example.com/x)\n'
        '[gone](missing.md) [no anchor](other.md#nowhere) [no self anchor](#nowhere)\n'
        '`[in code](missing.md)`\n\n'
        '```md\n[fenced](missing.md)\n```\n',
    )
    assert broken_links(page) == [
        'page.md: missing.md: no such file',
        'page.md: other.md#nowhere: no heading with that anchor in other.md',
        'page.md: #nowhere: no heading with that anchor in page.md',
    ]
