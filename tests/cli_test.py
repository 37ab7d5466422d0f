from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from omk_precommit import __version__
from omk_precommit.cli import main
from testing.cache import session_build
from testing.gitrepo import commit_all, directories, git, snapshot
from testing.installed import Installed, install_checkout, warning_lines


@pytest.fixture(scope='session')
def installed_checkout(tmp_path_factory) -> Installed:
    """A fresh venv into which a clean clone of this checkout was pip-installed (not editable);
    the fast tier reuses the install of this working copy from an earlier run, pip's output included."""
    path = session_build('installed-checkout', _install, lambda: tmp_path_factory.mktemp('installed'))
    return Installed(path / 'venv' / 'bin' / 'omk-kimi', (path / 'pip-output.txt').read_text())


def _install(path: Path) -> None:
    (path / 'pip-output.txt').write_text(install_checkout(path / 'venv').pip_output)


@pytest.fixture(scope='session')
def omk_kimi(installed_checkout):
    return installed_checkout.omk_kimi


def test_pip_install_from_a_clean_clone_prints_no_warnings(installed_checkout):
    assert 'Successfully installed' in installed_checkout.pip_output
    assert warning_lines(installed_checkout.pip_output) == []


def test_the_warning_filter_keeps_build_warnings_and_drops_only_this_machines_index_notes():
    output = (
        "WARNING: Location 'file:///opt/pypi/simple/pyyaml/' is ignored: it is neither a file nor a directory.\n"
        '  SetuptoolsDeprecationWarning: License classifiers are deprecated.\n'
        "  BuildBackendWarning: Package 'omk_precommit.bundle.data' is absent from the `packages` configuration.\n"
        'Successfully installed omk_precommit-0.1.0\n'
    )
    assert [line.split(':')[0].strip() for line in warning_lines(output)] == [
        'SetuptoolsDeprecationWarning', 'BuildBackendWarning']


def test_version_comes_from_the_one_place_that_holds_it(omk_kimi, tmp_path):
    proc = run(omk_kimi, '--version', cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == f'omk-kimi {__version__}\n'
    metadata = subprocess.run(
        (str(omk_kimi.parent / 'python'), '-c', 'import importlib.metadata as m; print(m.version("omk_precommit"))'),
        capture_output=True, text=True, check=True,
    )
    assert metadata.stdout.strip() == __version__


def run(omk_kimi, *args, cwd):
    return subprocess.run((str(omk_kimi), *args), cwd=cwd, capture_output=True, text=True)


def test_walkthrough_install_check_drift_diff_rollback(omk_kimi, repo):
    own = repo / '.kimi/agents/reviewer/system.md'
    own.parent.mkdir(parents=True)
    own.write_bytes(b'our reviewer prompt\n')
    commit_all(repo, 'our own .kimi')
    before, dirs_before = snapshot(repo), directories(repo)

    assert run(omk_kimi, 'install', cwd=repo).returncode == 0
    assert run(omk_kimi, 'check', cwd=repo).returncode == 0

    with open(repo / '.kimi/agents/architect/system.md', 'a') as f:
        f.write('An extra line from the team.\n')
    check = run(omk_kimi, 'check', cwd=repo)
    assert check.returncode == 1
    assert '.kimi/agents/architect/system.md: modified' in check.stdout

    diff = run(omk_kimi, 'diff', cwd=repo)
    assert '+An extra line from the team.' in diff.stdout
    assert '--- a/.kimi/agents/architect/system.md' in diff.stdout

    assert run(omk_kimi, 'rollback', cwd=repo).returncode == 0
    after = snapshot(repo)
    # The edited file is kept (never lose user content); everything else is as before install.
    assert after.pop('.kimi/agents/architect/system.md')[0].endswith(b'An extra line from the team.\n')
    assert after == before
    assert own.read_bytes() == b'our reviewer prompt\n'
    assert directories(repo) - dirs_before == {'.kimi/agents/architect'}


def test_check_from_a_subdirectory_finds_the_work_tree_root(omk_kimi, repo):
    run(omk_kimi, 'install', cwd=repo)
    sub = repo / 'src' / 'deep'
    sub.mkdir(parents=True)
    (repo / '.kimi/hooks/notify.sh').unlink()
    result = run(omk_kimi, 'check', cwd=sub)
    assert result.returncode == 1
    assert '.kimi/hooks/notify.sh: missing' in result.stdout


def test_python_dash_m_runs_the_cli(omk_kimi, repo):
    python = omk_kimi.parent / 'python'
    result = subprocess.run((str(python), '-m', 'omk_precommit', '--version'), capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith('omk-kimi ')


def test_default_root_is_the_linked_worktree_root(repo, tmp_path, capsys, monkeypatch):
    worktree = tmp_path / 'linked'
    git(repo, 'worktree', 'add', '-q', str(worktree))
    (worktree / 'pkg').mkdir()
    monkeypatch.chdir(worktree / 'pkg')
    assert main(['install']) == 0
    assert (worktree / '.kimi/omk-manifest.json').exists()
    assert not (repo / '.kimi').exists()


def test_default_root_with_git_dir_environment_uses_gitpython(repo, monkeypatch, tmp_path):
    monkeypatch.setenv('GIT_DIR', str(repo / '.git'))
    monkeypatch.setenv('GIT_WORK_TREE', str(repo))
    monkeypatch.chdir(tmp_path)
    assert main(['install']) == 0
    assert (repo / '.kimi/omk-manifest.json').exists()


def test_outside_git_the_current_directory_is_the_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(['install']) == 0
    assert (tmp_path / '.kimi/omk-manifest.json').exists()


def test_json_output_parses(repo, capsys):
    assert main(['install', '--json']) == 0
    assert json.loads(capsys.readouterr().out)['agents_installed'] == [
        'architect', 'executor', 'explore', 'reviewer', 'security', 'verifier',
    ]
    assert main(['check', '--json']) == 0
    assert json.loads(capsys.readouterr().out)['drifted'] == []
    for command in ('agents', 'hooks', 'skills'):
        assert main([command, '--json']) == 0
        assert json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(('argv', 'message'), [
    (['install', '--bogus'], 'unrecognized arguments: --bogus'),
    (['frobnicate'], "invalid choice: 'frobnicate'"),
    ([], 'the following arguments are required'),
])
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err


def test_dir_that_is_not_a_directory_exits_2(tmp_path, capsys):
    assert main(['check', '--dir', str(tmp_path / 'nope')]) == 2
    assert capsys.readouterr().err.strip().endswith('--dir is not a directory')


def test_corrupt_manifest_exits_2_with_one_line_naming_the_file(repo, capsys):
    main(['install'])
    capsys.readouterr()
    (repo / '.kimi/omk-manifest.json').write_text('{"version": 1, "files": [')
    for command in ('check', 'sync', 'rollback', 'install', 'diff'):
        assert main([command]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
        assert '.kimi/omk-manifest.json: not valid JSON' in err


def test_sync_fail_on_change_exits_1_once_then_0(repo, capsys):
    main(['install'])
    (repo / '.kimi/hooks/notify.sh').unlink()
    assert main(['sync', '--fail-on-change']) == 1
    assert main(['sync', '--fail-on-change']) == 0


def test_sync_conflict_exits_1_and_says_where_the_new_version_is(repo, capsys):
    main(['install'])
    manifest = json.loads((repo / '.kimi/omk-manifest.json').read_text())
    for entry in manifest['files']:
        if entry['path'] == '.kimi/agents/executor/system.md':
            entry['checksum'] = '0' * 16
    (repo / '.kimi/omk-manifest.json').write_text(json.dumps(manifest))
    (repo / '.kimi/agents/executor/system.md').write_text('local\n')
    capsys.readouterr()
    assert main(['sync', '--sidecar']) == 1
    assert '.kimi/agents/executor/system.md: conflict' in capsys.readouterr().out
    assert (repo / '.kimi/agents/executor/system.md.omk-new').exists()


def test_colour_only_on_a_tty_and_never_with_no_color(repo):
    # Output is captured (not a TTY) here: no escape codes.
    result = subprocess.run(
        ('python', '-m', 'omk_precommit', 'check'), cwd=repo, capture_output=True, text=True,
        env={**os.environ, 'PYTHONPATH': os.getcwd()},
    )
    assert '\033[' not in result.stdout


def test_sync_fail_on_change_does_not_count_a_git_ignored_file_it_restores(repo, capsys):
    # What a fresh clone or CI checkout looks like: the ignored managed file was never committed.
    main(['install'])
    (repo / '.gitignore').write_text('.kimi/hooks/notify.sh\n')
    commit_all(repo, 'install')
    (repo / '.kimi/hooks/notify.sh').unlink()
    capsys.readouterr()

    assert main(['check']) == 0
    assert main(['sync', '--fail-on-change']) == 0
    out = capsys.readouterr().out
    assert '.kimi/hooks/notify.sh: created (ignored by git, not counted)' in out
    assert (repo / '.kimi/hooks/notify.sh').is_file()


def test_sync_fail_on_change_still_counts_a_tracked_file_beside_an_ignored_one(repo, capsys):
    main(['install'])
    (repo / '.gitignore').write_text('.kimi/hooks/notify.sh\n')
    commit_all(repo, 'install')
    (repo / '.kimi/hooks/notify.sh').unlink()
    (repo / '.kimi/hooks/safety-check.sh').unlink()
    capsys.readouterr()

    assert main(['sync', '--fail-on-change']) == 1
    out = capsys.readouterr().out
    assert '.kimi/hooks/safety-check.sh: created\n' in out
    assert '.kimi/hooks/notify.sh: created (ignored by git, not counted)' in out
    assert main(['sync', '--fail-on-change', '--json']) == 0
    assert json.loads(capsys.readouterr().out)['ignored'] == []


def test_check_summary_does_not_count_a_skipped_file_as_matching(repo, capsys):
    main(['install'])
    managed = len(json.loads((repo / '.kimi/omk-manifest.json').read_text())['files'])
    (repo / '.gitignore').write_text('.kimi/hooks/notify.sh\n')
    (repo / '.kimi/hooks/notify.sh').unlink()
    capsys.readouterr()

    assert main(['check']) == 0

    out = capsys.readouterr().out
    assert f'{managed - 1} managed files match the manifest on disk, 1 skipped (ignored by git)' in out


@pytest.mark.parametrize('where, path', [
    ('src', '../.kimi/hooks/notify.sh'),
    ('.kimi/hooks', 'notify.sh'),
    ('.kimi/hooks', './notify.sh'),
    ('src', '{root}/.kimi/hooks/notify.sh'),
    ('src', '.kimi/hooks/notify.sh'),  # root-relative from anywhere
    ('.kimi', '.kimi/hooks/notify.sh'),
])
def test_diff_takes_paths_relative_to_the_current_directory_absolute_or_root_relative(
        repo, capsys, monkeypatch, where, path):
    main(['install'])
    with open(repo / '.kimi/hooks/notify.sh', 'a') as f:
        f.write('# my edit\n')
    with open(repo / '.kimi/hooks/safety-check.sh', 'a') as f:
        f.write('# another edit\n')
    (repo / where).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(repo / where)
    capsys.readouterr()

    assert main(['diff', path.format(root=repo)]) == 1

    out = capsys.readouterr().out
    assert '--- a/.kimi/hooks/notify.sh' in out and '+# my edit' in out
    assert 'safety-check' not in out


def test_diff_of_a_deleted_managed_file_named_from_its_directory(repo, capsys, monkeypatch):
    main(['install'])
    (repo / '.kimi/hooks/notify.sh').unlink()
    monkeypatch.chdir(repo / '.kimi/hooks')
    capsys.readouterr()

    assert main(['diff', 'notify.sh']) == 1
    assert '+++ /dev/null' in capsys.readouterr().out


def test_diff_of_an_unmanaged_path_is_one_clear_error(repo, capsys, monkeypatch):
    main(['install'])
    monkeypatch.chdir(repo / '.kimi')
    capsys.readouterr()

    assert main(['diff', '../README.md']) == 2
    assert capsys.readouterr().err.strip() == (
        'omk-kimi: ../README.md: not a file the manifest manages; run omk-kimi check to list drift')


def test_diff_help_explains_path(capsys):
    with pytest.raises(SystemExit):
        main(['diff', '--help'])
    assert 'relative to the current directory' in capsys.readouterr().out
