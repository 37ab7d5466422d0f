"""Crash injection: ``install``, ``sync --force`` and ``rollback`` killed by SIGKILL, then recovered.

The deterministic test kills a real ``omk-kimi`` process right after each of its durable
steps in turn (``OMK_CRASH_AFTER_WRITES``, see ``omk_precommit.engine.fsutil.crash_point``) until a
run finishes; the randomised one sends SIGKILL from outside after a seeded random delay.
After every crash: nothing the user had is lost (each version is in place or in an indexed
backup, byte for byte), a rollback straight away gives the user's files back, and re-running
the command recovers — the manifest loads, every backup is indexed, no temp file is left, a
drift check is clean — after which a rollback leaves exactly what the same command and a
rollback leave when nothing crashes (for install: the project the user started with).
"""
from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.fsutil import CRASH_ENV
from omk_precommit.engine.manifest import AssetManifest, EntryKind, ManifestEntry
from testing.omk import omk, omk_command, omk_env, omk_process
from testing.tier import per_tier
from testing.userfiles import (
    BACKUP_MARKER,
    OTHER_USER_FILES,
    USER_FILES,
    assert_backups_indexed,
    assert_nothing_lost,
    assert_untouched,
    temp_files,
    tree,
    write_files,
)

History = dict[str, list[bytes]]

EDITS = {
    '.kimi/agents/architect/agent.yaml': b'version: 1\n# my edit after install\n',
    '.kimi/hooks/safety-check.sh': b'#!/bin/sh\n# my own safety check\nexit 0\n',
}


def _user_project(root: Path) -> History:
    write_files(root, USER_FILES)
    return {rel: [data] for rel, (data, _) in USER_FILES.items()}


def _installed(root: Path) -> History:
    history = _user_project(root)
    assert omk(root, 'install').code == 0
    return history


def _edited_after_install(root: Path) -> History:
    history = _installed(root)
    for rel, data in EDITS.items():
        (root / rel).write_bytes(data)
        history.setdefault(rel, []).append(data)
    return history


def _older_bundle_installed(root: Path) -> History:
    """As if an older omk-kimi installed: other bytes in every managed file, one file since dropped."""
    history = _installed(root)
    manifest = AssetManifest.load(root)
    assert manifest is not None
    files = []
    for entry in manifest.files:
        old = b'# an older bundled version\n' + (root / entry.path).read_bytes()
        (root / entry.path).write_bytes(old)
        files.append(replace(entry, checksum=compute_checksum(old)))
    legacy = root / '.kimi/agents/legacy/agent.yaml'
    legacy.parent.mkdir()
    legacy.write_bytes(b'version: 1\n# a role agent no longer bundled\n')
    files.append(ManifestEntry('.kimi/agents/legacy/agent.yaml', EntryKind.AGENT_SPEC, compute_checksum(legacy.read_bytes())))
    directories = [*manifest.directories, '.kimi/agents/legacy']
    manifest.with_changes(files, directories, list(manifest.backups)).save(root)
    return history


@dataclass(frozen=True)
class Scenario:
    name: str
    prepare: Callable[[Path], History]
    command: tuple[str, ...]
    # Whether a rollback right after the crash puts every one of the user's original files back
    # (not so when the user edited a managed file: the edit is kept and the original stays in its backup).
    rollback_restores_originals: bool = True


SCENARIOS = (
    Scenario('install', _user_project, ('install',)),
    Scenario('sync-force-over-edits', _edited_after_install, ('sync', '--force'), rollback_restores_originals=False),
    Scenario('sync-force-upgrade', _older_bundle_installed, ('sync', '--force')),
    Scenario('rollback', _installed, ('rollback',)),
)


Tree = tuple[dict[str, tuple[bytes, int]], set[tuple[str, bytes]], set[str]]


def _settled(root: Path) -> Tree:
    """Files (bytes, mode) except backups; backups as (file they protect, bytes); directories.

    Backup names carry a timestamp, so two runs are compared by what their backups hold.
    """
    files, dirs = tree(root)
    backups = {(rel.split(BACKUP_MARKER)[0], data) for rel, (data, _) in files.items() if BACKUP_MARKER in rel}
    return {rel: v for rel, v in files.items() if BACKUP_MARKER not in rel}, backups, dirs


def _expected_end(template: Path, scenario: Scenario) -> Tree:
    """What the command then a rollback leave when nothing crashes: the bar for every recovery."""
    root = template.with_name(template.name + '-reference')
    shutil.copytree(template, root, symlinks=True)
    assert omk(root, *scenario.command).code == 0
    assert omk(root, 'rollback').code == 0
    return _settled(root)


def _assert_recovers(root: Path, scenario: Scenario, history: History, expected_end: Tree) -> None:
    """The checks every crashed (or finished) run must pass; ``root`` is used up."""
    assert_nothing_lost(root, history)
    assert_untouched(root, OTHER_USER_FILES)

    at_once = root.with_name(root.name + '-rollback-at-once')
    shutil.copytree(root, at_once, symlinks=True)
    result = omk(at_once, 'rollback')
    assert result.code == 0, result.err
    assert AssetManifest.load(at_once) is None
    assert_nothing_lost(at_once, history)
    if scenario.rollback_restores_originals:
        assert_untouched(at_once, USER_FILES)
    shutil.rmtree(at_once)

    result = omk(root, *scenario.command)
    assert result.code == 0, result.err
    assert_backups_indexed(root)
    assert temp_files(root) == []
    assert_nothing_lost(root, history)
    if scenario.command[0] != 'rollback':
        check = omk(root, 'check')
        assert check.code == 0, check.out + check.err

    assert omk(root, 'rollback').code == 0
    assert _settled(root) == expected_end
    assert_nothing_lost(root, history)


# The full tier kills after every durable step; the fast one after every fourth (1, 5, 9, ...).
STEP_STRIDE = per_tier(full=1, fast=4)


def test_kill_after_every_durable_step_loses_nothing(tmp_path: Path) -> None:
    runs: Counter[str] = Counter()
    deepest: Counter[str] = Counter()  # the last step a kill landed after: the command has at least that many
    for scenario in SCENARIOS:
        template = tmp_path / f'{scenario.name}-template'
        template.mkdir()
        history = scenario.prepare(template)
        expected_end = _expected_end(template, scenario)
        steps = 1 - STEP_STRIDE
        while True:
            steps += STEP_STRIDE
            work = tmp_path / f'{scenario.name}-{steps}'
            shutil.copytree(template, work, symlinks=True)
            proc = subprocess.run(
                omk_command(work, *scenario.command), env=omk_env(**{CRASH_ENV: str(steps)}),
                capture_output=True, check=False,
            )
            if proc.returncode == 0:
                # More steps allowed than the command takes: the crashes covered every step.
                _assert_recovers(work, scenario, history, expected_end)
                break
            assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
            runs[scenario.name] += 1
            deepest[scenario.name] = steps
            try:
                _assert_recovers(work, scenario, history, expected_end)
            except AssertionError as e:
                raise AssertionError(f'{scenario.name}, killed after durable step {steps}: {e}') from None
            shutil.rmtree(work)
        assert deepest[scenario.name] >= 5, f'{scenario.name}: only {deepest[scenario.name]} crash points'
    print(f'\ncrash injection: {sum(runs.values())} SIGKILLed runs ({", ".join(f"{k} {v}" for k, v in runs.items())}), '
          'zero user files lost or corrupted')
    assert sum(deepest.values()) >= 100, f'only {sum(deepest.values())} durable steps to crash after'


def test_sigkill_after_a_random_delay_loses_nothing(tmp_path: Path) -> None:
    """SIGKILL from outside at seeded random moments of real runs (24 runs in the full tier, 6 in the fast; seed 6)."""
    rng = random.Random(6)
    interrupted = 0
    total = 0
    for scenario in (SCENARIOS[0], SCENARIOS[1], SCENARIOS[3]):
        template = tmp_path / f'{scenario.name}-template'
        template.mkdir()
        history = scenario.prepare(template)
        expected_end = _expected_end(template, scenario)
        timing = tmp_path / f'{scenario.name}-timing'
        shutil.copytree(template, timing, symlinks=True)
        start = time.monotonic()
        assert omk_process(timing, *scenario.command).wait() == 0
        duration = time.monotonic() - start
        before = tree(template)
        for i in range(per_tier(full=8, fast=2)):
            work = tmp_path / f'{scenario.name}-random-{i}'
            shutil.copytree(template, work, symlinks=True)
            proc = omk_process(work, *scenario.command)
            time.sleep(rng.uniform(0.3, 1.1) * duration)
            proc.send_signal(signal.SIGKILL)
            code = proc.wait()
            assert code in (0, -signal.SIGKILL), proc.stderr.read().decode() if proc.stderr else ''
            total += 1
            interrupted += code != 0 and tree(work) != before
            _assert_recovers(work, scenario, history, expected_end)
            shutil.rmtree(work)
    print(f'\nrandom SIGKILL: {total} runs, {interrupted} killed after changing the tree, zero user files lost')
