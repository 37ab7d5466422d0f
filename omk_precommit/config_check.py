"""Is a whole ``config.toml`` one the Kimi CLI will load?

Mirrors kimi-cli 1.52.0's ``Config`` model (pydantic, lax mode: unknown keys are ignored,
``1``/``"yes"`` are booleans, ``"30"`` is an integer) closely enough to name the mistakes that make
``kimi`` refuse to start: TOML syntax, the type of each known top-level key, required fields of
providers and models, the model/provider cross references, and every ``[[hooks]]`` table. For
Kimi Code CLI only TOML syntax and its strict ``[[hooks]]`` schema are checked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from omk_precommit.errors import OmkError
from omk_precommit.targets import HOOK_KEYS, KIMI_CODE, Target, get_target
from omk_precommit.toml_hooks import parse

_BOOL_WORDS = {'0', 'off', 'f', 'false', 'n', 'no', '1', 'on', 't', 'true', 'y', 'yes'}
PROVIDER_TYPES = (
    'kimi', 'openai_legacy', 'openai_responses', 'anthropic', 'google_genai', 'gemini', 'vertexai',
    '_echo', '_scripted_echo', '_chaos',
)


@dataclass(frozen=True)
class ConfigFinding:
    """One problem in a config: ``error`` when the CLI refuses the file, ``warning`` when a hook is inert."""

    severity: str
    message: str


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool) or (isinstance(v, int) and v in (0, 1)) or (isinstance(v, str) and v.lower() in _BOOL_WORDS)


def _as_int(v: Any) -> int | None:
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and re.fullmatch(r'\s*[+-]?\d+\s*', v):
        return int(v)
    return None


_TOP_LEVEL: dict[str, tuple[str, Callable[[Any], bool]]] = {
    **{k: ('a boolean', _is_bool) for k in (
        'default_thinking', 'default_yolo', 'skip_afk_prompt_injection', 'default_plan_mode',
        'show_thinking_stream', 'merge_all_available_skills', 'telemetry')},
    **{k: ('a string', lambda v: isinstance(v, str)) for k in ('default_model', 'default_editor')},
    'theme': ('"dark" or "light"', lambda v: v in ('dark', 'light')),
    **{k: ('a table', lambda v: isinstance(v, dict)) for k in (
        'models', 'providers', 'loop_control', 'background', 'notifications', 'services', 'mcp')},
    'hooks': ('an array of [[hooks]] tables', lambda v: isinstance(v, list)),
    'extra_skill_dirs': ('an array of strings', lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
}


def hook_findings(hook: Any, where: str, cli: Target) -> list[ConfigFinding]:
    """What is wrong with one ``[[hooks]]`` table for ``cli``."""
    if not isinstance(hook, dict):
        return [ConfigFinding('error', f'{where} must be a table')]
    errors = []
    if hook.get('event') not in cli.hook_events:
        errors.append(f'{where}: event {hook.get("event")!r} is not a {cli.product} hook event')
    command = hook.get('command')
    if not isinstance(command, str) or (cli.strict_hook_keys and not command.strip()):
        errors.append(f'{where}: command is missing or not a string')
    matcher = hook.get('matcher', '')
    if not isinstance(matcher, str):
        errors.append(f'{where}: matcher must be a string')
    timeout = _as_int(hook.get('timeout', 30))
    if timeout is None or not 1 <= timeout <= 600:
        errors.append(f'{where}: timeout must be an integer from 1 to 600, not {hook.get("timeout")!r}')
    if cli.strict_hook_keys:
        errors += [f'{where}: {cli.product} rejects the key {k!r}' for k in hook if k not in HOOK_KEYS]
    findings = [ConfigFinding('error', e) for e in errors]
    if isinstance(matcher, str) and matcher:
        try:
            re.compile(matcher)
        except re.error as e:
            message = f'{where}: matcher {matcher!r} is not a valid regex ({e}); the hook never runs'
            findings.append(ConfigFinding('warning', message))
    return findings


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
        if _as_int(model.get('max_context_size')) is None:
            errors.append(f'models.{name}.max_context_size is missing or not an integer')
        if isinstance(model.get('provider'), str) and model['provider'] not in providers:
            errors.append(f'models.{name}.provider {model["provider"]!r} is not in [providers]')
    default_model = data.get('default_model')
    if isinstance(default_model, str) and default_model and default_model not in models:
        errors.append(f'default_model {default_model!r} is not in [models]')
    return errors


def config_findings(text: str, target: str, name: str = 'config.toml') -> list[ConfigFinding]:
    """Everything that makes ``target`` refuse ``text`` (errors) or ignore one of its hooks (warnings)."""
    cli = get_target(target)
    try:
        data = parse(text, name).unwrap()
    except OmkError as e:
        return [ConfigFinding('error', str(e).split(': ', 1)[1])]
    findings = [] if target == KIMI_CODE else [ConfigFinding('error', e) for e in _table_findings(data)]
    hooks = data.get('hooks', [])
    if isinstance(hooks, list):
        for index, hook in enumerate(hooks):
            findings += hook_findings(hook, f'hooks[{index}]', cli)
    elif target == KIMI_CODE:
        findings.append(ConfigFinding('error', 'hooks must be an array of [[hooks]] tables'))
    return findings
