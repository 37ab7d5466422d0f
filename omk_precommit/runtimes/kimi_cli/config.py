"""The Python Kimi CLI's rules for a whole ``config.toml`` beyond its ``[[hooks]]``.

Mirrors kimi-cli 1.52.0's ``Config`` model (pydantic, lax mode: unknown keys are ignored,
``1``/``"yes"`` are booleans, ``"30"`` is an integer) closely enough to name the mistakes that make
``kimi`` refuse to start: the type of each known top-level key, required fields of providers and
models, and the model/provider cross references.
"""
from __future__ import annotations

from typing import Any, Callable

from omk_precommit.runtimes.hook_rules import lax_int

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


def config_table_findings(data: dict[str, Any]) -> list[str]:
    """Why kimi-cli would refuse the config ``data`` (besides its hooks), one message each."""
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
