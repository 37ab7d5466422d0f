"""The one frontmatter reader, in each runtime's dialect, and the lenient reading of spec references."""
from __future__ import annotations

import pytest

from omk_precommit.runtimes.frontmatter import (
    JAVASCRIPT_YAML_1_2,
    PYTHON_YAML_1_1,
    FrontmatterError,
    load_yaml,
    split_frontmatter,
)
from omk_precommit.runtimes.kimi_cli.agentspec import SpecReferences, spec_references
from omk_precommit.runtimes.kimi_cli.skills import parse_frontmatter as kimi_cli_frontmatter
from omk_precommit.runtimes.kimi_code.convert import complete_skill_frontmatter
from omk_precommit.runtimes.kimi_code.rules import parse_frontmatter as kimi_code_frontmatter


def test_the_block_body_and_closing_fence_are_read_once_for_both_runtimes() -> None:
    text = '--- \r\nname: a\r\n\r\n---\r\nbody\n'
    for dialect in (PYTHON_YAML_1_1, JAVASCRIPT_YAML_1_2):
        front = split_frontmatter(text, dialect)
        assert front is not None and front.block == 'name: a' and text[front.closing_fence:].startswith('---')
    assert split_frontmatter('no fence\n', JAVASCRIPT_YAML_1_2) is None
    with pytest.raises(FrontmatterError, match='closing'):
        split_frontmatter('---\nname: a\n', PYTHON_YAML_1_1)


def test_each_runtime_keeps_its_own_line_breaks_and_yaml_version() -> None:
    text = '---\rname: a\rdescription: yes\r---\rbody'  # a lone CR ends a line for Python, not for JavaScript
    assert kimi_cli_frontmatter(text) == {'name': 'a', 'description': True}
    assert kimi_code_frontmatter(text) == (None, text)
    assert load_yaml('v: yes', PYTHON_YAML_1_1) == {'v': True}
    assert load_yaml('v: yes', JAVASCRIPT_YAML_1_2) == {'v': 'yes'}


def test_migrate_fills_missing_fields_in_front_of_the_closing_fence() -> None:
    text, notes = complete_skill_frontmatter('---\r\nname: deploy\r\n---\r\n# Deploy safely\r\n', 'deploy')
    assert text == '---\r\nname: deploy\r\ndescription: "Deploy safely"\n---\r\n# Deploy safely\r\n' and notes


@pytest.mark.parametrize(('text', 'expected'), [
    ('version: 1\nagent:\n  extend: ../base.yaml\n  system_prompt_path: ./s.md\n'
     '  subagents: {a: {path: ./a.yaml, description: x}, b: oops}\n',
     SpecReferences('../base.yaml', './s.md', ('./a.yaml',))),
    ('version: 1\nagent: {extend: default}\n', SpecReferences(None, None, ())),
    ('agent: [unclosed\n', SpecReferences(None, None, ())),
    ('just text', SpecReferences(None, None, ())),
])
def test_spec_references_are_read_leniently(text: str, expected: SpecReferences) -> None:
    assert spec_references(text) == expected
