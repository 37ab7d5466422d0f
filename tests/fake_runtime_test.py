"""The runtime seam: a third CLI, registered in the tests only, goes through every command.

``FakeCli`` keeps its assets in ``.fakecli/`` and writes each agent as one JSON file; nothing
outside ``runtimes/`` knows it exists, so if install, check, sync, rollback and doctor work on it,
every command asks the runtime object instead of comparing names.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from omk_precommit.bundle.agents import RoleAgent
from omk_precommit.cli import main
from omk_precommit.engine.findings import DiagResult, Findings
from omk_precommit.engine.manifest import EntryKind
from omk_precommit.runtimes import registry
from omk_precommit.runtimes.base import AgentFile, CheckGroup, Runtime


class FakeCli(Runtime):
    name = 'fake-cli'
    base_dir = '.fakecli'
    product = 'Fake CLI'
    install_hint = 'pip install fake-cli'
    binary_major = 9
    write_tools = ('Put',)
    shell_tools = ('Run',)
    tool_names = ('Put', 'Run')
    hook_events = ('PreToolUse', 'Stop', 'SubagentStart', 'SubagentStop')
    strict_hooks = False
    empty_matched_events = ('Stop',)
    matcher_engine = 'python'
    home_label = 'Fake CLI home'
    hooks_example_header = '# hooks for the fake CLI\n'
    home_env = 'FAKE_CLI_HOME'
    default_home = '.fakecli'

    def agent_files(self, role: RoleAgent) -> list[AgentFile]:
        body = json.dumps({'name': role.id, 'prompt': role.system_prompt}, sort_keys=True).encode()
        return [(f'agents/{role.id}.json', EntryKind.AGENT_SPEC, body)]

    def agent_tools(self, role: RoleAgent) -> tuple[str, ...]:
        return ('Put', 'Run')

    def doctor_checks(self, root: Path, managed: frozenset[str]) -> list[CheckGroup]:
        def agents() -> list[DiagResult]:
            findings = Findings('agents')
            for path in sorted((root / self.base_dir / 'agents').glob('*.json')):
                rel = path.relative_to(root).as_posix()
                try:
                    json.loads(path.read_text())
                except ValueError:
                    findings.error(rel, 'not JSON', self.command('sync --force'))
                else:
                    findings.ok(rel, 'loads in the Fake CLI')
            return findings.results

        return [('agents', agents)]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeCli:
    runtime = FakeCli()
    monkeypatch.setitem(registry.RUNTIMES, runtime.name, runtime)
    monkeypatch.setenv('FAKE_CLI_HOME', str(tmp_path / 'fake-home'))
    return runtime


def test_a_third_runtime_goes_through_install_check_sync_doctor_and_rollback(
        fake: FakeCli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / 'project'
    root.mkdir()
    (root / 'AGENTS.md').write_text('Build with make.\n')
    at = ['--dir', str(root), '--target', fake.name]

    assert main(['install', *at]) == 0
    architect = root / '.fakecli/agents/architect.json'
    assert json.loads(architect.read_text())['name'] == 'architect'
    assert (root / '.fakecli/hooks/safety-check.sh').is_file()
    assert '^(Put|Run)$' in (root / '.fakecli/hooks.toml.example').read_text()
    assert (root / '.fakecli/omk-manifest.json').is_file() and not (root / '.kimi').exists()
    assert main(['check', *at]) == 0

    architect.write_text('{"edited": true}')
    capsys.readouterr()
    assert main(['check', *at]) == 1
    assert '.fakecli/agents/architect.json: modified' in capsys.readouterr().out
    assert main(['sync', *at]) == 0
    assert architect.read_text() == '{"edited": true}'  # a local edit is kept

    architect.write_text('not json')
    capsys.readouterr()
    assert main(['doctor', *at]) == 1
    out = capsys.readouterr().out
    assert '.fakecli/agents/architect.json: error: not JSON' in out
    assert 'omk-kimi sync --force --target fake-cli' in out
    assert '.fakecli/agents/executor.json: ok: loads in the Fake CLI' in out

    assert main(['sync', '--force', *at]) == 0
    assert main(['doctor', *at]) == 0
    assert main(['rollback', *at]) == 0
    # Only the edit sync --force backed up is left: rollback restores it, as for any runtime.
    left = sorted(p.relative_to(root).as_posix() for p in (root / '.fakecli').rglob('*') if p.is_file())
    assert left == ['.fakecli/agents/architect.json'] and architect.read_text() == 'not json'


def test_the_third_runtime_is_a_target_choice_and_lists_its_own_agent_tools(
        fake: FakeCli, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['agents', '--json', '--target', fake.name]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {tuple(row['tools']) for row in rows} == {('Put', 'Run')}
