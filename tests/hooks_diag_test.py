from __future__ import annotations

import os
from pathlib import Path

from omk_precommit.cli import main
from omk_precommit.hooks_diag import HookDiag, diagnose_hooks_enabled
from testing.kimi_configs import REAL_WORLD


def share_dir() -> Path:
    return Path(os.environ['KIMI_SHARE_DIR'])


def severities(results: list[HookDiag]) -> dict[str, list[str]]:
    by: dict[str, list[str]] = {}
    for r in results:
        by.setdefault(r.severity, []).append(r.message)
    return by


def test_a_machine_without_any_kimi_home_is_not_asked_to_enable_hooks(repo):
    assert diagnose_hooks_enabled(repo) == [HookDiag('ok', '-', 'no Kimi config on this machine; hook enablement not checked')]


def test_hooks_not_enabled_in_the_config_kimi_reads_is_a_warning_with_the_fix(repo):
    share_dir().mkdir()
    (share_dir() / 'config.toml').write_text(REAL_WORLD)
    results = diagnose_hooks_enabled(repo)
    [warning] = [r for r in results if r.severity == 'warning']
    assert 'not enabled' in warning.message and warning.fix == 'omk-kimi hooks enable --user'
    assert HookDiag('ok', str(share_dir() / 'config.toml'), 'valid Kimi CLI config') in results


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
