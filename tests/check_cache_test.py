"""The drift check's stat cache never hides a change, never fails a check, and spares reads."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from omk_precommit.engine import drift
from omk_precommit.engine.checksum import fingerprint
from omk_precommit.engine.drift import Drift, DriftState
from omk_precommit.errors import OmkError
from omk_precommit.fastcheck import statcache
from omk_precommit.fastcheck import warm as hot_path_cache
from omk_precommit.fastcheck.cachefile import write_record
from omk_precommit.fastcheck.check import check_drift
from omk_precommit.fastcheck.statcache import StatCache, cache_path
from testing.gitrepo import commit_all, git, init_repo

PROMPT = '.kimi/agents/architect/system.md'
SHORT_WINDOW_NS = 50_000_000


@pytest.fixture
def short_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files settle after 50 ms instead of 3 s, so tests can warm the cache without waiting."""
    monkeypatch.setattr(statcache, 'RACY_WINDOW_NS', SHORT_WINDOW_NS)
    monkeypatch.setattr(hot_path_cache, 'RACY_WINDOW_NS', SHORT_WINDOW_NS)  # the hooks' hot path (commands.fast)


def settle() -> None:
    time.sleep(2 * SHORT_WINDOW_NS / 1e9)


@pytest.fixture
def installed(repo: Path, short_racy_window: None) -> Path:
    """A repo with the default install committed and settled past the (short) racy window."""
    install_project_assets(repo)
    commit_all(repo, 'install')
    settle()
    return repo


@pytest.fixture
def warm(installed: Path) -> Path:
    """``installed``, after a check that filled the stat cache."""
    assert check_drift(installed).drifted == []
    return installed


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths the drift check opens and reads, in order (a spy: reading still happens)."""
    seen: list[str] = []
    real = drift._read_regular

    def spy(path: str, *, follow: bool):  # type: ignore[no-untyped-def]
        seen.append(path)
        return real(path, follow=follow)

    monkeypatch.setattr(drift, '_read_regular', spy)
    yield seen


def rewrite_same_size_keeping_mtime(path: Path) -> None:
    """Change the bytes in place without changing the size, then put the old mtime back."""
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[0] = ord('X') if data[0] != ord('X') else ord('Y')
    with open(path, 'r+b') as f:
        f.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


@pytest.mark.parametrize('cache_state', ['fresh files', 'settled and cached'])
def test_same_size_rewrite_inside_timestamp_granularity_is_reported_as_drift(
    repo: Path, short_racy_window: None, cache_state: str,
) -> None:
    install_project_assets(repo)
    if cache_state == 'settled and cached':
        settle()
    assert check_drift(repo).drifted == []

    rewrite_same_size_keeping_mtime(repo / PROMPT)

    assert check_drift(repo).drifted == [Drift(PROMPT, DriftState.MODIFIED)]


def _forge_cache_entry_for_current_stat(repo: Path, rel: str, old_bytes: bytes, written_after_change_ns: int) -> None:
    """Write a cache that vouches for ``rel``'s current stat with the fingerprint of ``old_bytes``,
    as a check would have if it had hashed the file and the rewrite left the stat identical
    (a file system with coarse timestamps), and date the cache that long after the last change."""
    st = (repo / rel).stat()
    cache = StatCache(cache_path(repo, '.kimi'))
    cache.started_ns = st.st_ctime_ns + statcache.RACY_WINDOW_NS + 1  # so that store() keeps it
    cache.store(rel, st, fingerprint(old_bytes))
    cache.started_ns = max(st.st_mtime_ns, st.st_ctime_ns) + written_after_change_ns
    cache.save()


def test_rewrite_that_leaves_the_stat_identical_is_drift_inside_the_racy_window(installed: Path) -> None:
    old = (installed / PROMPT).read_bytes()
    rewrite_same_size_keeping_mtime(installed / PROMPT)
    # The cache claims to have hashed the file in the same instant it was last changed.
    _forge_cache_entry_for_current_stat(installed, PROMPT, old, written_after_change_ns=1)

    assert check_drift(installed).drifted == [Drift(PROMPT, DriftState.MODIFIED)]


def test_entry_hashed_after_the_racy_window_is_trusted_without_reading(installed: Path, reads: list[str]) -> None:
    # The counterpart of the test above: an identical stat is exactly what the cache relies
    # on, so only the racy rule can catch a rewrite that leaves the stat unchanged.
    old = (installed / PROMPT).read_bytes()
    rewrite_same_size_keeping_mtime(installed / PROMPT)
    _forge_cache_entry_for_current_stat(installed, PROMPT, old, written_after_change_ns=statcache.RACY_WINDOW_NS + 1)

    check_drift(installed)

    assert str(installed / PROMPT) not in reads


def test_clean_check_with_a_warm_cache_reads_no_file(warm: Path, reads: list[str]) -> None:
    assert check_drift(warm).drifted == []
    assert reads == []


def test_only_the_changed_file_is_read_again(warm: Path, reads: list[str]) -> None:
    with open(warm / PROMPT, 'ab') as f:
        f.write(b'local edit\n')

    assert check_drift(warm).drifted == [Drift(PROMPT, DriftState.MODIFIED)]
    assert set(reads) == {str(warm / PROMPT)}  # read again only to look for conflict markers


def test_deleted_file_is_missing_with_a_warm_cache(warm: Path) -> None:
    (warm / PROMPT).unlink()

    assert check_drift(warm).drifted == [Drift(PROMPT, DriftState.MISSING)]


def test_restored_file_is_clean_again(warm: Path) -> None:
    original = (warm / PROMPT).read_bytes()
    (warm / PROMPT).write_bytes(b'edited\n')
    assert check_drift(warm).drifted != []

    (warm / PROMPT).write_bytes(original)

    assert check_drift(warm).drifted == []


def test_changed_manifest_is_judged_afresh_with_a_warm_cache(warm: Path) -> None:
    manifest_path = warm / '.kimi' / 'omk-manifest.json'
    manifest = json.loads(manifest_path.read_text())
    entry = next(e for e in manifest['files'] if e['path'] == PROMPT)
    recorded = entry['checksum']
    entry['checksum'] = '0123456789abcdef'
    manifest_path.write_text(json.dumps(manifest, indent=2) + '\n')

    assert check_drift(warm).drifted == [Drift(PROMPT, DriftState.MODIFIED)]

    entry['checksum'] = recorded
    manifest_path.write_text(json.dumps(manifest, indent=2) + '\n')
    settle()
    assert check_drift(warm).drifted == []
    assert check_drift(warm).drifted == []  # now from the cached manifest snapshot


def test_cache_lives_in_the_git_dir_and_git_status_stays_clean(warm: Path) -> None:
    assert (warm / '.git' / 'omk-check-cache.kimi').is_file()
    assert not list((warm / '.kimi').rglob('*cache*'))
    assert git(warm, 'status', '--porcelain').stdout == ''


def test_linked_worktree_has_its_own_cache(warm: Path, tmp_path: Path) -> None:
    worktree = tmp_path / 'linked'
    git(warm, 'worktree', 'add', '-q', str(worktree))
    settle()

    assert check_drift(worktree).drifted == []
    worktree_cache = cache_path(worktree, '.kimi')
    assert worktree_cache is not None and worktree_cache.is_file()
    assert worktree_cache.parent == (warm / '.git' / 'worktrees' / 'linked')

    (worktree / PROMPT).write_bytes(b'edited in the linked worktree\n')
    assert check_drift(worktree).drifted == [Drift(PROMPT, DriftState.MODIFIED)]
    assert check_drift(warm).drifted == []


def _valid_cache_bytes(repo: Path) -> bytes:
    path = cache_path(repo, '.kimi')
    assert path is not None
    return path.read_bytes()


@pytest.mark.parametrize('damage', [
    'empty', 'garbage', 'truncated', 'flipped byte', 'other release', 'valid crc, wrong shape',
])
def test_damaged_cache_is_ignored_and_the_check_stays_correct(warm: Path, damage: str) -> None:
    path = cache_path(warm, '.kimi')
    assert path is not None
    data = _valid_cache_bytes(warm)
    header, _, body = data.partition(b'\n')
    damaged = {
        'empty': b'',
        'garbage': os.urandom(4096),
        'truncated': data[:len(data) // 2],
        'flipped byte': data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
        'other release': header.replace(b'/', b'/9', 1) + b'\n' + body,
        'valid crc, wrong shape': None,
    }[damage]
    if damaged is None:
        write_record(path, header.split(b' ')[1], ('not', 'a', 'cache'))
        damaged = path.read_bytes()
    path.write_bytes(damaged)

    assert check_drift(warm).drifted == []
    (warm / PROMPT).write_bytes(b'edited\n')
    path.write_bytes(damaged)
    assert check_drift(warm).drifted == [Drift(PROMPT, DriftState.MODIFIED)]


def test_cache_that_cannot_be_written_never_fails_the_check(installed: Path) -> None:
    path = cache_path(installed, '.kimi')
    assert path is not None
    path.mkdir()  # os.replace onto a directory fails

    assert check_drift(installed).drifted == []
    (installed / PROMPT).write_bytes(b'edited\n')
    assert check_drift(installed).drifted == [Drift(PROMPT, DriftState.MODIFIED)]
    assert not [p for p in path.parent.iterdir() if p.name.endswith('.tmp')]


def test_check_outside_git_works_without_a_cache(tmp_path: Path, short_racy_window: None) -> None:
    install_project_assets(tmp_path)
    settle()

    assert check_drift(tmp_path).drifted == []
    (tmp_path / PROMPT).write_bytes(b'edited\n')
    assert check_drift(tmp_path).drifted == [Drift(PROMPT, DriftState.MODIFIED)]
    assert not [p for p in tmp_path.rglob('*') if 'cache' in p.name]


def test_crlf_checkout_is_not_drift_with_a_warm_cache(warm: Path) -> None:
    path = warm / PROMPT
    path.write_bytes(path.read_bytes().replace(b'\n', b'\r\n'))
    settle()

    assert check_drift(warm).drifted == []
    assert check_drift(warm).drifted == []


@pytest.mark.parametrize('cache_state', ['cold', 'warm'])
@pytest.mark.parametrize('link', ['.kimi/agents', PROMPT])
def test_symlink_out_of_the_root_is_refused(installed: Path, tmp_path: Path, cache_state: str, link: str) -> None:
    if cache_state == 'warm':
        check_drift(installed)
    outside = tmp_path / 'outside' / Path(link).name
    outside.parent.mkdir()
    shutil.move(str(installed / link), str(outside))  # same bytes, now outside the root
    os.symlink(outside, installed / link)

    with pytest.raises(OmkError, match='outside the project root'):
        check_drift(installed)


def test_symlink_to_a_file_inside_the_asset_dir_is_followed(warm: Path) -> None:
    copy = warm / '.kimi/prompt-copy.md'  # a link leaving .kimi/, even into the project, is refused (issue 13)
    shutil.copyfile(warm / PROMPT, copy)
    (warm / PROMPT).unlink()
    os.symlink(copy, warm / PROMPT)

    assert check_drift(warm).drifted == []
    copy.write_bytes(b'edited through the link\n')
    assert check_drift(warm).drifted == [Drift(PROMPT, DriftState.MODIFIED)]


@pytest.mark.parametrize('cache_state', ['cold', 'warm'])
def test_fifo_in_place_of_a_managed_file_is_drift_and_never_opened(installed: Path, cache_state: str) -> None:
    if cache_state == 'warm':
        check_drift(installed)
    (installed / PROMPT).unlink()
    os.mkfifo(installed / PROMPT)

    proc = subprocess.run(
        (sys.executable, '-m', 'omk_precommit', 'check'), cwd=installed, capture_output=True, text=True, timeout=60,
    )

    assert proc.returncode == 1
    assert f'{PROMPT}: modified' in proc.stdout


def test_directory_in_place_of_a_managed_file_is_drift(warm: Path) -> None:
    (warm / PROMPT).unlink()
    (warm / PROMPT).mkdir()

    assert check_drift(warm).drifted == [Drift(PROMPT, DriftState.MODIFIED)]


def test_clean_check_imports_neither_gitpython_nor_yaml_nor_the_manifest_module(tmp_path: Path) -> None:
    # Uses the real 3 s racy window: the point is the import set of a real warm run.
    repo = init_repo(tmp_path / 'project')
    assert main(['install', '--dir', str(repo)]) == 0
    time.sleep(statcache.RACY_WINDOW_NS / 1e9 + 0.2)
    probe = (
        'import sys\n'
        'from omk_precommit.cli import main\n'
        'code = main(["check"])\n'
        'print(" ".join(sorted(sys.modules)))\n'
        'raise SystemExit(code)\n'
    )
    for _ in range(2):  # the first run fills the cache, the second is the warm one
        proc = subprocess.run((sys.executable, '-c', probe), cwd=repo, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
    modules = set(proc.stdout.split('\n')[-2].split())

    heavy = {'git', 'yaml', 'tomlkit', 'dataclasses', 'subprocess', 'json',
             'omk_precommit.engine.manifest', 'omk_precommit.runtimes.bundled', 'omk_precommit.bundle.agents'}
    assert modules & heavy == set()


@pytest.mark.parametrize('argv', [
    ['check'], ['check', '--json'], ['check', '--staged'], ['check', '--staged', '--json'],
    ['check', '--target', 'kimi-code'], ['check', '--json', '--target', 'kimi-cli', '--staged'],
    ['check', '--dir', '.'], ['doctor', '--strict'], ['sync', '--fail-on-change', '--target', 'kimi-code'],
    ['hooks', 'enable', '--user', '--dry-run'], ['diff', 'a', 'b'],
])
def test_the_one_command_parser_parses_as_the_whole_parser(argv: list[str]) -> None:
    from omk_precommit.cli import build_parser

    assert build_parser([argv[0]]).parse_args(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize('argv', [
    [], ['nope'], ['--json', 'check'], ['check', '--target'], ['check', '--target', 'nope'], ['check', '--bogus'],
])
def test_bad_arguments_exit_2_with_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith('omk-kimi') and 'error:' in err[-1]


def test_hook_in_a_linked_worktree_finds_the_root_without_gitpython(installed: Path, tmp_path: Path) -> None:
    worktree = tmp_path / 'linked'
    git(installed, 'worktree', 'add', '-q', str(worktree))
    gitdir = installed / '.git' / 'worktrees' / 'linked'
    # What git exports to the hooks of a commit in a linked worktree.
    env = {**os.environ, 'GIT_DIR': str(gitdir), 'GIT_INDEX_FILE': str(gitdir / 'index')}
    (worktree / PROMPT).write_bytes(b'staged edit\n')
    git(worktree, 'add', PROMPT)
    probe = (
        'import sys\n'
        'from omk_precommit.cli import main\n'
        'code = main(["check"])\n'
        'print("gitpython imported" if "git" in sys.modules else "gitpython not imported")\n'
        'raise SystemExit(code)\n'
    )

    proc = subprocess.run((sys.executable, '-c', probe), cwd=worktree, env=env, capture_output=True, text=True, timeout=60)

    assert proc.returncode == 1, proc.stderr
    assert f'{PROMPT}: modified in the index' in proc.stdout
    assert proc.stdout.rstrip().endswith('gitpython not imported')
