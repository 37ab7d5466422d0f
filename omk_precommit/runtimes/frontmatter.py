"""YAML frontmatter, the one reader: ``---`` on the first line, YAML up to the next ``---`` line, then the body.

Kimi CLI (skills) and Kimi Code (agent files, skills) agree on the fences (a line that is ``---``
but for surrounding spaces) and differ in two details, which each runtime passes as its
:class:`Dialect`: what ends a line (Python's ``str.splitlines`` against JavaScript's ``\\r?\\n``) and
the YAML version (PyYAML's 1.1 booleans against js-yaml's 1.2). What a missing or broken
frontmatter means, and how to word it, stays with each runtime's rules.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml


class FrontmatterError(ValueError):
    """The frontmatter cannot be read; the message says why."""


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 booleans, as js-yaml reads them: only true/false
    are booleans, so ``yes``, ``no``, ``on`` and ``off`` stay strings."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != 'tag:yaml.org,2002:bool']
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    'tag:yaml.org,2002:bool', re.compile(r'^(?:true|True|TRUE|false|False|FALSE)$'), list('tTfF'))


class Dialect(NamedTuple):
    """How a runtime reads frontmatter: what ends a line, and which YAML loader reads the block."""

    line_break: re.Pattern[str]
    loader: type[yaml.SafeLoader]


# Python's str.splitlines (Kimi CLI) and JavaScript's split(/\r?\n/) with js-yaml (Kimi Code).
PYTHON_YAML_1_1 = Dialect(re.compile('\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]'), yaml.SafeLoader)
JAVASCRIPT_YAML_1_2 = Dialect(re.compile(r'\r?\n'), Yaml12Loader)


@dataclass(frozen=True)
class Frontmatter:
    """The fenced block of a file: its YAML ``block`` (stripped), the ``body`` after the closing
    fence (lines joined by ``\\n``), and ``closing_fence``, the offset in the text where that fence's line starts."""

    block: str
    body: str
    closing_fence: int


def split_frontmatter(text: str, dialect: Dialect) -> Frontmatter | None:
    """The frontmatter of ``text``; None when the first line is not ``---``, FrontmatterError when no line closes it."""
    lines = _lines(text, dialect.line_break)
    first = next(lines, None)
    if first is None or first[1].strip() != '---':
        return None
    block: list[str] = []
    for start, line in lines:
        if line.strip() == '---':
            return Frontmatter('\n'.join(block).strip(), '\n'.join(rest for _, rest in lines), start)
        block.append(line)
    raise FrontmatterError('Missing closing frontmatter fence')


def load_yaml(text: str, dialect: Dialect = JAVASCRIPT_YAML_1_2) -> Any:
    """``text`` parsed by ``dialect``'s YAML loader; yaml.YAMLError when invalid."""
    return yaml.load(text, Loader=dialect.loader)  # noqa: S506 - SafeLoader or a SafeLoader subclass


def _lines(text: str, line_break: re.Pattern[str]) -> Iterator[tuple[int, str]]:
    """(offset, line) of each line of ``text``, the line without its line break (as ``re.split`` cuts them)."""
    start = 0
    for match in line_break.finditer(text):
        yield start, text[start:match.start()]
        start = match.end()
    yield start, text[start:]
