"""The kimi-code bundle: the same roles, scripts and skills as kimi-cli, in Kimi Code's formats."""
from __future__ import annotations

import json
import re
import subprocess

import pytest
import tomlkit

from omk_precommit.bundle.agents import default_role_agents
from omk_precommit.commands.install import install_project_assets
from omk_precommit.engine.manifest import AssetManifest, EntryKind
from omk_precommit.runtimes.bundled import bundled_assets, bundled_by_path
from omk_precommit.runtimes.hookdefs import default_project_hooks
from omk_precommit.runtimes.kimi_code.rules import check_kimi_code_project, parse_frontmatter
from omk_precommit.runtimes.kimi_code.toolnames import KIMI_CODE_TOOLS, kimi_code_tool
from omk_precommit.runtimes.registry import HOOK_KEYS, KIMI_CLI, KIMI_CODE, get_runtime

KIMI_CODE_HOOK_EVENTS = get_runtime(KIMI_CODE).hook_events

SAFETY = bundled_by_path(KIMI_CODE)['.kimi-code/hooks/safety-check.sh'].content


def test_kimi_code_bundle_has_one_markdown_file_per_role_and_the_shared_scripts_and_skills():
    paths = [a.path for a in bundled_assets(KIMI_CODE)]
    assert paths == sorted(
        [f'.kimi-code/agents/{a.id}.md' for a in default_role_agents()]
        + ['.kimi-code/hooks.toml.example', '.kimi-code/hooks/completion-check.sh', '.kimi-code/hooks/notify.sh',
           '.kimi-code/hooks/safety-check.sh', '.kimi-code/skills/omk-managed-assets/SKILL.md'])
    cli = bundled_by_path(KIMI_CLI)
    for asset in bundled_assets(KIMI_CODE):
        twin = cli.get(asset.path.replace('.kimi-code/', '.kimi/', 1))
        if asset.kind in (EntryKind.HOOK_SCRIPT, EntryKind.SKILL):
            assert twin is not None and twin.content == asset.content and twin.executable == asset.executable


@pytest.mark.parametrize('role', default_role_agents(), ids=lambda r: r.id)
def test_kimi_code_agent_carries_the_role_prompt_and_its_tools_by_kimi_code_name(role):
    text = bundled_by_path(KIMI_CODE)[f'.kimi-code/agents/{role.id}.md'].content.decode()
    front, body = parse_frontmatter(text)
    assert front['name'] == role.id and re.fullmatch(r'[a-z0-9]+(-[a-z0-9]+)*', front['name'])
    assert front['description'] == role.description and front['whenToUse'] == role.when_to_use
    assert front['tools'] == list(dict.fromkeys(kimi_code_tool(t) for t in role.tools))
    assert set(front['tools']) <= KIMI_CODE_TOOLS
    assert set(front) <= {'name', 'description', 'whenToUse', 'tools', 'override'}
    assert body.strip() == role.system_prompt.strip()


def test_only_the_role_named_like_a_kimi_code_builtin_overrides_it():
    overriding = [a.path for a in bundled_assets(KIMI_CODE)
                  if a.kind is EntryKind.AGENT_SPEC and parse_frontmatter(a.content.decode())[0].get('override')]
    assert overriding == ['.kimi-code/agents/explore.md']


def test_kimi_code_hooks_example_uses_only_the_four_keys_kimi_code_accepts():
    example = tomlkit.parse(bundled_by_path(KIMI_CODE)['.kimi-code/hooks.toml.example'].content.decode())
    tables = [t.unwrap() for t in example['hooks']]
    assert all(set(t) <= set(HOOK_KEYS) for t in tables)
    assert 'fail_mode' not in bundled_by_path(KIMI_CODE)['.kimi-code/hooks.toml.example'].content.decode()
    assert all(t['event'] in KIMI_CODE_HOOK_EVENTS and t['command'].startswith('.kimi-code/hooks/') for t in tables)
    assert tables[0] == {'event': 'PreToolUse', 'command': '.kimi-code/hooks/safety-check.sh',
                         'matcher': '^(Write|Edit|Bash)$', 'timeout': 10}


@pytest.mark.parametrize(('target', 'writers', 'others'), [
    (KIMI_CLI, ['WriteFile', 'StrReplaceFile', 'Shell'], ['ReadFile', 'ShellX', 'WriteFileX', 'mcp__fs__WriteFile']),
    (KIMI_CODE, ['Write', 'Edit', 'Bash'], ['Read', 'BashOutput', 'mcp__notes__WriteNote', 'EditTool', 'NotebookEdit']),
])
def test_safety_matcher_is_anchored_to_exactly_the_file_writing_and_shell_tools(target, writers, others):
    matcher = default_project_hooks(runtime=target).hooks[0].matcher
    assert all(re.search(matcher, tool) for tool in writers)
    assert not any(re.search(matcher, tool) for tool in others)


def test_installed_kimi_code_tree_passes_the_kimi_code_rules_and_has_its_own_manifest(repo):
    install_project_assets(repo, target=KIMI_CODE)
    assert check_kimi_code_project(repo) == []
    manifest = AssetManifest.load(repo, '.kimi-code')
    assert manifest is not None and {e.path for e in manifest.files} == set(bundled_by_path(KIMI_CODE))
    assert AssetManifest.load(repo, '.kimi') is None


def run_safety(tmp_path, payload, path='/usr/bin:/bin'):
    script = tmp_path / 'safety-check.sh'
    script.write_bytes(SAFETY)
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return subprocess.run(('/bin/sh', str(script)), input=data, capture_output=True, text=True, env={'PATH': path})


@pytest.mark.parametrize('payload', [
    {'tool_name': 'Write', 'tool_input': {'path': 'certs/server.pem', 'content': 'x'}},
    {'tool_name': 'Edit', 'tool_input': {'path': '~/.ssh/id_ed25519', 'old_string': 'a', 'new_string': 'b'}},
    {'tool_name': 'Edit', 'tool_input': {'path': 'notes.txt', 'old_string': 'a',
                                         'new_string': '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n'}},
], ids=['write-pem', 'edit-ssh-key', 'edit-adds-private-key'])
def test_safety_hook_blocks_kimi_code_writes_to_secrets(tmp_path, payload):
    event = {'hook_event_name': 'PreToolUse', 'session_id': 's', 'cwd': '/p', 'client_type': 'kimi_code_cli',
             **payload, 'tool_call_id': 'call_0'}
    result = run_safety(tmp_path, event)
    assert result.returncode == 2 and 'refusing' in result.stderr


@pytest.mark.parametrize('payload', [
    {'tool_name': 'Write', 'tool_input': {'content': 'no path'}},
    {'tool_name': 'Edit', 'tool_input': {'old_string': 'a', 'new_string': 'b'}},
    {'tool_name': 'StrReplaceFile', 'tool_input': {}},
    '',
    'not json at all',
], ids=['write-without-path', 'edit-without-path', 'kimi-cli-without-path', 'empty', 'garbage'])
def test_safety_hook_fails_closed_when_it_cannot_tell_what_is_written(tmp_path, payload):
    result = run_safety(tmp_path, payload)
    assert result.returncode == 2, result.stderr
    assert 'omk safety-check' in result.stderr


def test_safety_hook_blocks_when_its_own_tools_are_missing(tmp_path):
    payload = {'tool_name': 'Write', 'tool_input': {'path': 'a.txt', 'content': 'x'}}
    result = run_safety(tmp_path, payload, path=str(tmp_path / 'no-such-dir'))
    assert result.returncode == 2


def test_safety_hook_allows_tools_without_a_path_that_are_not_file_writers(tmp_path):
    result = run_safety(tmp_path, {'tool_name': 'Bash', 'tool_input': {'command': 'ls'}})
    assert result.returncode == 0, result.stderr
