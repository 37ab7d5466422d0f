"""``install --target kimi-code`` and ``hooks enable --user --target kimi-code``, judged by the real kimi.

Kimi Code reads hooks only from ``$KIMI_CODE_HOME/config.toml``, so the user scope of this
target is Kimi Code's home: ``install --user --target kimi-code`` puts the hook scripts (and the
agents, which Kimi Code discovers there for every project) in it, and ``hooks enable`` points
the config at those scripts by absolute path.
"""
from __future__ import annotations

import os
import shlex
from pathlib import Path

import tomlkit

from omk_precommit.cli import main
from omk_precommit.runtimes.registry import HOOK_KEYS
from testing.fake_llm import fake_llm

INVALID_HOOKS = "Ignored invalid config section 'hooks'"


def kimi_code_home() -> Path:
    return Path(os.environ['KIMI_CODE_HOME'])


def enable_for_kimi_code(repo: Path) -> Path:
    assert main(['install', '--target', 'kimi-code']) == 0
    assert main(['install', '--user', '--target', 'kimi-code']) == 0
    assert main(['hooks', 'enable', '--user', '--target', 'kimi-code']) == 0
    return kimi_code_home() / 'config.toml'


def test_fresh_repo_install_and_user_hooks_load_in_the_real_kimi_without_a_config_error(repo, kimi_code, tmp_path):
    config = enable_for_kimi_code(repo)
    tables = [t.unwrap() for t in tomlkit.parse(config.read_text())['hooks']]
    assert len(tables) == 4 and all(set(t) <= set(HOOK_KEYS) for t in tables)
    scripts = kimi_code_home() / 'hooks'
    assert {shlex.split(t['command'])[0] for t in tables} == {
        str(scripts / name) for name in ('safety-check.sh', 'completion-check.sh', 'notify.sh')}
    assert tables[0]['matcher'] == '^(Write|Edit|Bash)$'

    judgement = kimi_code.doctor_config(config, tmp_path)
    assert judgement.ok, judgement.output
    proc = kimi_code.prompt(repo, kimi_code_home())
    assert 'No model configured' in proc.stderr and INVALID_HOOKS not in proc.stderr, proc.stderr
    found = kimi_code.discover(repo, tmp_path)
    assert found.warnings == [] and 'architect' in found.profiles


def test_without_a_target_enable_picks_kimi_codes_config_when_its_home_exists(repo, kimi_code, tmp_path):
    kimi_code_home().mkdir()
    assert main(['install', '--user']) == 0  # the Kimi CLI user scope's scripts: not the ones Kimi Code's config runs
    assert main(['hooks', 'enable', '--user']) == 0  # installs Kimi Code's user scripts first
    assert str(kimi_code_home() / 'hooks' / 'safety-check.sh') in (kimi_code_home() / 'config.toml').read_text()
    judgement = kimi_code.doctor_config(kimi_code_home() / 'config.toml', tmp_path)
    assert judgement.ok, judgement.output


def test_the_enabled_user_hook_blocks_a_secret_write_in_a_real_kimi_session(repo, kimi_code):
    replies = [{'tool': 'Write', 'args': {'path': 'deploy/prod.key', 'content': 'secret\n'}},
               {'tool': 'Write', 'args': {'path': 'notes.txt', 'content': 'fine\n'}}, {'text': 'done'}]
    with fake_llm(replies) as llm:
        kimi_code_home().mkdir()
        (kimi_code_home() / 'config.toml').write_text(llm.config_toml())
        config = enable_for_kimi_code(repo)
        assert config.read_text().startswith(llm.config_toml())  # enable kept every byte it found
        proc = kimi_code.run('-p', 'write', '--agent', 'executor', cwd=repo, kimi_code_home=kimi_code_home())
    assert proc.returncode == 0, proc.stderr
    results = [m['content'] for m in llm.requests[-1]['messages'] if m['role'] == 'tool']
    assert 'omk safety-check: refusing to write deploy/prod.key' in results[0]
    assert not (repo / 'deploy/prod.key').exists() and (repo / 'notes.txt').read_text() == 'fine\n'


def test_user_scope_rollback_for_kimi_code_removes_its_hooks_and_scripts(repo):
    config = enable_for_kimi_code(repo)
    assert main(['rollback', '--user', '--target', 'kimi-code']) == 0
    assert not config.exists()  # enable created it, so disable deletes it
    assert not (kimi_code_home() / 'hooks').exists() and not (kimi_code_home() / 'agents').exists()
    assert (repo / '.kimi-code/agents/architect.md').exists()  # the project is another scope


def test_disable_with_a_target_touches_only_that_clis_config(repo):
    config = enable_for_kimi_code(repo)
    assert main(['hooks', 'disable', '--user', '--target', 'kimi-cli']) == 0
    assert config.exists()
    assert main(['hooks', 'disable', '--user', '--target', 'kimi-code']) == 0
    assert not config.exists()


def test_enable_into_a_named_config_for_kimi_code_runs_the_project_scripts(repo, capsys):
    assert main(['install', '--target', 'kimi-code']) == 0
    capsys.readouterr()
    assert main(['hooks', 'enable', '--config', 'hooks-for-kimi-code.toml', '--target', 'kimi-code']) == 0
    assert 'Kimi Code CLI reads hooks only from $KIMI_CODE_HOME/config.toml' in capsys.readouterr().out
    tables = [t.unwrap() for t in tomlkit.parse((repo / 'hooks-for-kimi-code.toml').read_text())['hooks']]
    assert tables == [t.unwrap() for t in tomlkit.parse((repo / '.kimi-code/hooks.toml.example').read_text())['hooks']]
