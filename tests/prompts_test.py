"""A Kimi CLI system prompt without tags is not rendered: the shortcut never changes a verdict.

``render_problem`` hands a prompt to Jinja2 only when it holds the start of a tag with
kimi-cli's delimiters; these properties hold it to Jinja2's own answer for any text, tags or not.
"""
from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from omk_precommit.runtimes.kimi_cli.prompts import TAG_STARTS, jinja_problem, render_problem

# Text made mostly of the characters Jinja2's lexer reacts to, so tags, near-tags and broken ones are common.
PROMPT_TEXT = st.text(alphabet=st.sampled_from('${}%#-+ \n\tabx()[]|"\'=.'), max_size=40)


@settings(max_examples=400, deadline=None)
@given(text=PROMPT_TEXT)
@example(text='${ name }')
@example(text='{% if x %}')
@example(text='# {#anchor}')
@example(text='{{ secrets.X }} } %} #} $ {')
def test_render_problem_agrees_with_jinja2_on_any_text(tmp_path_factory, text: str):
    path = tmp_path_factory.getbasetemp() / 'system.md'
    assert render_problem(path, text, {}) == jinja_problem(path, text, {})


@settings(max_examples=200, deadline=None)
@given(text=PROMPT_TEXT.filter(lambda t: not any(start in t for start in TAG_STARTS)))
def test_text_without_a_tag_start_renders_as_itself(text: str):
    import jinja2

    env = jinja2.Environment(variable_start_string='${', variable_end_string='}', undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, lstrip_blocks=True, trim_blocks=True)
    assert env.from_string(text.strip()).render() == text.strip()
    assert render_problem(Path('system.md'), text, {}) is None
