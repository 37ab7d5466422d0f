"""The real Kimi CLI (kimi-cli 1.52.0) is the judge of the configs hooks enable writes and of config_check."""
from __future__ import annotations

import json
import os
import subprocess

from omk_precommit.cli import main
from omk_precommit.kimi_config.toml_hooks import add_tables
from omk_precommit.kimi_config.validate import config_findings
from omk_precommit.runtimes.hookdefs import bundled_hook_tables
from omk_precommit.runtimes.registry import KIMI_CLI
from testing.kimi_cli import kimi_cli_python
from testing.kimi_configs import SHAPES

TABLES = bundled_hook_tables(KIMI_CLI, lambda name: f"/home/o'brien/my kimi/hooks/{name}")

# Loads each text twice, as `kimi --config TEXT` and as the config file kimi reads from disk.
JUDGE = '''
import json, sys, tempfile, pathlib
from kimi_cli.config import load_config, load_config_from_string
out = {}
for name, text in json.load(sys.stdin).items():
    result = {}
    try:
        result["hooks"] = [h.model_dump() for h in load_config_from_string(text).hooks] if text.strip() else []
    except Exception as e:
        result["string_error"] = str(e)
    path = pathlib.Path(tempfile.mkdtemp()) / "config.toml"
    path.write_bytes(text.encode())
    try:
        result["file_hooks"] = [h.model_dump() for h in load_config(path).hooks]
    except Exception as e:
        result["file_error"] = str(e)
    out[name] = result
print(json.dumps(out))
'''


def judge(texts: dict[str, str]) -> dict[str, dict[str, object]]:
    python = kimi_cli_python()
    # KIMI_SHARE_DIR points into the test's temp home (conftest), so kimi writes nothing real.
    proc = subprocess.run((str(python), '-c', JUDGE), input=json.dumps(texts), capture_output=True, text=True,
                          env=dict(os.environ), timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_the_real_kimi_cli_loads_every_enabled_shape_and_sees_the_bundled_hooks():
    enabled = {name: add_tables(text, TABLES, 'config.toml')[0] for name, text in SHAPES.items()}
    results = judge(enabled)
    for name in SHAPES:
        expected = [{'matcher': '', **t} for t in TABLES]
        assert results[name].get('hooks', [])[-4:] == expected, (name, results[name])
        assert results[name].get('file_hooks', [])[-4:] == expected, (name, results[name])


def test_the_real_kimi_cli_rejects_a_second_hooks_key_which_enable_never_writes():
    naive = SHAPES['empty hooks array'] + '\n[[hooks]]\nevent = "Stop"\ncommand = "x"\n'
    results = judge({'naive': naive})
    assert 'already exists' in str(results['naive'].get('file_error'))


CORPUS = {
    'real world': SHAPES['real-world'],
    'empty': '',
    'unknown keys are ignored': 'whatever = 1\n[[hooks]]\nevent = "Stop"\ncommand = "x"\nfail_mode = "closed"\n',
    'bool from 1 and yes': 'telemetry = 1\ndefault_yolo = "yes"\n',
    'bool from 2': 'telemetry = 2\n',
    'string from int': 'default_model = 3\n',
    'bad theme': 'theme = "blue"\n',
    'hooks as table': '[hooks]\nevent = "Stop"\n',
    'models as array': 'models = []\n',
    'bad event': '[[hooks]]\nevent = "BeforeWrite"\ncommand = "x"\n',
    'timeout 0': '[[hooks]]\nevent = "Stop"\ncommand = "x"\ntimeout = 0\n',
    'timeout 601': '[[hooks]]\nevent = "Stop"\ncommand = "x"\ntimeout = 601\n',
    'timeout "30"': '[[hooks]]\nevent = "Stop"\ncommand = "x"\ntimeout = "30"\n',
    'timeout 1.5': '[[hooks]]\nevent = "Stop"\ncommand = "x"\ntimeout = 1.5\n',
    'missing command': '[[hooks]]\nevent = "Stop"\n',
    'bad regex matcher': '[[hooks]]\nevent = "PreToolUse"\ncommand = "x"\nmatcher = "("\n',
    'default model not in models': 'default_model = "k2"\n',
    'model without provider entry': '[models.k2]\nprovider = "p"\nmodel = "k"\nmax_context_size = 1000\n',
    'provider without api_key': '[providers.p]\ntype = "kimi"\nbase_url = "https://x"\n',
    'provider type unknown': '[providers.p]\ntype = "llama"\nbase_url = "https://x"\napi_key = "k"\n',
    'extra_skill_dirs string': 'extra_skill_dirs = "skills"\n',
    'loop_control scalar': 'loop_control = 3\n',
    'syntax error': '[[hooks]\nevent = "Stop"\n',
    'duplicate key': 'telemetry = true\ntelemetry = false\n',
}


def test_config_check_agrees_with_the_real_kimi_cli_on_what_it_refuses():
    results = judge(CORPUS)
    for name, text in CORPUS.items():
        kimi_accepts = 'file_error' not in results[name]
        errors = [f.message for f in config_findings(text, KIMI_CLI) if f.severity == 'error']
        assert kimi_accepts == (not errors), (name, results[name], errors)


def test_config_check_warns_about_a_matcher_kimi_accepts_but_never_matches():
    findings = config_findings(CORPUS['bad regex matcher'], KIMI_CLI)
    assert [f.severity for f in findings] == ['warning'] and 'never runs' in findings[0].message


# The config hooks enable wrote, loaded by kimi-cli from disk and run by its own HookEngine.
ENGINE = '''
import asyncio, json, sys
from pathlib import Path
from kimi_cli.config import load_config
from kimi_cli.hooks.engine import HookEngine
from kimi_cli.hooks import events

config = load_config(Path(sys.argv[1]))
engine = HookEngine(config.hooks, cwd=sys.argv[2])

async def write(path):
    payload = events.pre_tool_use(session_id="s1", cwd=sys.argv[2], tool_name="WriteFile",
                                  tool_input={"path": path, "content": "x"}, tool_call_id="c1")
    return [(r.action, r.reason) for r in await engine.trigger("PreToolUse", matcher_value="WriteFile", input_data=payload)]

print(json.dumps({"providers": sorted(config.providers), "hooks": len(config.hooks),
                  "env": asyncio.run(write(".env")), "code": asyncio.run(write("src/app.py"))}))
'''


def test_the_real_kimi_cli_runs_the_user_hooks_enable_wrote_into_a_real_world_config(isolated_home, monkeypatch):
    python = kimi_cli_python()
    share = isolated_home / "o'brien's kimi" / '.kimi'
    share.mkdir(parents=True)
    monkeypatch.setenv('KIMI_SHARE_DIR', str(share))
    (share / 'config.toml').write_text(SHAPES['real-world'])
    assert main(['install', '--user']) == 0
    assert main(['hooks', 'enable', '--user']) == 0
    proc = subprocess.run((str(python), '-c', ENGINE, str(share / 'config.toml'), str(isolated_home)),
                          capture_output=True, text=True, env=dict(os.environ), timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.splitlines()[-1])
    assert seen['providers'] == ['moonshot', 'my proxy'] and seen['hooks'] == 5
    assert seen['env'][0][0] == 'block' and 'refusing to write .env' in seen['env'][0][1]
    assert seen['code'] == [['allow', '']]
