"""Hostile files: each gives a correct result or one clear line, and no data is lost.

Binary, non-UTF-8, CRLF, empty, 100 MB, unreadable, a directory or a FIFO where a file
belongs, and a read-only ``.kimi/``. Permission cases run as an unprivileged user (see
``testing.unprivileged``), because root ignores permission bits.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from omk_precommit.engine import checksum
from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.runtimes.bundled import bundled_assets, bundled_by_path
from testing.omk import Result, omk
from testing.unprivileged import as_other_user, hand_over, shared_tempdir
from testing.userfiles import MANAGED_USER_FILES, OTHER_USER_FILES, USER_FILES, assert_untouched, tree, write_files

AGENT = '.kimi/agents/architect/agent.yaml'
NOTIFY = '.kimi/hooks/notify.sh'


def _one_clear_line(result: Result, *needles: str) -> None:
    assert result.code == 2, result
    assert result.err.startswith('omk-kimi: ') and result.err.count('\n') == 1, result.err
    assert 'Traceback' not in result.err
    for needle in needles:
        assert needle in result.err, result.err


class Hung(Exception):
    """Not an OSError, so that no ``except OSError`` in the code under test can swallow it."""


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a FIFO read would block forever)."""
    def expire(signum: int, frame: object) -> None:
        raise Hung(f'still running after {seconds}s: something waits on a FIFO')

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_binary_non_utf8_crlf_and_empty_files_come_back_byte_for_byte(tmp_path: Path) -> None:
    write_files(tmp_path, USER_FILES)
    before = tree(tmp_path)
    assert omk(tmp_path, 'install').code == 0
    for rel, (data, _) in MANAGED_USER_FILES.items():
        assert (tmp_path / rel).read_bytes() == bundled_by_path()[rel].content
        backups = list((tmp_path / rel).parent.glob(Path(rel).name + '.omk-backup-*'))
        assert [b.read_bytes() for b in backups] == [data]
    assert omk(tmp_path, 'check').code == 0
    assert omk(tmp_path, 'rollback').code == 0
    assert tree(tmp_path) == before


def test_crlf_checkout_of_managed_files_is_not_drift_and_rolls_back(tmp_path: Path) -> None:
    assert omk(tmp_path, 'install').code == 0
    for asset in bundled_assets():
        path = tmp_path / asset.path
        path.write_bytes(asset.content.replace(b'\n', b'\r\n'))
    assert omk(tmp_path, 'check').code == 0
    assert omk(tmp_path, 'sync').code == 0
    assert omk(tmp_path, 'rollback').code == 0
    assert not (tmp_path / '.kimi').exists()


def test_diff_of_binary_and_non_utf8_drift_says_binary_files_differ(tmp_path: Path) -> None:
    assert omk(tmp_path, 'install').code == 0
    (tmp_path / AGENT).write_bytes(b'\xff\xfe\x00binary')
    (tmp_path / NOTIFY).write_bytes(b'')
    result = omk(tmp_path, 'diff')
    assert result.code == 1
    assert f'Binary files a/{AGENT} and b/{AGENT} differ' in result.out
    assert f'--- a/{NOTIFY}' in result.out  # an emptied file is an ordinary diff
    check = omk(tmp_path, 'check')
    assert check.code == 1 and f'{AGENT}: modified' in check.out and f'{NOTIFY}: modified' in check.out


def _big_file(path: Path, size: int) -> str:
    """A sparse ``size``-byte file with data scattered through it; returns its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'wb') as f:
        f.truncate(size)
        for offset in range(0, size, size // 7):
            f.seek(offset)
            f.write(os.urandom(4096))
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        while chunk := f.read(1 << 24):
            digest.update(chunk)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_100_mb_file_in_the_way_is_backed_up_and_restored(tmp_path: Path) -> None:
    big = tmp_path / '.kimi/skills/omk-managed-assets/SKILL.md'
    digest = _big_file(big, 100 * 1024 * 1024)
    start = time.monotonic()
    assert omk(tmp_path, 'install').code == 0
    installed = time.monotonic()
    [backup] = big.parent.glob('SKILL.md.omk-backup-*')
    assert _sha256(backup) == digest
    assert omk(tmp_path, 'rollback').code == 0
    print(f'\n100 MB file: install (backup + replace) {installed - start:.1f}s, '
          f'rollback (restore) {time.monotonic() - installed:.1f}s')
    assert _sha256(big) == digest
    assert not backup.exists()


@pytest.mark.skipif(checksum.fnv1a_64 is checksum.fnv1a_64_pure,
                    reason='hashing 100 MB in pure-Python FNV-1a takes ~10 s; runs with the C-speed FNV')
def test_check_reports_a_managed_file_grown_to_100_mb(tmp_path: Path) -> None:
    assert omk(tmp_path, 'install').code == 0
    _big_file(tmp_path / AGENT, 100 * 1024 * 1024)
    result = omk(tmp_path, 'check')
    assert result.code == 1 and f'{AGENT}: modified' in result.out


def test_a_directory_where_a_file_belongs(tmp_path: Path) -> None:
    (tmp_path / AGENT).mkdir(parents=True)
    (tmp_path / AGENT / 'mine.txt').write_bytes(b'user data inside\n')
    before = tree(tmp_path)
    _one_clear_line(omk(tmp_path, 'install'), f'{AGENT}: is a directory, not a file; move it aside')
    assert tree(tmp_path) == before  # refused before touching anything
    (tmp_path / AGENT).rename(tmp_path / 'aside')
    assert omk(tmp_path, 'install').code == 0
    (tmp_path / AGENT).unlink()
    (tmp_path / 'aside').rename(tmp_path / AGENT)
    check = omk(tmp_path, 'check')
    assert check.code == 1 and f'{AGENT}: modified' in check.out
    diff = omk(tmp_path, 'diff')
    assert diff.code == 1 and f'{AGENT}: not a regular file' in diff.out
    _one_clear_line(omk(tmp_path, 'rollback'), f'{AGENT}: is a directory')
    assert (tmp_path / AGENT / 'mine.txt').read_bytes() == b'user data inside\n'


def test_a_fifo_where_a_file_belongs_never_hangs(tmp_path: Path) -> None:
    assert omk(tmp_path, 'install').code == 0
    (tmp_path / AGENT).unlink()
    os.mkfifo(tmp_path / AGENT)
    with _deadline(20):
        check = omk(tmp_path, 'check')
        assert check.code == 1 and f'{AGENT}: modified' in check.out
        assert omk(tmp_path, 'diff').code == 1
        _one_clear_line(omk(tmp_path, 'sync', '--force'), f'{AGENT}: is not a regular file')
        _one_clear_line(omk(tmp_path, 'rollback'), f'{AGENT}: is not a regular file')


@pytest.mark.parametrize('kind', ['fifo', 'directory', 'empty', 'binary'])
def test_a_broken_manifest_is_refused_in_one_line(tmp_path: Path, kind: str) -> None:
    write_files(tmp_path, OTHER_USER_FILES)
    manifest = tmp_path / '.kimi/omk-manifest.json'
    if kind == 'fifo':
        os.mkfifo(manifest)
    elif kind == 'directory':
        manifest.mkdir()
    else:
        manifest.write_bytes(b'' if kind == 'empty' else b'\x89PNG\r\n\x1a\n\x00\xff')
    with _deadline(20):
        for command in (('check',), ('diff',), ('sync',), ('install',), ('rollback',)):
            _one_clear_line(omk(tmp_path, *command), '.kimi/omk-manifest.json: ')
    assert_untouched(tmp_path, OTHER_USER_FILES)


def test_a_backup_that_became_a_fifo_stops_rollback_cleanly(tmp_path: Path) -> None:
    write_files(tmp_path, MANAGED_USER_FILES)
    assert omk(tmp_path, 'install').code == 0
    [backup] = (tmp_path / AGENT).parent.glob('agent.yaml.omk-backup-*')
    backup.unlink()
    os.mkfifo(backup)
    with _deadline(20):
        _one_clear_line(omk(tmp_path, 'rollback'), 'is not a regular file')
    assert AssetManifest.load(tmp_path) is not None  # nothing acted on, the record is intact


def test_an_unreadable_file_in_the_way_stops_install_before_any_change() -> None:
    with shared_tempdir() as root:
        write_files(root, USER_FILES)
        hand_over(root)
        os.chmod(root / AGENT, 0o000)
        before = tree(root)
        result = as_other_user(lambda: omk(root, 'install'))
        _one_clear_line(result, f'{AGENT}: cannot read (Permission denied)')
        assert tree(root) == before


def test_an_unreadable_managed_file_or_manifest_fails_check_in_one_line() -> None:
    with shared_tempdir() as root:
        assert omk(root, 'install').code == 0
        hand_over(root)
        os.chmod(root / NOTIFY, 0o000)
        _one_clear_line(as_other_user(lambda: omk(root, 'check')), f'{NOTIFY}: cannot read (Permission denied)')
        os.chmod(root / NOTIFY, 0o755)
        os.chmod(root / '.kimi/omk-manifest.json', 0o000)
        for command in ('check', 'sync', 'rollback'):
            result = as_other_user(functools.partial(omk, root, command))
            _one_clear_line(result, '.kimi/omk-manifest.json: cannot read')


def test_a_read_only_kimi_dir_fails_install_clearly_and_loses_nothing() -> None:
    with shared_tempdir() as root:
        write_files(root, USER_FILES)
        hand_over(root)
        for directory in (root / '.kimi', *(p for p in (root / '.kimi').rglob('*') if p.is_dir())):
            os.chmod(directory, 0o555)
        before = tree(root)
        result = as_other_user(lambda: omk(root, 'install'))
        _one_clear_line(result, 'cannot write (Permission denied)')
        assert tree(root) == before


def test_a_read_only_directory_stops_rollback_which_then_finishes_once_writable() -> None:
    with shared_tempdir() as root:
        write_files(root, USER_FILES)
        assert omk(root, 'install').code == 0
        hand_over(root)
        os.chmod(root / '.kimi/hooks', 0o555)
        result = as_other_user(lambda: omk(root, 'rollback'))
        _one_clear_line(result, 'cannot delete (Permission denied)')
        assert AssetManifest.load(root) is not None  # the record of what is left to undo is kept
        os.chmod(root / '.kimi/hooks', 0o755)
        assert as_other_user(lambda: omk(root, 'rollback')).code == 0
        assert_untouched(root, USER_FILES)
        assert AssetManifest.load(root) is None
