"""Is a whole ``config.toml`` one the Kimi CLI will load?

TOML syntax here; the rest of the file by the runtime's own rules
(``Runtime.config_table_findings``: kimi-cli's pydantic model in ``runtimes/kimi_cli/config.py``,
nothing more for Kimi Code). Every ``[[hooks]]`` table is judged by ``hook_rules``; an error here
means the CLI refuses the file, so a hook that loads but never fires is only a warning.
"""
from __future__ import annotations

from omk_precommit.errors import OmkError
from omk_precommit.kimi_config.toml_hooks import parse
from omk_precommit.runtimes.hook_rules import ERROR, HOOKS_NOT_AN_ARRAY, WARNING, Problem, check_hook_table
from omk_precommit.runtimes.registry import Runtime, get_runtime


def config_findings(text: str, target: Runtime | str, name: str = 'config.toml') -> list[Problem]:
    """Everything that makes ``target`` refuse ``text`` (errors), or that it loads but ignores,
    coerces or never fires (warnings)."""
    try:
        data = parse(text, name).unwrap()
    except OmkError as e:
        return [Problem(name, str(e).split(': ', 1)[1])]
    findings = [Problem(name, e) for e in get_runtime(target).config_table_findings(data)]
    hooks = data.get('hooks', [])
    if not isinstance(hooks, list):
        return findings + [Problem(name, HOOKS_NOT_AN_ARRAY)]
    for index, table in enumerate(hooks):
        findings += [Problem(name, p.message, ERROR if p.refused else WARNING, p.fix)
                     for p in check_hook_table(table, index, target)]
    return findings
