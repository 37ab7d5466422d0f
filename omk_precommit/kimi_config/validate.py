"""Is a whole ``config.toml`` one the Kimi CLI will load?

Mirrors kimi-cli 1.52.0's ``Config`` model (pydantic, lax mode: unknown keys are ignored,
``1``/``"yes"`` are booleans, ``"30"`` is an integer) closely enough to name the mistakes that make
``kimi`` refuse to start: TOML syntax, the type of each known top-level key, required fields of
providers and models, and the model/provider cross references. For Kimi Code CLI only TOML
syntax is checked here. Every ``[[hooks]]`` table is judged by ``hook_rules``; an error here
means the CLI refuses the file, so a hook that loads but never fires is only a warning.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from omk_precommit.engine.findings import RULE_CONFIG, RULE_HOOKS, RULE_TOML, Effect, Finding, Severity
from omk_precommit.kimi_config.toml_hooks import InvalidToml, parse
from omk_precommit.runtimes.hook_rules import HOOKS_NOT_AN_ARRAY, check_hook_table, lax_int
from omk_precommit.runtimes.registry import KIMI_CLI

_BOOL_WORDS = {'0', 'off', 'f', 'false', 'n', 'no', '1', 'on', 't', 'true', 'y', 'yes'}
PROVIDER_TYPES = (
    'kimi', 'openai_legacy', 'openai_responses', 'anthropic', 'google_genai', 'gemini', 'vertexai',
    '_echo', '_scripted_echo', '_chaos',
)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool) or (isinstance(v, int) and v in (0, 1)) or (isinstance(v, str) and v.lower() in _BOOL_WORDS)


_TOP_LEVEL: dict[str, tuple[str, Callable[[Any], bool]]] = {
    **{k: ('a boolean', _is_bool) for k in (
        'default_thinking', 'default_yolo', 'skip_afk_prompt_injection', 'default_plan_mode',
        'show_thinking_stream', 'merge_all_available_skills', 'telemetry')},
    **{k: ('a string', lambda v: isinstance(v, str)) for k in ('default_model', 'default_editor')},
    'theme': ('"dark" or "light"', lambda v: v in ('dark', 'light')),
    **{k: ('a table', lambda v: isinstance(v, dict)) for k in (
        'models', 'providers', 'loop_control', 'background', 'notifications', 'services', 'mcp')},
    'extra_skill_dirs': ('an array of strings', lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
}


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _table_findings(data: dict[str, Any]) -> list[str]:
    errors = []
    for key, (expected, ok) in _TOP_LEVEL.items():
        if key in data and not ok(data[key]):
            errors.append(f'{key} must be {expected}')
    providers = _table(data, 'providers')
    for name, provider in providers.items():
        if not isinstance(provider, dict):
            errors.append(f'providers.{name} must be a table')
            continue
        if provider.get('type') not in PROVIDER_TYPES:
            errors.append(f'providers.{name}.type {provider.get("type")!r} is not a provider type')
        errors += [f'providers.{name}.{k} is missing or not a string' for k in ('base_url', 'api_key')
                   if not isinstance(provider.get(k), str)]
    models = _table(data, 'models')
    for name, model in models.items():
        if not isinstance(model, dict):
            errors.append(f'models.{name} must be a table')
            continue
        errors += [f'models.{name}.{k} is missing or not a string' for k in ('provider', 'model')
                   if not isinstance(model.get(k), str)]
        if lax_int(model.get('max_context_size')) is None:
            errors.append(f'models.{name}.max_context_size is missing or not an integer')
        if isinstance(model.get('provider'), str) and model['provider'] not in providers:
            errors.append(f'models.{name}.provider {model["provider"]!r} is not in [providers]')
    default_model = data.get('default_model')
    if isinstance(default_model, str) and default_model and default_model not in models:
        errors.append(f'default_model {default_model!r} is not in [models]')
    return errors


def config_findings(text: str, target: str, name: str = 'config.toml') -> list[Finding]:
    """Everything that makes ``target`` refuse ``text`` (errors), or that it loads but ignores,
    coerces or never fires (warnings); ``rule`` says whether a finding is about TOML syntax,
    ``[[hooks]]`` or another key."""
    try:
        data = parse(text, name).unwrap()
    except InvalidToml as e:
        return [Finding(Severity.ERROR, name, e.reason, rule=RULE_TOML)]
    findings = ([Finding(Severity.ERROR, name, e, rule=RULE_CONFIG) for e in _table_findings(data)]
                if target == KIMI_CLI else [])
    hooks = data.get('hooks', [])
    if not isinstance(hooks, list):
        return findings + [Finding(Severity.ERROR, name, HOOKS_NOT_AN_ARRAY, rule=RULE_HOOKS)]
    for index, table in enumerate(hooks):
        # Here an error means "the runtime refuses the file": a hook that loads but never fires is a warning.
        findings += [replace(f, severity=Severity.ERROR if f.effect is Effect.REFUSED else Severity.WARNING)
                     for f in check_hook_table(table, index, target, name)]
    return findings
