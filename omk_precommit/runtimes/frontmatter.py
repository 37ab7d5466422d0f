"""YAML frontmatter, the one reader: ``---`` on the first line, YAML up to the next ``---`` line, then the body.

Kimi CLI (skills) and Kimi Code (agent files, skills) agree on the fences (a line that is ``---``
but for surrounding spaces) and differ in two details, which each runtime passes as its
:class:`Dialect`: what ends a line (Python's ``str.splitlines`` against JavaScript's ``\\r?\\n``) and
the YAML version (PyYAML's 1.1 booleans against js-yaml's 1.2). What a missing or broken
frontmatter means, and how to word it, stays with each runtime's rules.
"""
from __future__ import annotations

import collections.abc
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml


class FrontmatterError(ValueError):
    """The frontmatter cannot be read; the message says why."""


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader reading YAML the way js-yaml 4 (Kimi Code) does: YAML 1.2 core booleans
    (only true/false, so ``yes``, ``no``, ``on`` and ``off`` stay strings) and numbers (``1e3`` is a
    number, ``1:30`` a string), a tab after an indicator is separation space (``key:<TAB>value``;
    PyYAML and ruamel.yaml both refuse it), and a duplicated key is an error (js-yaml throws)."""

    def scan_to_next_token(self) -> None:
        # PyYAML's own loop, but a tab counts as space once the line's indentation is behind us.
        if self.index == 0 and self.peek() == '\uFEFF':
            self.forward()
        found = False
        while not found:
            while self.peek() == ' ' or (self.peek() == '\t' and self._past_indentation()):
                self.forward()
            if self.peek() == '#':
                while self.peek() not in '\0\r\n\x85\u2028\u2029':
                    self.forward()
            if self.scan_line_break():
                if not self.flow_level:
                    self.allow_simple_key = True
            else:
                found = True

    def _past_indentation(self) -> bool:
        line = self.buffer[self.pointer - self.column:self.pointer]
        return bool(line.strip(' '))

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, collections.abc.Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    'while constructing a mapping', node.start_mark, f'duplicated mapping key {key!r}', key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


_REPLACED_TAGS = {'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float'}
Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    'tag:yaml.org,2002:bool', re.compile(r'^(?:true|True|TRUE|false|False|FALSE)$'), list('tTfF'))
# js-yaml's YAML_INTEGER (decimal, 0b, 0o, 0x; underscores allowed) and YAML_FLOAT_PATTERN.
Yaml12Loader.add_implicit_resolver(
    'tag:yaml.org,2002:int', re.compile(r'^(?:[-+]?0b[0-1_]+|[-+]?0o[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[0-9][0-9_]*)$'),
    list('-+0123456789'))
Yaml12Loader.add_implicit_resolver(
    'tag:yaml.org,2002:float',
    re.compile(r'^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?'
               r'|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$'),
    list('-+0123456789.'))


def _construct_yaml12_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    value = str(loader.construct_scalar(node)).replace('_', '')
    sign = -1 if value.startswith('-') else 1
    digits = value.lstrip('+-')
    base = {'0b': 2, '0o': 8, '0x': 16}.get(digits[:2].lower(), 10)
    return sign * int(digits[2:] if base != 10 else digits, base)


Yaml12Loader.add_constructor('tag:yaml.org,2002:int', _construct_yaml12_int)


class Dialect(NamedTuple):
    """How a runtime reads frontmatter: what ends a line, and which YAML loader reads the block."""

    line_break: re.Pattern[str]
    loader: type[yaml.SafeLoader]
    blank: str | None = None  # what strip() removes around a fence; None: Python's whitespace


# Python's str.splitlines (Kimi CLI) and JavaScript's split(/\r?\n/) with js-yaml (Kimi Code).
PYTHON_YAML_1_1 = Dialect(re.compile('\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]'), yaml.SafeLoader)
# JavaScript's trim() also removes a byte-order mark, so a file starting with one still has frontmatter.
JAVASCRIPT_WHITESPACE = ' \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009' \
                        '\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
JAVASCRIPT_YAML_1_2 = Dialect(re.compile(r'\r?\n'), Yaml12Loader, JAVASCRIPT_WHITESPACE)


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
    if first is None or first[1].strip(dialect.blank) != '---':
        return None
    block: list[str] = []
    for start, line in lines:
        if line.strip(dialect.blank) == '---':
            return Frontmatter('\n'.join(block).strip(dialect.blank), '\n'.join(rest for _, rest in lines), start)
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
