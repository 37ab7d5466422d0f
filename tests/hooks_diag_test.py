from __future__ import annotations

import os
from pathlib import Path

from omk_precommit.cli import main
from omk_precommit.engine.findings import Finding, Severity
from omk_precommit.kimi_config.status import diagnose_hooks_enabled
from testing.kimi_configs import REAL_WORLD


def share_dir() -> Path:
    return Path(os.environ['KIMI_SHARE_DIR'])


def ok(path: str, message: str) -> Finding:
    return Finding(Severity.OK, path, message, check='kimi config')


def severities(results: list[Finding]) -> dict[str, list[str]]:
    by: dict[str, list[str]] = {}
    for r in results:
        by.setdefault(r.severity, []).append(r.message)
    return by


def test_a_machine_without_any_kimi_home_is_not_asked_to_enable_hooks(repo):
    assert diagnose_hooks_enabled(repo) == [
        ok('', 'no Kimi CLI or Kimi Code CLI config on this machine; hook enablement not checked')]


def test_hooks_not_enabled_in_the_config_kimi_reads_is_a_warning_with_the_fix(repo):
    share_dir().mkdir()
    (share_dir() / 'config.toml').write_text(REAL_WORLD)
    results = diagnose_hooks_enabled(repo)
    [warning] = [r for r in results if r.severity == 'warning']
    assert 'not enabled' in warning.message and warning.fix == 'omk-kimi hooks enable --user'
    assert ok(str(share_dir() / 'config.toml'), 'valid Kimi CLI config') in results


def test_hooks_enabled_in_the_user_config_is_ok(repo):
    assert main(['install', '--user']) == 0
    (share_dir() / 'config.toml').write_text(REAL_WORLD)
    assert main(['hooks', 'enable', '--user']) == 0
    results = diagnose_hooks_enabled(repo)
    assert set(severities(results)) == {'ok'}
    assert any(r.message == 'the bundled hooks are enabled' for r in results)


def test_hooks_enabled_only_in_the_project_config_is_ok_and_says_how_kimi_reads_it(repo):
    assert main(['install']) == 0
    assert main(['hooks', 'enable', '--config', '.kimi/config.toml']) == 0
    [enabled] = [r for r in diagnose_hooks_enabled(repo) if 'enabled' in r.message]
    assert enabled.severity == 'ok' and enabled.path == '.kimi/config.toml' and '--config-file' in enabled.message


def test_some_bundled_hooks_missing_is_a_warning_naming_how_many(repo):
    assert main(['install', '--user']) == 0
    assert main(['hooks', 'enable', '--user']) == 0
    config = share_dir() / 'config.toml'
    config.write_text(config.read_text().split('\n\n[[hooks]]\nevent = "SubagentStop"')[0] + '\n')
    [warning] = [r for r in diagnose_hooks_enabled(repo) if r.severity == 'warning']
    assert warning.message == 'only 3 of 4 bundled hooks are enabled'


def test_an_invalid_user_config_is_a_warning_and_an_invalid_project_config_an_error(repo):
    share_dir().mkdir()
    (share_dir() / 'config.toml').write_text('theme = "blue"\n')
    (repo / '.kimi').mkdir()
    (repo / '.kimi' / 'config.toml').write_text('[[hooks]]\nevent = "Stop"\ncommand = "x"\ntimeout = 0\n')
    by = severities(diagnose_hooks_enabled(repo))
    assert any('theme must be "dark" or "light"' in m for m in by['warning'])
    assert by['error'] == ['Kimi CLI would reject it: hooks[0]: timeout 0 is outside 1-600 seconds']


def test_a_broken_toml_user_config_is_reported_not_raised(repo):
    share_dir().mkdir()
    (share_dir() / 'config.toml').write_text('[[hooks]\n')
    results = diagnose_hooks_enabled(repo)
    assert any(r.severity == 'warning' and 'not valid TOML' in r.message for r in results)


def test_an_edited_bundled_table_is_a_warning(repo):
    assert main(['install', '--user']) == 0
    assert main(['hooks', 'enable', '--user']) == 0
    config = share_dir() / 'config.toml'
    config.write_text(config.read_text().replace('timeout = 30', 'timeout = 60'))
    messages = severities(diagnose_hooks_enabled(repo))['warning']
    assert any('completion-check.sh was edited after omk-kimi hooks enable' in m for m in messages)


def test_a_user_hook_whose_script_is_gone_is_a_warning_because_it_fails_open(repo):
    assert main(['install', '--user']) == 0
    assert main(['hooks', 'enable', '--user']) == 0
    (share_dir() / 'hooks' / 'safety-check.sh').unlink()
    [warning] = [r for r in diagnose_hooks_enabled(repo) if r.severity == 'warning']
    assert warning.path == str(share_dir() / 'hooks' / 'safety-check.sh') and warning.fix == 'omk-kimi sync --user'


def test_kimi_code_config_is_checked_with_its_strict_hook_keys(repo):
    code_home = Path(os.environ['KIMI_CODE_HOME'])
    code_home.mkdir()
    (code_home / 'config.toml').write_text('[[hooks]]\nevent = "Stop"\ncommand = "x"\nfail_mode = "closed"\n')
    by = severities(diagnose_hooks_enabled(repo))
    assert any("unknown key 'fail_mode': Kimi Code CLI rejects it" in m for m in by['warning'])


def code_home() -> Path:
    return Path(os.environ['KIMI_CODE_HOME'])


def test_doctor_for_kimi_code_reports_only_kimi_codes_config(repo, capsys):
    assert main(['install', '--user']) == 0
    assert main(['hooks', 'enable', '--user']) == 0  # the Kimi CLI config, hooks enabled
    assert main(['install', '--target', 'kimi-code']) == 0
    code_home().mkdir()
    results = diagnose_hooks_enabled(repo, 'kimi-code')
    assert {r.path for r in results} == {str(code_home() / 'config.toml')}
    [warning] = results
    assert 'not enabled in any config Kimi Code CLI reads' in warning.message
    assert warning.fix == 'omk-kimi hooks enable --user --target kimi-code'
    capsys.readouterr()
    main(['doctor', '--target', 'kimi-code'])
    group = capsys.readouterr().out.split('[Kimi config')[1].split('[kimi command]')[0]
    assert str(code_home() / 'config.toml') in group and str(share_dir() / 'config.toml') not in group


def test_doctor_for_kimi_code_judges_its_config_by_kimi_codes_rules_and_sees_its_hooks(repo):
    assert main(['install', '--user', '--target', 'kimi-code']) == 0
    (code_home() / 'config.toml').write_text('default_model = "x"\n')  # Kimi CLI would refuse this; Kimi Code not
    assert main(['hooks', 'enable', '--user', '--target', 'kimi-code']) == 0
    results = diagnose_hooks_enabled(repo, 'kimi-code')
    config = str(code_home() / 'config.toml')
    assert results == [ok(config, 'valid Kimi Code CLI config'),
                       ok(config, 'the bundled hooks are enabled')]


def test_kimi_code_without_its_home_is_not_asked_to_enable_hooks(repo):
    share_dir().mkdir()
    assert diagnose_hooks_enabled(repo, 'kimi-code') == [
        ok('', 'no Kimi Code CLI config on this machine; hook enablement not checked')]


def test_kimi_code_hooks_running_the_kimi_cli_user_scripts_are_a_warning(repo):
    assert main(['install', '--user']) == 0
    assert main(['install', '--user', '--target', 'kimi-code']) == 0
    scripts = share_dir() / 'hooks'
    (code_home() / 'config.toml').write_text(''.join(
        f'[[hooks]]\nevent = "{e}"\ncommand = "{scripts / s}"\n{m}\n' for e, s, m in (
            ('PreToolUse', 'safety-check.sh', 'matcher = "^(Write|Edit|Bash)$"'), ('Stop', 'completion-check.sh', ''),
            ('SubagentStart', 'notify.sh', ''), ('SubagentStop', 'notify.sh', ''))))
    by = severities(diagnose_hooks_enabled(repo, 'kimi-code'))
    assert any('run the Kimi CLI user scripts' in m for m in by['warning'])
