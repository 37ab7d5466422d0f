"""A kimi-cli system prompt rendered as kimi-cli 1.52.0 renders it: is it a template that works?

kimi-cli's ``_load_system_prompt`` (``kimi_cli/soul/agent.py``) strips the file, compiles it with
Jinja2 (``${`` ``}`` variable delimiters, ``StrictUndefined``, ``trim_blocks``, ``lstrip_blocks``,
``keep_trailing_newline``, a ``FileSystemLoader`` rooted at the prompt's folder) and renders it with
its built-in arguments and the spec's ``system_prompt_args``; any error stops the CLI. So a ``{#``
in a Markdown heading anchor, ``${{ secrets.X }}`` from GitHub Actions docs, bash's ``${#arr[@]}``
or an unterminated ``${`` breaks the agent, while filters with defaults and ``{% set %}`` work.

Jinja2 is the real engine, so we render with it too, imported here only (the doctor's other
checks and the commit-time drift check never pay for it). One difference on purpose: the
environment is Jinja2's sandbox, because the doctor runs on checkouts it does not trust;
a template that reaches for Python internals (``__class__``) is reported instead of run.

A prompt holding none of the three tag starts (``${``, ``{%``, ``{#``) is plain text, which
renders as itself whatever the arguments; it is not handed to Jinja2, whose import alone costs
more than the rest of a doctor run's checks (the bundled prompts are all plain text).
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from omk_precommit.runtimes.kimi_cli.facts import BUILTIN_PROMPT_ARGS

TAG_STARTS = ('${', '{%', '{#')  # of a variable, a block and a comment, with kimi-cli's delimiters


def render_problem(path: Path, text: str, args: Mapping[str, str]) -> str | None:
    """Why kimi-cli would refuse the prompt ``text`` read from ``path``, in its own words, or None."""
    if not any(start in text for start in TAG_STARTS):
        return None
    return jinja_problem(path, text, args)


def jinja_problem(path: Path, text: str, args: Mapping[str, str]) -> str | None:
    """``render_problem``, always rendering with Jinja2."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(path.parent), keep_trailing_newline=True, lstrip_blocks=True,
        trim_blocks=True, variable_start_string='${', variable_end_string='}', undefined=jinja2.StrictUndefined,
    )
    builtin = {name: f'<{name}>' for name in BUILTIN_PROMPT_ARGS}
    try:
        env.from_string(text.strip()).render(builtin, **args)
    except jinja2.UndefinedError as e:
        return f'Missing system prompt arg: {e}'
    except jinja2.TemplateSyntaxError as e:
        return f'Invalid system prompt template: {e.message} (line {e.lineno})'
    except jinja2.TemplateError as e:
        return f'Invalid system prompt template: {type(e).__name__}: {e}'
    except (RecursionError, MemoryError):
        return 'Invalid system prompt template: it includes itself without end'
    except Exception as e:  # noqa: BLE001 - a runtime error in the template (1/0) stops kimi-cli too
        return f'the template fails while rendering: {type(e).__name__}: {e}'
    return None


def included_templates(text: str) -> list[str] | None:
    """The templates the prompt ``text`` includes, imports or extends by a literal name (relative to
    its folder, the loader's root); None when one is named by an expression. A prompt that does not
    parse includes nothing (``render_problem`` reports it)."""
    if '{%' not in text:
        return []
    import jinja2
    from jinja2 import meta

    env = jinja2.Environment(variable_start_string='${', variable_end_string='}', lstrip_blocks=True, trim_blocks=True)
    try:
        names = list(meta.find_referenced_templates(env.parse(text.strip())))
    except jinja2.TemplateSyntaxError:
        return []
    return None if None in names else [name for name in names if name is not None]
