"""The Kimi CLI facts the doctor keeps as data are what the real kimi-cli 1.52.0 ships."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from omk_precommit.commands.install import install_project_assets
from omk_precommit.doctor import Severity, diagnose_project
from omk_precommit.runtimes import hook_rules, registry
from omk_precommit.runtimes.hookdefs import HookEvent
from omk_precommit.runtimes.kimi_cli import facts as kimi_cli_facts
from testing.kimi_cli import kimi_cli_python, run_judge
from testing.pathenv import path_without

FACTS_SCRIPT = '''
import dataclasses, importlib, importlib.metadata, inspect, json, pkgutil
import jinja2
import kimi_cli.tools
from kosong.tooling import CallableTool, CallableTool2
from kimi_cli.agentspec import DEFAULT_AGENT_FILE, load_agent_spec
from kimi_cli.hooks.config import HOOK_EVENT_TYPES, HookDef
from kimi_cli.soul.agent import BuiltinSystemPromptArgs

tools = set()
tool_names = set()
modules = ["kimi_cli.tools"] + [m.name for m in pkgutil.walk_packages(kimi_cli.tools.__path__, "kimi_cli.tools.")]
for name in modules:
    module = importlib.import_module(name)
    for attr, obj in vars(module).items():
        bases = (CallableTool, CallableTool2)
        if inspect.isclass(obj) and issubclass(obj, bases) and obj not in bases:
            tools.add(f"{name}:{attr}")
            if isinstance(getattr(obj, "name", None), str):
                tool_names.add(obj.name)
default = load_agent_spec(DEFAULT_AGENT_FILE)
timeout = {type(m).__name__: getattr(m, type(m).__name__.lower()) for m in HookDef.model_fields["timeout"].metadata}
print(json.dumps({
    "version": importlib.metadata.version("kimi-cli"),
    "tools": sorted(tools),
    "tool_names": sorted(tool_names),
    "default_name": default.name,
    "default_tools": default.tools,
    "default_args": default.system_prompt_args,
    "default_subagents": {k: v.description for k, v in default.subagents.items()},
    "builtin_args": sorted(f.name for f in dataclasses.fields(BuiltinSystemPromptArgs)),
    "jinja_globals": sorted(jinja2.Environment().globals),
    "hook_events": HOOK_EVENT_TYPES,
    "hook_fields": sorted(HookDef.model_fields),
    "hook_timeout": [timeout["Ge"], timeout["Le"]],
}))
'''


@pytest.fixture(scope='module')
def real() -> dict[str, object]:
    proc = run_judge(FACTS_SCRIPT)
    assert proc.returncode == 0, proc.stderr
    facts: dict[str, object] = json.loads(proc.stdout)
    return facts


def test_version(real: dict[str, object]) -> None:
    assert real['version'] == kimi_cli_facts.KIMI_CLI_VERSION


def test_known_tools_are_exactly_the_importable_tool_classes(real: dict[str, object]) -> None:
    assert real['tools'] == sorted(kimi_cli_facts.KNOWN_TOOLS)


def test_tool_names_matchers_are_tested_against_are_the_tool_classes_names(real: dict[str, object]) -> None:
    assert real['tool_names'] == sorted(kimi_cli_facts.TOOL_NAMES)


def test_default_agent(real: dict[str, object]) -> None:
    assert real['default_name'] == kimi_cli_facts.DEFAULT_AGENT_NAME
    assert real['default_tools'] == list(kimi_cli_facts.DEFAULT_AGENT_TOOLS)
    assert real['default_args'] == kimi_cli_facts.DEFAULT_AGENT_PROMPT_ARGS
    assert real['default_subagents'] == kimi_cli_facts.DEFAULT_AGENT_SUBAGENTS


def test_prompt_variables(real: dict[str, object]) -> None:
    assert real['builtin_args'] == sorted(kimi_cli_facts.BUILTIN_PROMPT_ARGS)
    assert real['jinja_globals'] == sorted(kimi_cli_facts.JINJA_GLOBALS)


def test_hook_schema(real: dict[str, object]) -> None:
    assert real['hook_events'] == list(kimi_cli_facts.HOOK_EVENTS)
    assert HookEvent is kimi_cli_facts.HookEvent  # the bundled hooks' enum is the facts' one list
    assert registry.get_runtime(registry.KIMI_CLI).hook_events == kimi_cli_facts.HOOK_EVENTS
    assert real['hook_fields'] == sorted(registry.HOOK_KEYS)  # hook_rules judges every runtime's tables by these
    assert real['hook_timeout'] == list(hook_rules.TIMEOUT_RANGE)


def test_real_archived_kimi_binary_is_a_warning_and_harmless(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    python = kimi_cli_python()
    install_project_assets(repo)
    monkeypatch.setenv('PATH', f'{python.parent}{os.pathsep}{path_without("kimi")}')
    before = sorted(p.relative_to(repo) for p in repo.rglob('*'))
    (result,) = [r for r in diagnose_project(repo) if r.check == 'kimi']
    assert result.severity is Severity.WARNING
    assert result.message.startswith(f'kimi {kimi_cli_facts.KIMI_CLI_VERSION} at ') and 'archived' in result.message
    assert sorted(p.relative_to(repo) for p in repo.rglob('*')) == before
