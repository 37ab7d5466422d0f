from __future__ import annotations

import json
import os
import subprocess

import pytest
import tomlkit
import yaml

from omk_precommit.bundle.agents import default_role_agents, write_agent_to_dir
from omk_precommit.bundle.role_packs import REQUIRED_SECTIONS, RolePack
from omk_precommit.engine.manifest import EntryKind
from omk_precommit.runtimes.bundled import bundled_assets, bundled_by_path
from omk_precommit.runtimes.hookdefs import HookEvent, default_project_hooks

SAFETY = bundled_by_path()['.kimi/hooks/safety-check.sh'].content


def test_default_role_agents_are_the_six_roles():
    assert [a.id for a in default_role_agents()] == [
        'architect', 'executor', 'verifier', 'reviewer', 'security', 'explore',
    ]


@pytest.mark.parametrize('agent', default_role_agents(), ids=lambda a: a.id)
def test_agent_spec_has_the_kimi_cli_shape(agent):
    spec = yaml.safe_load(agent.spec().to_yaml())
    assert spec['version'] == 1
    body = spec['agent']
    assert body['extend'] == 'default'
    assert body['name'] == agent.id
    assert body['system_prompt_path'] == './system.md'
    assert body['tools'] and all(t.startswith('kimi_cli.tools.') and ':' in t for t in body['tools'])
    assert agent.system_prompt.strip()


def test_write_agent_to_dir_writes_spec_and_prompt(tmp_path):
    agent = default_role_agents()[0]
    write_agent_to_dir(agent, tmp_path / 'a')
    assert yaml.safe_load((tmp_path / 'a/agent.yaml').read_text())['agent']['name'] == 'architect'
    assert (tmp_path / 'a/system.md').read_text() == agent.system_prompt
    assert not [p for p in (tmp_path / 'a').iterdir() if 'omk-tmp' in p.name]


def test_bundle_has_agents_hooks_config_and_a_skill_with_frontmatter():
    kinds = {}
    for asset in bundled_assets():
        kinds.setdefault(asset.kind, []).append(asset.path)
    assert len(kinds[EntryKind.AGENT_SPEC]) == 6 and len(kinds[EntryKind.AGENT_PROMPT]) == 6
    assert sorted(kinds[EntryKind.HOOK_SCRIPT]) == [
        '.kimi/hooks/completion-check.sh', '.kimi/hooks/notify.sh', '.kimi/hooks/safety-check.sh',
    ]
    assert kinds[EntryKind.HOOK_CONFIG] == ['.kimi/hooks.toml.example']
    for path in kinds[EntryKind.SKILL]:
        text = bundled_by_path()[path].content.decode()
        front = yaml.safe_load(text.split('---')[1])
        assert front['name'] == path.split('/')[2] and front['description']


def test_hook_scripts_are_installed_executable(tmp_path):
    from omk_precommit.commands.install import install_project_assets

    install_project_assets(tmp_path)
    for name in ('safety-check.sh', 'completion-check.sh', 'notify.sh'):
        assert os.access(tmp_path / '.kimi/hooks' / name, os.X_OK)


def test_hooks_example_has_a_table_per_default_hook():
    example = tomlkit.parse(bundled_by_path()['.kimi/hooks.toml.example'].content.decode())
    tables = [dict(t) for t in example['hooks']]
    assert tables == [
        {'event': h.event.value, 'command': h.command, **({'matcher': h.matcher} if h.matcher else {}), 'timeout': h.timeout}
        for h in default_project_hooks().hooks
    ]
    assert {t['event'] for t in tables} == {'PreToolUse', 'Stop', 'SubagentStart', 'SubagentStop'}
    assert all(1 <= t['timeout'] <= 600 for t in tables)
    assert all(t['event'] in {e.value for e in HookEvent} for t in tables)


def run_safety(tmp_path, payload):
    script = tmp_path / 'safety-check.sh'
    script.write_bytes(SAFETY)
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return subprocess.run(('sh', str(script)), input=data, capture_output=True, text=True,
                          env={'PATH': '/usr/bin:/bin'})


@pytest.mark.parametrize('path', [
    '.env', 'app/.env', '/abs/project/.env.local', '.env.production', 'id_rsa', 'home/.ssh/id_ed25519',
    'certs/server.pem', 'tls/private.key', 'store.p12',
])
@pytest.mark.parametrize('tool', [('WriteFile', 'content'), ('StrReplaceFile', 'edit')])
def test_safety_hook_blocks_writes_to_secrets(tmp_path, path, tool):
    name, arg = tool
    result = run_safety(tmp_path, {'hook_event_name': 'PreToolUse', 'cwd': '/work', 'tool_name': name,
                                   'tool_input': {'path': path, arg: 'x'}, 'tool_call_id': 't1'})
    assert result.returncode == 2
    assert path in result.stderr and 'refusing' in result.stderr


@pytest.mark.parametrize('path', [
    'src/app.py', 'README.md', 'docs/env.md', '.envrc-notes/readme', 'id_rsa.pub', 'a "quoted" name.txt',
])
def test_safety_hook_allows_ordinary_files(tmp_path, path):
    result = run_safety(tmp_path, {'tool_name': 'WriteFile', 'tool_input': {'path': path, 'content': 'print(1)'}})
    assert result.returncode == 0, result.stderr


def test_safety_hook_blocks_private_key_material_anywhere(tmp_path):
    key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----\n'
    result = run_safety(tmp_path, {'tool_name': 'WriteFile', 'tool_input': {'path': 'notes.txt', 'content': key}})
    assert result.returncode == 2


def test_safety_hook_is_not_fooled_by_a_path_inside_the_content(tmp_path):
    payload = {'tool_name': 'WriteFile', 'tool_input': {'path': '.env', 'content': '"path": "ok.txt"'}}
    assert run_safety(tmp_path, payload).returncode == 2


def test_role_packs_include_guards():
    packs = RolePack.all()
    assert [p.id for p in packs] == ['architect', 'executor', 'verifier', 'reviewer', 'integrator']
    for pack in packs:
        for section in REQUIRED_SECTIONS:
            assert section in pack.system_prompt, f'{pack.id} lacks {section}'
        assert pack.tools and pack.suggested_workers >= 1 and pack.name and pack.description


def test_role_pack_lookup_by_id():
    assert RolePack.find('Reviewer').id == 'reviewer'
    assert RolePack.find('nobody') is None
