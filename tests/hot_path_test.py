"""The hooks' hot path (``commands.fast``): the same bytes and exit status as the full commands,
answered only when the caches vouch for everything, with a short list of imports."""
from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import omk_precommit
from omk_precommit.cli import main
from omk_precommit.commands import fast
from omk_precommit.commands.install import install_project_assets
from omk_precommit.engine import manifest as manifest_module
from omk_precommit.fastcheck import cold, statcache, warm
from testing.gitrepo import commit_all, git
from testing.omk import install_both_runtimes
from testing.pathenv import path_without

SHORT_WINDOW_NS = 50_000_000
PROMPT = '.kimi/agents/architect/system.md'
# What the hot path must not import: each costs milliseconds on every commit (typing ~4 ms,
# pathlib ~4.5 ms with urllib.parse and ipaddress, re with enum ~7 ms, subprocess ~8 ms, ...).
HEAVY = {'typing', 'pathlib', 'argparse', 're', 'enum', 'array', 'collections', 'shutil', 'locale', 'dataclasses',
         'subprocess', 'json', 'yaml', 'tomlkit', 'git', 'contextlib', 'tempfile', 'omk_precommit.commands.base',
         'omk_precommit.engine.manifest', 'omk_precommit.doctor', 'omk_precommit.fastcheck.check',
         'omk_precommit.fastcheck.verdict'}
FORMS = [['check'], ['check', '--staged'], ['doctor'], ['doctor', '--staged'], ['doctor', '--strict'],
         ['check', '--target', 'kimi-code'], ['doctor', '--target=kimi-cli', '--staged'],
         ['doctor', '--json', '--target', 'kimi-code']]


def settle() -> None:
    time.sleep(2 * SHORT_WINDOW_NS / 1e9)


@pytest.fixture
def short_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statcache, 'RACY_WINDOW_NS', SHORT_WINDOW_NS)
    monkeypatch.setattr(warm, 'RACY_WINDOW_NS', SHORT_WINDOW_NS)
    monkeypatch.delenv('GIT_INDEX_FILE', raising=False)
    monkeypatch.delenv('PRE_COMMIT', raising=False)
    monkeypatch.setenv('PATH', path_without('kimi'))


@pytest.fixture
def both(repo: Path, short_window: None) -> Path:
    """Both runtimes installed and committed, settled."""
    install_both_runtimes(repo)
    settle()
    return repo


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """One entry per run: whether the hot path answered it."""
    runs: list[bool] = []
    real = fast.answer

    def spy(argv: list[str]) -> int | None:
        code = real(argv)
        runs.append(code is not None)
        return code

    monkeypatch.setattr(fast, 'answer', spy)
    yield runs


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def full_run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> tuple[int, str, str]:
    with monkeypatch.context() as m:
        m.setattr(fast, 'answer', lambda argv: None)
        return run(capsys, argv)


@pytest.mark.parametrize('argv', FORMS)
@pytest.mark.parametrize('hook', [False, True], ids=['by-hand', 'in-commit-hook'])
def test_hot_path_prints_what_the_full_command_prints_for_both_runtimes(
    both: Path, argv: list[str], hook: bool, answered: list[bool], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if hook:
        monkeypatch.setenv('GIT_INDEX_FILE', str(both / '.git' / 'index'))
        monkeypatch.setenv('PRE_COMMIT', '1')
    full = full_run(capsys, monkeypatch, argv)  # also fills the caches
    hot = run(capsys, argv)

    assert answered == [True]
    assert hot == full
    assert hot[0] == 0


def test_hot_path_in_a_linked_worktree_commit(both: Path, tmp_path: Path, answered: list[bool],
                                              capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    worktree = tmp_path / 'linked'
    git(both, 'worktree', 'add', '-q', str(worktree))
    gitdir = both / '.git' / 'worktrees' / 'linked'
    monkeypatch.chdir(worktree)
    # What git exports to the hooks of a commit in a linked worktree.
    monkeypatch.setenv('GIT_DIR', str(gitdir))
    monkeypatch.setenv('GIT_INDEX_FILE', str(gitdir / 'index'))
    settle()
    for argv in (['check'], ['doctor']):
        full = full_run(capsys, monkeypatch, argv)
        assert run(capsys, argv) == full
        assert 'omk-doctor-cache' not in ''.join(os.listdir(both / '.git'))  # the worktree has its own caches
    assert answered == [True, True]


@pytest.mark.parametrize('change', ['edit', 'delete', 'stage-edit', 'link-dir', 'manifest', 'new-agent-file'])
def test_anything_changed_falls_back_to_the_full_command(
    both: Path, change: str, answered: list[bool], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    for argv in (['check'], ['check', '--staged'], ['doctor'], ['doctor', '--staged']):
        run(capsys, argv)
    answered.clear()
    if change == 'edit':
        (both / PROMPT).write_text('edited\n')
    elif change == 'delete':
        (both / PROMPT).unlink()
    elif change == 'stage-edit':
        (both / PROMPT).write_text('edited\n')
        git(both, 'add', PROMPT)
    elif change == 'link-dir':  # same files, same stats, but now reached through a symlink
        outside = both.parent / 'elsewhere'
        (both / '.kimi' / 'agents').rename(outside)
        (both / '.kimi' / 'agents').symlink_to(outside)
    elif change == 'manifest':
        manifest = both / '.kimi' / 'omk-manifest.json'
        manifest.write_text(manifest.read_text() + ' ')
    else:
        (both / '.kimi' / 'agents' / 'architect' / 'extra.md').write_text('x\n')
    settle()

    answers = {}
    for argv in (['check'], ['check', '--staged'], ['doctor'], ['doctor', '--staged']):
        hot = run(capsys, argv)
        answers[' '.join(argv)] = answered[-1]
        assert hot == full_run(capsys, monkeypatch, argv)

    # Only what the change cannot affect is answered from the caches.
    assert answers['check'] is (change == 'new-agent-file')  # not a managed file
    assert answers['check --staged'] is (change not in ('stage-edit', 'link-dir'))
    assert answers['doctor'] is False
    if change == 'stage-edit':
        assert answers['doctor --staged'] is False


def remove_check_caches(root: Path) -> None:
    for cache in (root / '.git').glob('omk-check-*'):
        cache.unlink()


def stat_caches(root: Path) -> dict[str, tuple[object, ...] | None]:
    """The stat cache of each runtime, without the time it was written."""
    records = {}
    for base_dir in ('.kimi', '.kimi-code'):
        record = warm.stat_record(root / '.git' / f'omk-check-cache{base_dir}')
        records[base_dir] = None if record is None else record[1:]
    return records


@pytest.mark.parametrize('argv', [['check'], ['check', '--target', 'kimi-code'], ['check', '--dir', '{root}']])
@pytest.mark.parametrize('hook', [False, True], ids=['by-hand', 'in-commit-hook'])
@pytest.mark.parametrize('settled', [True, False], ids=['settled', 'racy'])
def test_cold_check_prints_and_caches_what_the_full_command_does(
    both: Path, argv: list[str], hook: bool, settled: bool, answered: list[bool],
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = [arg.replace('{root}', str(both)) for arg in argv]
    if hook:
        monkeypatch.setenv('GIT_INDEX_FILE', str(both / '.git' / 'index'))
        monkeypatch.setenv('PRE_COMMIT', '1')
    if not settled:  # every file and both manifests changed just now: nothing may be recorded of them
        for path in [*(both / '.kimi').rglob('*'), *(both / '.kimi-code').rglob('*')]:
            os.utime(path)
    remove_check_caches(both)
    full = full_run(capsys, monkeypatch, argv)
    full_caches = stat_caches(both)
    remove_check_caches(both)
    hot = run(capsys, argv)

    staged = hook and '--dir' not in argv  # a cold check of the index is the full command's (no blob cache)
    assert answered == [not staged]
    assert hot == full
    assert hot[0] == 0
    assert stat_caches(both) == full_caches
    if not staged:
        assert any(record is not None for record in full_caches.values())
        settle()
        assert run(capsys, argv) == full  # the cache the cold run wrote answers the next one
        assert answered[-1] is True


def crlf(root: Path) -> None:
    path = root / PROMPT
    path.write_bytes(path.read_bytes().replace(b'\n', b'\r\n'))


def edit_manifest(root: Path, change: str) -> None:
    path = root / '.kimi' / 'omk-manifest.json'
    data = json.loads(path.read_text())
    entry = data['files'][0]
    if change == 'older-version':
        data['version'] = 0
    elif change == 'uppercase-checksum':
        entry['checksum'] = entry['checksum'].upper()
    elif change == 'accepted':
        entry['base_checksum'] = entry['checksum']
    elif change == 'unknown-kind':
        entry['kind'] = 'widget'
    elif change == 'null-checksum':
        entry['checksum'] = None
    elif change == 'unsafe-path':
        entry['path'] = '.kimi/../outside.md'
    elif change == 'dot-path':
        entry['path'] = entry['path'].replace('/agents/', '/./agents/')
    elif change == 'backups':
        data['backups'] = [{'managed_path': entry['path'], 'backup_path': entry['path'] + '.omk-backup-1',
                            'created_at': '2026-01-01T00:00:00Z'}]
    elif change == 'duplicate-file':
        data['files'].append(dict(entry))
    text = json.dumps(data, indent=2)
    if change == 'duplicate-key':
        text = text.replace('"version": 1,', '"version": 1, "version": 1,', 1)
    elif change == 'surrogate':
        text = text.replace('"created_at": "', '"created_at": "\\ud800', 1)
    path.write_text(text)


# change -> (whether the cold path answers it, the exit status both paths give)
COLD_CHANGES = {
    'crlf': (True, 0), 'uppercase-checksum': (True, 0), 'null-checksum': (True, 0),
    'edit': (False, 1), 'delete': (False, 1), 'fifo': (False, 1), 'link-file': (False, 0), 'link-dir': (False, 2),
    'link-asset-dir': (False, 2), 'manifest-link': (False, 2), 'older-version': (False, 0), 'duplicate-key': (False, 2),
    'duplicate-file': (False, 2), 'accepted': (False, 0), 'unknown-kind': (False, 2), 'unsafe-path': (False, 2),
    'dot-path': (False, 0), 'backups': (False, 0), 'surrogate': (False, 2),
}


@pytest.mark.parametrize('change', COLD_CHANGES)
def test_cold_check_leaves_anything_unusual_to_the_full_command(
    both: Path, change: str, answered: list[bool], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prompt = both / PROMPT
    if change == 'crlf':
        crlf(both)
    elif change == 'edit':
        prompt.write_text('edited\n')
    elif change == 'delete':
        prompt.unlink()
    elif change == 'fifo':
        prompt.unlink()
        os.mkfifo(prompt)
    elif change == 'link-file':  # inside the root, same bytes: the full command judges the target
        prompt.rename(both / '.kimi' / 'prompt.md')
        prompt.symlink_to('../../prompt.md')
    elif change == 'link-dir':
        outside = both.parent / 'elsewhere'
        (both / '.kimi' / 'agents').rename(outside)
        (both / '.kimi' / 'agents').symlink_to(outside)
    elif change == 'link-asset-dir':
        (both / '.kimi').rename(both.parent / 'kimi-elsewhere')
        (both / '.kimi').symlink_to(both.parent / 'kimi-elsewhere')
    elif change == 'manifest-link':
        manifest = both / '.kimi' / 'omk-manifest.json'
        manifest.rename(both / 'manifest.json')
        manifest.symlink_to('../manifest.json')
    else:
        edit_manifest(both, change)
    settle()
    argv = ['check']
    remove_check_caches(both)
    hot = run(capsys, argv)
    remove_check_caches(both)
    full = full_run(capsys, monkeypatch, argv)

    assert (answered, hot[0]) == ([COLD_CHANGES[change][0]], COLD_CHANGES[change][1]), hot
    assert hot == full


def test_cold_check_knows_the_manifest_version_the_loader_writes() -> None:
    assert cold.MANIFEST_VERSION == manifest_module.MANIFEST_VERSION
    assert cold.KINDS == {kind.value for kind in manifest_module.EntryKind}


def test_outside_git_the_hot_path_does_not_answer(tmp_path: Path, short_window: None, answered: list[bool],
                                                  capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / 'plain'
    project.mkdir()
    install_project_assets(project)
    monkeypatch.chdir(project)
    settle()
    assert run(capsys, ['check'])[:2] == (0, '17 managed files match the manifest on disk\n')
    assert run(capsys, ['doctor'])[0] in (0, 1)
    assert answered == [False, False]


@pytest.mark.parametrize('argv', [['check', '--json'], ['check', '--dir'], ['check', '--bogus'], ['check', '--stag'],
                                  ['sync'], ['check', '--', 'x'], ['check', '--target', 'nope']])
def test_unusual_command_lines_are_left_to_argparse(argv: list[str]) -> None:
    assert fast.answer(argv) is None


HOOK_FORMS = (['check'], ['check', '--staged'], ['doctor'], ['doctor', '--staged'])


def test_warm_hook_run_imports_only_what_the_hot_path_needs(repo: Path) -> None:
    """The module set of a real warm run of each form the hooks run, from the package's source
    without the editable install's import hook (python -S: no .pth files run), as a regular
    install runs it."""
    install_project_assets(repo)
    (repo / 'AGENTS.md').write_text('Run the tests before committing.\n')
    commit_all(repo, 'install')
    time.sleep(warm.RACY_WINDOW_NS / 1e9 + 0.2)  # the real racy window (once for all forms): these are real runs
    source = str(Path(omk_precommit.__file__).parent.parent)
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([source, *site.getsitepackages()]),
           'PATH': path_without('kimi')}
    env.pop('GIT_INDEX_FILE', None)
    imported = {}
    for argv in HOOK_FORMS:
        probe = (
            'import sys\n'
            'from omk_precommit.cli import main\n'
            f'code = main({argv!r})\n'
            'print(" ".join(sorted(sys.modules)))\n'
            'raise SystemExit(code)\n'
        )
        for _ in range(2):  # the first run fills the caches, the second is the warm one
            proc = subprocess.run((sys.executable, '-S', '-c', probe), cwd=repo, env=env, capture_output=True,
                                  text=True, timeout=120)
            assert proc.returncode == 0, (argv, proc.stderr)
        imported[' '.join(argv)] = set(proc.stdout.splitlines()[-1].split())

    assert {form: 'omk_precommit.commands.fast' in modules for form, modules in imported.items()} == dict.fromkeys(
        imported, True)
    assert {form: modules & HEAVY for form, modules in imported.items()} == dict.fromkeys(imported, set())
