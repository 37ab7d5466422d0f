from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import tomlkit

from omk_precommit.cli import main
from omk_precommit.engine.findings import RULE_CONFIG, Finding, Severity
from omk_precommit.kimi_config.enable import split_findings
from omk_precommit.kimi_config.records import record_path
from testing.gitrepo import snapshot
from testing.kimi_configs import EMPTY_ARRAY, INLINE_ARRAY, REAL_WORLD


def user_config() -> Path:
    return Path(os.environ['KIMI_SHARE_DIR']) / 'config.toml'


def hooks_in(path: Path) -> list[dict[str, object]]:
    return tomlkit.parse(path.read_text(encoding='utf-8')).unwrap().get('hooks', [])


@pytest.fixture
def user_scripts(isolated_home: Path) -> Path:
    """The user scope installed (agents and the hook scripts user-level hooks run)."""
    assert main(['install', '--user']) == 0
    return Path(os.environ['KIMI_SHARE_DIR']) / 'hooks'


@pytest.mark.parametrize('text', [REAL_WORLD, EMPTY_ARRAY, INLINE_ARRAY, REAL_WORLD.replace('\n', '\r\n')],
                         ids=['real-world', 'hooks = []', 'inline array', 'crlf'])
def test_user_enable_then_disable_returns_the_config_byte_identical(user_scripts, text):
    config = user_config()
    config.write_bytes(text.encode())
    config.chmod(0o600)
    assert main(['hooks', 'enable', '--user']) == 0
    enabled = config.read_bytes()
    assert enabled != text.encode()
    assert [h['event'] for h in hooks_in(config)][-4:] == ['PreToolUse', 'Stop', 'SubagentStart', 'SubagentStop']
    assert main(['hooks', 'disable', '--user']) == 0
    assert config.read_bytes() == text.encode()
    assert config.stat().st_mode & 0o777 == 0o600
    assert not record_path(config).exists()


def test_enable_twice_changes_nothing_the_second_time(user_scripts):
    config = user_config()
    config.write_text(REAL_WORLD)
    assert main(['hooks', 'enable', '--user']) == 0
    once = (config.read_bytes(), record_path(config).read_bytes(), config.stat().st_mtime_ns)
    assert main(['hooks', 'enable', '--user']) == 0
    assert (config.read_bytes(), record_path(config).read_bytes(), config.stat().st_mtime_ns) == once


def test_user_hooks_run_the_users_scripts_by_absolute_path(user_scripts):
    assert main(['hooks', 'enable', '--user']) == 0
    commands = {h['command'] for h in hooks_in(user_config())}
    assert commands == {str(user_scripts / name) for name in ('safety-check.sh', 'completion-check.sh', 'notify.sh')}


def test_a_missing_config_is_created_and_disable_removes_it_and_the_directories_it_made(isolated_home, monkeypatch):
    monkeypatch.setenv('OMK_KIMI_USER_DIR', str(isolated_home / 'omk-user'))
    monkeypatch.setenv('KIMI_SHARE_DIR', str(isolated_home / 'share' / 'kimi'))
    assert main(['install', '--user']) == 0
    before = snapshot(isolated_home)
    assert main(['hooks', 'enable', '--user']) == 0
    config = isolated_home / 'share' / 'kimi' / 'config.toml'
    assert config.stat().st_mode & 0o777 == 0o600
    assert main(['hooks', 'disable', '--user']) == 0
    assert snapshot(isolated_home) == before
    assert not (isolated_home / 'share').exists()


def test_user_scope_picks_kimi_code_when_its_home_exists_and_says_why(user_scripts, capsys):
    code_home = Path(os.environ['KIMI_CODE_HOME'])
    code_home.mkdir()
    assert main(['install', '--user', '--target', 'kimi-code']) == 0
    capsys.readouterr()
    assert main(['hooks', 'enable', '--user']) == 0
    out = capsys.readouterr().out
    assert f'{code_home / "config.toml"}: chosen because the Kimi Code CLI home' in out
    assert 'so target kimi-code' in out
    hooks = hooks_in(code_home / 'config.toml')
    assert hooks[0]['matcher'] == '^(Write|Edit|Bash)$'  # anchored: exactly Kimi Code's file writers and shell
    assert all(set(h) <= {'event', 'matcher', 'command', 'timeout'} for h in hooks)
    assert not user_config().exists()


def test_user_enable_without_target_runs_the_scripts_of_the_cli_whose_config_it_chose(user_scripts, capsys):
    code_home = Path(os.environ['KIMI_CODE_HOME'])
    code_home.mkdir()
    capsys.readouterr()
    # Only the Kimi CLI's user scripts exist: Kimi Code's config must not run them; enable puts Kimi Code's in place.
    assert main(['hooks', 'enable', '--user']) == 0
    out = capsys.readouterr().out
    assert f'{code_home}: the hook scripts the config will run are missing; installing the user scope first' in out
    assert '.kimi-code/hooks/safety-check.sh: would be created' in out  # shown before it is written
    commands = {h['command'] for h in hooks_in(code_home / 'config.toml')}
    assert commands == {str(code_home / 'hooks' / n) for n in ('safety-check.sh', 'completion-check.sh', 'notify.sh')}
    assert all(os.access(c, os.X_OK) for c in commands)


def test_user_enable_dry_run_shows_the_scripts_it_would_install_and_writes_nothing(user_scripts, capsys):
    code_home = Path(os.environ['KIMI_CODE_HOME'])
    code_home.mkdir()
    capsys.readouterr()
    assert main(['hooks', 'enable', '--user', '--dry-run']) == 0
    out = capsys.readouterr().out
    assert 'would install the user scope first' in out
    assert '.kimi-code/hooks/safety-check.sh: would be created' in out
    assert 'would be added [[hooks]] PreToolUse ^(Write|Edit|Bash)$' in out
    assert list(code_home.iterdir()) == []


def test_user_enable_with_an_explicit_target_uses_that_targets_config_and_scripts(user_scripts):
    Path(os.environ['KIMI_CODE_HOME']).mkdir()
    assert main(['hooks', 'enable', '--user', '--target', 'kimi-cli']) == 0
    hooks = hooks_in(user_config())
    assert hooks[0]['matcher'] == '^(WriteFile|StrReplaceFile|Shell)$'
    assert {h['command'] for h in hooks} == {str(user_scripts / n) for n in ('safety-check.sh', 'completion-check.sh',
                                                                           'notify.sh')}
    assert not (Path(os.environ['KIMI_CODE_HOME']) / 'config.toml').exists()


@pytest.mark.parametrize('action', ['enable', 'disable'])
def test_a_problem_the_config_already_had_is_a_warning_not_a_failure(user_scripts, capsys, action):
    config = user_config()
    config.write_text('default_model = "x"\n')  # no [models]: Kimi CLI refuses it, but that is not our doing
    if action == 'disable':
        assert main(['hooks', 'enable', '--user']) == 0
    capsys.readouterr()
    assert main(['hooks', action, '--user']) == 0
    out = capsys.readouterr().out
    assert f"{config}: warning: already in the file before hooks {action}, left as it was: " \
           f"error: default_model 'x' is not in [models]" in out


def test_json_separates_the_problems_a_config_already_had_from_ours(user_scripts, capsys):
    user_config().write_text('default_model = "x"\n')
    capsys.readouterr()
    assert main(['hooks', 'enable', '--user', '--json']) == 0
    [report] = json.loads(capsys.readouterr().out)
    assert report['findings'] == []
    assert report['preexisting'] == [{'severity': 'error', 'check': '', 'path': str(user_config()),
                                      'message': "default_model 'x' is not in [models]", 'fix': None}]


def test_disable_user_finds_the_config_it_enabled_even_after_kimi_code_appears(user_scripts):
    config = user_config()
    config.write_text(REAL_WORLD)
    assert main(['hooks', 'enable', '--user']) == 0
    Path(os.environ['KIMI_CODE_HOME']).mkdir()
    assert main(['hooks', 'disable', '--user']) == 0
    assert config.read_text() == REAL_WORLD


def test_commands_with_spaces_and_apostrophes_are_quoted_for_toml_and_the_shell(isolated_home, monkeypatch):
    share = isolated_home / "it's my home" / '.kimi'
    monkeypatch.setenv('KIMI_SHARE_DIR', str(share))
    share.parent.mkdir()
    assert main(['install', '--user']) == 0
    assert main(['hooks', 'enable', '--user']) == 0
    gate = next(h for h in hooks_in(share / 'config.toml') if h['event'] == 'PreToolUse')
    # Kimi runs each command with /bin/sh -c in the session's work dir, the payload on stdin.
    def run(path: str) -> subprocess.CompletedProcess[str]:
        payload = json.dumps({'hook_event_name': 'PreToolUse', 'tool_name': 'WriteFile',
                              'tool_input': {'path': path, 'content': 'x'}})
        return subprocess.run(['/bin/sh', '-c', str(gate['command'])], input=payload, capture_output=True,
                              text=True, cwd=isolated_home, check=False)
    assert run('.env').returncode == 2
    assert 'refusing to write .env' in run('.env').stderr
    assert run('src/app.py').returncode == 0


def test_a_symlinked_config_stays_a_symlink(user_scripts, isolated_home):
    dotfile = isolated_home / 'dotfiles' / 'kimi.toml'
    dotfile.parent.mkdir()
    dotfile.write_text(REAL_WORLD)
    user_config().symlink_to(dotfile)
    assert main(['hooks', 'enable', '--user']) == 0
    assert user_config().is_symlink() and len(hooks_in(dotfile)) == 5
    assert main(['hooks', 'disable', '--user']) == 0
    assert user_config().is_symlink() and dotfile.read_text() == REAL_WORLD


@pytest.mark.parametrize('action', ['enable', 'disable'])
def test_dry_run_changes_nothing(user_scripts, isolated_home, action):
    user_config().write_text(REAL_WORLD)
    if action == 'disable':
        assert main(['hooks', 'enable', '--user']) == 0
    before = snapshot(isolated_home)
    assert main(['hooks', action, '--user', '--dry-run']) == 0
    assert snapshot(isolated_home) == before


def test_enable_without_the_user_scripts_installs_them_first(isolated_home, capsys):
    assert main(['hooks', 'enable', '--user']) == 0
    out = capsys.readouterr().out
    assert '.kimi/hooks/safety-check.sh: would be created' in out  # what it writes, shown first
    scripts = Path(os.environ['KIMI_SHARE_DIR']) / 'hooks'
    assert {h['command'] for h in hooks_in(user_config())} == {
        str(scripts / n) for n in ('safety-check.sh', 'completion-check.sh', 'notify.sh')}
    assert os.access(scripts / 'safety-check.sh', os.X_OK)


def test_enable_needs_to_be_told_which_config(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(['hooks', 'enable'])
    assert exit_info.value.code == 2
    assert 'one of the arguments --config --user is required' in capsys.readouterr().err


@pytest.mark.parametrize('text, message', [
    ('[[hooks]\nevent = 1', 'not valid TOML'),
    ('[hooks]\nevent = "Stop"\n', 'Kimi expects an array of [[hooks]] tables'),
    (b'\xff\xfe', 'not UTF-8'),
])
def test_a_config_it_cannot_edit_safely_is_an_error_line_and_stays_untouched(user_scripts, capsys, text, message):
    data = text if isinstance(text, bytes) else text.encode()
    user_config().write_bytes(data)
    assert main(['hooks', 'enable', '--user']) == 2
    err = capsys.readouterr().err
    assert err.startswith('omk-kimi: ') and err.count('\n') == 1 and message in err
    assert user_config().read_bytes() == data and not record_path(user_config()).exists()


def test_only_a_problem_the_edit_itself_introduced_counts_as_ours():
    broken = 'default_model = "missing"\n'
    problem = Finding(Severity.ERROR, 'c', "default_model 'missing' is not in [models]", rule=RULE_CONFIG)
    assert split_findings('', broken, 'kimi-cli', 'c') == ([problem], [])
    assert split_findings(broken, broken, 'kimi-cli', 'c') == ([], [problem])


def test_a_broken_user_table_renumbered_by_disable_is_still_the_users_problem(user_scripts, capsys):
    config = user_config()
    assert main(['hooks', 'enable', '--user']) == 0
    with config.open('a') as f:
        f.write('\n[[hooks]]\nevent = "NoSuchEvent"\ncommand = "true"\n')
    capsys.readouterr()
    assert main(['hooks', 'disable', '--user']) == 0
    out = capsys.readouterr().out
    assert 'already in the file before hooks disable' in out and 'hooks[0]' in out


def test_disable_without_a_record_is_a_clean_no_op(user_scripts, isolated_home, capsys):
    user_config().write_text(REAL_WORLD)
    before = snapshot(isolated_home)
    assert main(['hooks', 'disable', '--user']) == 0
    assert 'nothing to disable' in capsys.readouterr().out
    assert snapshot(isolated_home) == before


def test_disable_reports_an_edited_bundled_table_and_leaves_it(user_scripts, capsys):
    config = user_config()
    config.write_text(REAL_WORLD)
    assert main(['hooks', 'enable', '--user']) == 0
    config.write_text(config.read_text().replace('timeout = 30', 'timeout = 45'))
    capsys.readouterr()
    assert main(['hooks', 'disable', '--user']) == 0
    out = capsys.readouterr().out
    assert 'kept: edited since hooks enable' in out and 'completion-check.sh' in out
    assert [h['event'] for h in hooks_in(config)] == ['PostToolUse', 'Stop']


def test_json_output_lists_what_was_added(user_scripts, capsys):
    capsys.readouterr()
    assert main(['hooks', 'enable', '--user', '--json']) == 0
    [report] = json.loads(capsys.readouterr().out)
    assert report['created_file'] is True and len(report['added']) == 4 and report['cli'] == 'kimi-cli'


def test_project_config_gets_relative_commands_and_rollback_takes_them_out(repo):
    assert main(['install']) == 0
    config = repo / '.kimi' / 'config.toml'
    config.write_text(REAL_WORLD)
    assert main(['hooks', 'enable', '--config', '.kimi/config.toml']) == 0
    assert {h['command'] for h in hooks_in(config)} >= {'.kimi/hooks/safety-check.sh', '.kimi/hooks/notify.sh'}
    assert main(['rollback']) == 0
    assert config.read_text() == REAL_WORLD
    assert not record_path(config).exists()


def test_project_config_created_by_enable_leaves_nothing_behind_after_rollback(repo):
    before = snapshot(repo)
    assert main(['install']) == 0
    assert main(['hooks', 'enable', '--config', '.kimi/config.toml']) == 0
    assert main(['rollback']) == 0
    assert snapshot(repo) == before and not (repo / '.kimi').exists()


def test_hooks_without_an_action_still_lists_the_bundled_hooks(capsys):
    assert main(['hooks']) == 0
    listed = capsys.readouterr().out
    assert main(['hooks', 'list']) == 0
    assert capsys.readouterr().out == listed and 'safety-check.sh' in listed


def test_a_config_it_cannot_write_is_an_error_line_not_a_traceback(repo, capsys):
    assert main(['install']) == 0
    (repo / 'not-a-dir').write_text('a file in the way\n')
    assert main(['hooks', 'enable', '--config', 'not-a-dir/config.toml']) == 2
    err = capsys.readouterr().err
    assert err.startswith('omk-kimi: ') and 'cannot write' in err and err.count('\n') == 1


def test_a_crash_between_record_and_config_write_is_recovered_by_the_next_run(user_scripts):
    config = user_config()
    config.write_text(REAL_WORLD)
    assert main(['hooks', 'enable', '--user']) == 0
    config.write_text(REAL_WORLD)  # as if the process died after saving the record, before the config
    assert main(['hooks', 'enable', '--user']) == 0
    assert len(json.loads(record_path(config).read_text())['tables']) == 4
    assert main(['hooks', 'disable', '--user']) == 0
    assert config.read_text() == REAL_WORLD and not record_path(config).exists()


def _project_record(repo: Path) -> Path:
    assert main(['install']) == 0
    assert main(['hooks', 'enable', '--config', '.kimi/config.toml']) == 0
    return record_path(repo / '.kimi' / 'config.toml')


def test_a_record_claiming_directories_above_the_project_never_removes_them(repo, capsys):
    """Issue 13: ``created_parent_dirs: 10`` made rollback remove empty directories above the project."""
    record = _project_record(repo)
    data = json.loads(record.read_text())
    data['created_parent_dirs'] = 10
    record.write_text(json.dumps(data))
    empty_above = repo.parent / 'empty-sibling-parent'
    (repo.parent / 'empty-sibling-parent').mkdir()
    parents = [p for p in repo.parents][:3]
    assert main(['rollback']) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'omk-hooks.json' in err and 'Traceback' not in err
    assert repo.is_dir() and all(p.is_dir() for p in parents) and empty_above.is_dir()
    assert (repo / '.kimi' / 'config.toml').exists()


@pytest.mark.parametrize('change, message', [
    ({'created_parent_dirs': -1}, 'created_parent_dirs must be'),
    ({'created_parent_dirs': 9}, 'created_parent_dirs must be'),
    ({'created_parent_dirs': 1.5}, 'wrong type'),
    ({'created_parent_dirs': True}, 'wrong type'),
    ({'created_parent_dirs': '1'}, 'wrong type'),
    ({'created_file': 1}, 'wrong type'),
    ({'created_file': False, 'created_parent_dirs': 1}, 'contradicts itself'),
    ({'version': 0}, 'unsupported version'),
    ({'version': 2}, 'unsupported version'),
    ({'version': '1'}, 'wrong type'),
    ({'cli': 'emacs'}, 'unknown cli'),
    ({'cli': 7}, 'wrong type'),
    ({'tables': {}}, 'wrong type'),
    ({'tables': [1]}, 'must be an object'),
    ({'tables': [{'table': {'event': 'Stop'}, 'inserted': 5}]}, 'wrong type'),
    ({'tables': [{'table': {'event': True}, 'inserted': 'x'}]}, 'strings or integers'),
    ({'tables': [{'table': {}, 'inserted': 'x'}]}, 'strings or integers'),
    ({'tables': [{'table': {'event': 'Stop'}, 'inserted': ''}]}, 'must not be empty'),
    ({'tables': [{'inserted': 'x'}]}, "missing field 'table'"),
    (None, 'top level must be an object'),
])
def test_every_field_of_the_hooks_record_is_validated(repo, capsys, change, message):
    record = _project_record(repo)
    data = json.loads(record.read_text())
    record.write_text(json.dumps(data | change if change is not None else [data]))
    before = snapshot(repo)
    assert main(['hooks', 'disable', '--config', '.kimi/config.toml']) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and message in err and str(record.name) in err, err
    assert snapshot(repo) == before


def test_a_hooks_record_with_a_key_given_twice_is_refused(repo, capsys):
    record = _project_record(repo)
    record.write_text(record.read_text().replace('"created_file": ', '"created_file": false, "created_file": ', 1))
    assert main(['rollback']) == 2
    assert 'appears twice' in capsys.readouterr().err


def test_disable_removes_only_the_empty_directories_it_created_inside_the_project(repo):
    assert main(['install']) == 0
    assert main(['hooks', 'enable', '--config', 'conf/kimi/config.toml']) == 0
    config = repo / 'conf' / 'kimi' / 'config.toml'
    assert json.loads(record_path(config).read_text())['created_parent_dirs'] == 2
    (repo / 'conf' / 'notes.txt').write_text('added after enable\n')
    assert main(['hooks', 'disable', '--config', 'conf/kimi/config.toml']) == 0
    assert not (repo / 'conf' / 'kimi').exists() and (repo / 'conf' / 'notes.txt').exists()
