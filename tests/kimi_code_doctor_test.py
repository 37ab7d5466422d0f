"""``omk-kimi doctor --target kimi-code``: .kimi-code/ judged by Kimi Code's rules."""
from __future__ import annotations

import json
import os

import pytest

from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from omk_precommit.doctor import Severity, diagnose_project


@pytest.fixture
def installed(repo):
    install_project_assets(repo, target='kimi-code')
    (repo / 'AGENTS.md').write_text('# Agents\n')
    return repo


def findings(root, severity=Severity.ERROR):
    return {(r.path, r.message) for r in diagnose_project(root, target='kimi-code') if r.severity is severity}


def test_a_fresh_kimi_code_install_has_no_doctor_errors(installed, capsys):
    assert main(['doctor', '--target', 'kimi-code', '--json']) == 0
    results = json.loads(capsys.readouterr().out)
    checked = {r['path'] for r in results if r['severity'] == 'ok'}
    assert {'.kimi-code/agents/architect.md', '.kimi-code/skills/omk-managed-assets/SKILL.md',
            '.kimi-code/hooks.toml.example', '.kimi-code/hooks/safety-check.sh',
            '.kimi-code/omk-manifest.json'} <= checked


def test_the_kimi_cli_rules_are_not_applied_to_kimi_code_files(installed):
    # A Kimi Code-only event would be an error for the Kimi CLI; here it is fine.
    example = installed / '.kimi-code/hooks.toml.example'
    example.write_text(example.read_text() + '\n[[hooks]]\nevent = "TurnStarted"\ncommand = "true"\n')
    assert not any(path == '.kimi-code/hooks.toml.example' for path, _ in findings(installed))


@pytest.mark.parametrize(('rel', 'text', 'expected'), [
    ('.kimi-code/agents/mine.md', '---\nname: Mine\ndescription: d\n---\nBody.\n', 'expected kebab-case'),
    ('.kimi-code/agents/README.md', '# Our agents\n', 'Missing frontmatter'),
    ('.kimi-code/agents/plan.md', '---\ndescription: d\n---\nBody.\n', 'override: true'),
    ('.kimi-code/skills/deploy/SKILL.md', '---\nname: deploy\n---\nSteps.\n', 'Missing required frontmatter field "description"'),
])
def test_files_kimi_code_would_skip_are_errors(installed, rel, text, expected, capsys):
    path = installed / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    assert main(['doctor', '--target', 'kimi-code']) == 1
    assert any(p == rel and expected in m for p, m in findings(installed)), findings(installed)


def test_a_fail_mode_key_in_the_hooks_example_is_an_error(installed):
    example = installed / '.kimi-code/hooks.toml.example'
    example.write_text(example.read_text().replace('timeout = 10\n', 'timeout = 10\nfail_mode = "closed"\n', 1))
    assert any("unknown key 'fail_mode'" in m for _, m in findings(installed))


def test_a_missing_or_non_executable_hook_script_is_reported(installed):
    os.unlink(installed / '.kimi-code/hooks/notify.sh')
    (installed / '.kimi-code/hooks/safety-check.sh').chmod(0o644)
    errors = findings(installed)
    assert any('script .kimi-code/hooks/notify.sh does not exist' in m for _, m in errors)
    assert any('script .kimi-code/hooks/safety-check.sh is not executable' in m for _, m in errors)


def test_hooks_in_a_project_config_are_pointed_out_as_never_running(installed):
    (installed / '.kimi-code/config.toml').write_text('[[hooks]]\nevent = "Stop"\ncommand = "true"\n')
    assert any('does not read hooks from a project config' in m for _, m in findings(installed, Severity.WARNING))


def test_fixes_name_the_kimi_code_target(installed):
    os.unlink(installed / '.kimi-code/agents/architect.md')
    fixes = [r.fix for r in diagnose_project(installed, target='kimi-code') if r.severity is Severity.ERROR]
    assert fixes == ['omk-kimi sync --target kimi-code']
