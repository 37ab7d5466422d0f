"""The kimi-code bundle judged by the real Kimi Code CLI 2.1.0 (npm), not by our reading of it."""
from __future__ import annotations

import pytest

from omk_precommit.bundle.agents import default_role_agents
from omk_precommit.commands.install import install_project_assets
from testing.fake_llm import fake_llm
from testing.gitrepo import init_repo

INVALID_HOOKS = "Ignored invalid config section 'hooks'"


@pytest.fixture
def project(tmp_path):
    root = init_repo(tmp_path / 'project')
    install_project_assets(root, target='kimi-code')
    return root


def test_the_cached_kimi_is_the_pinned_version(kimi_code, tmp_path):
    assert kimi_code.version(tmp_path) == '2.1.0'


def test_real_kimi_doctor_accepts_the_bundled_hooks_example(kimi_code, project, tmp_path):
    judgement = kimi_code.doctor_config(project / '.kimi-code/hooks.toml.example', tmp_path)
    assert judgement.ok, judgement.output
    assert 'All checked config files are valid.' in judgement.output


def test_real_kimi_loads_the_hooks_example_as_its_config_without_a_warning(kimi_code, project, tmp_path):
    home = tmp_path / 'kimi-code-home'
    home.mkdir()
    (home / 'config.toml').write_bytes((project / '.kimi-code/hooks.toml.example').read_bytes())
    proc = kimi_code.prompt(project, home)
    assert 'No model configured' in proc.stderr  # got past config loading
    assert INVALID_HOOKS not in proc.stderr and 'Warning' not in proc.stderr, proc.stderr


def test_real_kimi_rejects_the_fail_mode_key_the_issue_text_asked_for(kimi_code, project, tmp_path):
    # Why the bundle has no fail_mode: Kimi Code 2.1.0 drops every hook over it.
    home = tmp_path / 'kimi-code-home'
    home.mkdir()
    text = (project / '.kimi-code/hooks.toml.example').read_text()
    (home / 'config.toml').write_text(text.replace('timeout = 10\n', 'timeout = 10\nfail_mode = "closed"\n', 1))
    assert not kimi_code.doctor_config(home / 'config.toml', tmp_path).ok
    proc = kimi_code.prompt(project, home)
    assert INVALID_HOOKS in proc.stderr and 'failMode' in proc.stderr


def test_real_kimi_discovers_every_bundled_agent_and_skill_and_skips_nothing(kimi_code, project, tmp_path):
    # One discovery run parses every agent file and skill the way a session does (each
    # invalid one would be logged as skipped); the explore override is checked below.
    found = kimi_code.discover(project, tmp_path)
    assert {a.id for a in default_role_agents()} <= set(found.profiles), found.stderr
    assert found.warnings == []


def test_safety_hook_blocks_a_real_kimi_write_through_the_example_config(kimi_code, project, tmp_path):
    replies = [
        {'tool': 'Write', 'args': {'path': 'certs/server.pem', 'content': 'secret\n'}},
        {'tool': 'Write', 'args': {'path': 'ok.txt', 'content': 'fine\n'}},
        {'tool': 'Edit', 'args': {'path': 'ok.txt', 'old_string': 'fine',
                                  'new_string': '-----BEGIN RSA PRIVATE KEY-----'}},
        {'text': 'done'},
    ]
    home = tmp_path / 'kimi-code-home'
    home.mkdir()
    with fake_llm(replies) as llm:
        example = (project / '.kimi-code/hooks.toml.example').read_text()
        (home / 'config.toml').write_text(llm.config_toml() + '\n' + example)
        proc = kimi_code.run('-p', 'write things', '--agent', 'executor', cwd=project, kimi_code_home=home)
    assert proc.returncode == 0, proc.stderr
    tool_results = [m['content'] for m in llm.requests[-1]['messages'] if m['role'] == 'tool']
    assert len(tool_results) == 3
    assert 'omk safety-check: refusing to write certs/server.pem' in tool_results[0]
    assert not (project / 'certs/server.pem').exists()
    assert (project / 'ok.txt').read_text() == 'fine\n'
    assert 'the content contains a private key' in tool_results[2]


def test_bundled_explore_agent_replaces_the_builtin_one_in_a_real_session(kimi_code, project, tmp_path):
    home = tmp_path / 'kimi-code-home'
    home.mkdir()
    with fake_llm([{'text': 'done'}]) as llm:
        (home / 'config.toml').write_text(llm.config_toml())
        proc = kimi_code.run('-p', 'hi', '--agent', 'explore', cwd=project, kimi_code_home=home)
    assert proc.returncode == 0, proc.stderr
    request = llm.requests[0]
    assert request['messages'][0]['content'].startswith('# Explore')
    assert sorted(t['function']['name'] for t in request['tools']) == ['Bash', 'Glob', 'Grep', 'Read']
