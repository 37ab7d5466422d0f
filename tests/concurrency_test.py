"""Concurrent runs: the project lock keeps the manifest whole and every backup indexed."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from omk_precommit.engine.fsutil import project_lock
from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.errors import OmkError
from testing.omk import omk, omk_process
from testing.tier import per_tier
from testing.userfiles import (
    OTHER_USER_FILES,
    USER_FILES,
    assert_backups_indexed,
    assert_nothing_lost,
    assert_untouched,
    backup_files,
    write_files,
)

EDITS = {
    '.kimi/agents/architect/agent.yaml': b'version: 1\n# edited after install\n',
    '.kimi/hooks/notify.sh': b'#!/bin/sh\n# my notifier\n',
    '.kimi/agents/verifier/system.md': b'my own verifier prompt\n',
}


def _edited_install(root: Path) -> dict[str, list[bytes]]:
    write_files(root, USER_FILES)
    history = {rel: [data] for rel, (data, _) in USER_FILES.items()}
    assert omk(root, 'install').code == 0
    for rel, data in EDITS.items():
        (root / rel).write_bytes(data)
        history.setdefault(rel, []).append(data)
    return history


def _race(root: Path, first: tuple[str, ...], second: tuple[str, ...]) -> list[tuple[int, bytes]]:
    procs = [omk_process(root, *first), omk_process(root, *second)]
    return [(p.wait(), p.communicate()[1]) for p in procs]


def test_two_simultaneous_force_syncs_keep_every_backup_indexed(tmp_path: Path) -> None:
    template = tmp_path / 'template'
    template.mkdir()
    history = _edited_install(template)
    for i in range(per_tier(full=50, fast=6)):
        root = tmp_path / f'race-{i}'
        shutil.copytree(template, root, symlinks=True)
        for code, err in _race(root, ('sync', '--force'), ('sync', '--force')):
            assert code == 0, err.decode()
        try:
            manifest = assert_backups_indexed(root)
            assert manifest is not None
            assert_nothing_lost(root, history)
            assert_untouched(root, OTHER_USER_FILES)
            assert omk(root, 'check').code == 0
        except AssertionError as e:
            raise AssertionError(f'race {i}: {e}') from None
        # Each edit was backed up once, by whichever run came first; the second found nothing to do.
        assert len(backup_files(root)) == len(USER_FILES) - len(OTHER_USER_FILES) + len(EDITS)
        shutil.rmtree(root)


@pytest.mark.parametrize(('first', 'second'), [
    (('install',), ('rollback',)),
    (('rollback',), ('sync', '--force')),
    (('rollback',), ('rollback',)),
])
def test_racing_mutating_commands_never_fail_or_lose_a_file(
    tmp_path: Path, first: tuple[str, ...], second: tuple[str, ...],
) -> None:
    template = tmp_path / 'template'
    template.mkdir()
    history = _edited_install(template)
    for i in range(per_tier(full=8, fast=2)):
        root = tmp_path / f'race-{i}'
        shutil.copytree(template, root, symlinks=True)
        for code, err in _race(root, first, second):
            assert code == 0, err.decode()
        # A rollback that ran first leaves the backups of post-install edits to the user (and
        # says so), unindexed; an install after it indexes only what it backs up itself.
        AssetManifest.load(root)
        assert_nothing_lost(root, history, indexed_only=False)
        assert_untouched(root, OTHER_USER_FILES)
        shutil.rmtree(root)


def test_second_run_waits_for_the_lock_holder(tmp_path: Path) -> None:
    write_files(tmp_path, USER_FILES)
    holder = subprocess.Popen([
        sys.executable, '-c',
        'import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); '
        'fcntl.flock(fd, fcntl.LOCK_EX); print("locked", flush=True); time.sleep(0.6)',
        str(tmp_path),
    ], stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == b'locked\n'
    start = time.monotonic()
    result = omk(tmp_path, 'install')
    waited = time.monotonic() - start
    holder.wait()
    assert result.code == 0, result.err
    assert waited >= 0.3
    assert_backups_indexed(tmp_path)


def test_lock_wait_is_bounded_and_fails_with_one_clear_line(tmp_path: Path) -> None:
    with project_lock(tmp_path):
        with pytest.raises(OmkError) as info:
            with project_lock(tmp_path, timeout=0.2):
                pass  # pragma: no cover
    message = str(info.value)
    assert '\n' not in message
    assert 'another omk-kimi run holds the project lock' in message
