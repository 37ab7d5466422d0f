"""Is a whole ``config.toml`` one the Kimi CLI will load?

TOML syntax here; the rest of the file by the runtime's own rules
(``Runtime.config_table_findings``: kimi-cli's pydantic model in ``runtimes/kimi_cli/config.py``,
nothing more for Kimi Code). Every ``[[hooks]]`` table is judged by ``hook_rules``; an error here
means the CLI refuses the file, so a hook that loads but never fires is only a warning.
"""
from __future__ import annotations

from dataclasses import replace

from omk_precommit.engine.findings import RULE_CONFIG, RULE_HOOKS, RULE_TOML, Effect, Finding, Severity
from omk_precommit.kimi_config.toml_hooks import InvalidToml, parse
from omk_precommit.runtimes.hook_rules import HOOKS_NOT_AN_ARRAY, check_hook_table
from omk_precommit.runtimes.registry import Runtime, get_runtime


def config_findings(text: str, target: Runtime | str, name: str = 'config.toml') -> list[Finding]:
    """Everything that makes ``target`` refuse ``text`` (errors), or that it loads but ignores,
    coerces or never fires (warnings); ``rule`` says whether a finding is about TOML syntax,
    ``[[hooks]]`` or another key."""
    try:
        data = parse(text, name).unwrap()
    except InvalidToml as e:
        return [Finding(Severity.ERROR, name, e.reason, rule=RULE_TOML)]
    runtime = get_runtime(target)
    findings = [Finding(Severity.ERROR, name, e, rule=RULE_CONFIG) for e in runtime.config_table_findings(data)]
    hooks = data.get('hooks', [])
    if not isinstance(hooks, list):
        return findings + [Finding(Severity.ERROR, name, HOOKS_NOT_AN_ARRAY, rule=RULE_HOOKS)]
    for index, table in enumerate(hooks):
        # Here an error means "the runtime refuses the file": a hook that loads but never fires is a warning.
        findings += [replace(f, severity=Severity.ERROR if f.effect is Effect.REFUSED else Severity.WARNING)
                     for f in check_hook_table(table, index, runtime, name)]
    return findings
