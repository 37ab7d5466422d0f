"""One findings model: doctor, config validation and hooks enable/disable all return ``Finding`` records."""
from __future__ import annotations

import os
from pathlib import Path

from omk_precommit import DiagResult
from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from omk_precommit.doctor import diagnose_project
from omk_precommit.engine.findings import RULE_CONFIG, RULE_HOOKS, RULE_TOML, Effect, Finding, Severity
from omk_precommit.kimi_config.enable import enable_hooks, split_findings, user_hooks_target
from omk_precommit.kimi_config.validate import config_findings
from omk_precommit.render.findings import finding_line
from omk_precommit.runtimes.hook_rules import check_hooks_toml

BROKEN_CONFIG = 'theme = "blue"\n\n[[hooks]]\nevent = "stop"\ncommand = "true"\ntimeout = "30"\n'


def only_findings(found: list[Finding]) -> list[Finding]:
    """``found``, after asserting it holds some findings and nothing else."""
    assert found
    assert all(type(f) is Finding for f in found), {type(f) for f in found}
    return found


def test_diag_result_is_the_finding_record() -> None:
    assert DiagResult is Finding


def test_doctor_returns_findings_for_both_runtimes(installed: Path, repo: Path) -> None:
    (installed / '.kimi/config.toml').write_text(BROKEN_CONFIG)
    (installed / '.kimi/agents/broken.yaml').write_text('version: 1\nagent: [\n')
    results = only_findings(diagnose_project(installed))
    assert {Severity.OK, Severity.ERROR} <= {r.severity for r in results}
    install_project_assets(repo, target='kimi-code')
    (repo / '.kimi-code/agents/broken.md').write_text('no frontmatter\n')
    results = only_findings(diagnose_project(repo, target='kimi-code'))
    assert any(r.path == '.kimi-code/agents/broken.md' and r.severity is Severity.ERROR for r in results)


def test_config_validation_returns_findings_with_structure_as_fields() -> None:
    found = only_findings(config_findings(BROKEN_CONFIG, 'kimi-cli', 'c.toml'))
    assert [(f.severity, f.rule, f.effect) for f in found] == [
        (Severity.ERROR, RULE_CONFIG, None),
        (Severity.ERROR, RULE_HOOKS, Effect.REFUSED),
        (Severity.WARNING, RULE_HOOKS, Effect.TOLERATED),
    ]
    assert {f.path for f in found} == {'c.toml'}
    [syntax] = only_findings(config_findings('x = [\n', 'kimi-cli', 'c.toml'))
    assert syntax.rule == RULE_TOML and syntax.message.startswith('not valid TOML (')
    only_findings(check_hooks_toml('hooks.toml', '[[hooks]]\nevent = "Stop"\n', 'kimi-code'))


def test_a_hook_problem_is_the_same_problem_when_its_table_is_renumbered() -> None:
    table = '[[hooks]]\nevent = "Stop"\ncommand = "true"\ntimeout = 0\n'
    before, after = config_findings(table + table, 'kimi-cli'), config_findings(table, 'kimi-cli')
    assert [f.message[:8] for f in before] == ['hooks[0]', 'hooks[1]']
    assert before[1].identity == after[0].identity and before[1].message != after[0].message
    assert split_findings(table + table, table, 'kimi-cli', 'config.toml') == ([], after)


def test_hooks_enable_reports_findings(isolated_home: Path) -> None:
    assert main(['install', '--user']) == 0
    config = Path(os.environ['KIMI_SHARE_DIR']) / 'config.toml'
    config.write_text(BROKEN_CONFIG)
    report = enable_hooks(user_hooks_target())
    assert report.findings == []
    assert only_findings(report.preexisting) == config_findings(BROKEN_CONFIG, 'kimi-cli', str(config))


def test_a_config_setting_whose_message_looks_like_a_hook_problem_is_still_reported(installed: Path) -> None:
    # Only structure decides which findings the hooks check already reports, never the message text.
    (installed / '.kimi/config.toml').write_text('default_model = "hooks[0] TOML"\n')
    errors = [r for r in diagnose_project(installed) if r.severity is Severity.ERROR]
    assert [(r.check, r.path) for r in errors] == [('kimi config', '.kimi/config.toml')]
    assert "'hooks[0] TOML' is not in [models]" in errors[0].message


def test_a_finding_renders_as_path_severity_message() -> None:
    finding = Finding(Severity.WARNING, 'c.toml', 'odd', 'fix it')
    assert finding_line(finding) == 'c.toml: warning: odd'
    assert finding_line(finding, path='') == 'warning: odd'
    assert finding.to_json() == {'severity': 'warning', 'check': '', 'path': 'c.toml', 'message': 'odd',
                                 'fix': 'fix it'}
    assert Finding(Severity.OK, '', 'fine').to_json()['path'] is None
