"""The staged check's blob cache: only blobs it has not seen are read from git, and it never
hides a staged change."""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from omk_precommit.engine import gitutil
from omk_precommit.engine.drift import Drift, DriftState
from omk_precommit.errors import OmkError
from omk_precommit.fastcheck.cachefile import cache_file
from omk_precommit.fastcheck.check import check_drift
from testing.gitrepo import git

PROMPT = '.kimi/agents/architect/system.md'
MANIFEST = '.kimi/omk-manifest.json'


@pytest.fixture
def blob_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The object ids the staged check reads from git (a spy: reading still happens)."""
    seen: list[str] = []
    real = gitutil.StagedFiles.read_objects

    def spy(self: gitutil.StagedFiles, names: list[str]) -> dict[str, bytes | None]:
        seen.extend(names)
        return real(self, names)

    monkeypatch.setattr(gitutil.StagedFiles, 'read_objects', spy)
    yield seen


def blob_id(repo: Path, rel: str) -> str:
    return git(repo, 'rev-parse', f':0:{rel}').stdout.strip()


def test_second_staged_check_reads_no_blob(installed: Path, blob_reads: list[str]) -> None:
    assert check_drift(installed, staged=True).drifted == []
    assert len(blob_reads) == 18  # the manifest and the 17 managed files
    blob_reads.clear()

    assert check_drift(installed, staged=True).drifted == []
    assert blob_reads == []


def test_a_staged_edit_is_read_and_blocks(installed: Path, blob_reads: list[str]) -> None:
    check_drift(installed, staged=True)
    blob_reads.clear()
    (installed / PROMPT).write_bytes(b'staged edit\n')
    git(installed, 'add', PROMPT)

    assert check_drift(installed, staged=True).drifted == [Drift(PROMPT, DriftState.MODIFIED)]
    assert blob_reads == [blob_id(installed, PROMPT)]


def test_reverting_the_staged_edit_passes_again_reading_only_that_file(installed: Path, blob_reads: list[str]) -> None:
    original = (installed / PROMPT).read_bytes()
    check_drift(installed, staged=True)
    (installed / PROMPT).write_bytes(b'staged edit\n')
    git(installed, 'add', PROMPT)
    check_drift(installed, staged=True)
    (installed / PROMPT).write_bytes(original)
    git(installed, 'add', PROMPT)
    blob_reads.clear()

    assert check_drift(installed, staged=True).drifted == []
    assert blob_reads == [blob_id(installed, PROMPT)]  # the cache keeps only the blobs last used


def test_a_staged_deletion_is_missing_with_a_warm_cache(installed: Path) -> None:
    check_drift(installed, staged=True)
    git(installed, 'rm', '-q', PROMPT)

    assert check_drift(installed, staged=True).drifted == [Drift(PROMPT, DriftState.MISSING)]


def test_a_staged_manifest_change_is_judged_afresh(installed: Path) -> None:
    check_drift(installed, staged=True)
    manifest = json.loads((installed / MANIFEST).read_text())
    next(e for e in manifest['files'] if e['path'] == PROMPT)['checksum'] = '0123456789abcdef'
    (installed / MANIFEST).write_text(json.dumps(manifest, indent=2) + '\n')
    git(installed, 'add', MANIFEST)

    assert check_drift(installed, staged=True).drifted == [Drift(PROMPT, DriftState.MODIFIED)]


@pytest.mark.parametrize('damage', ['garbage', 'empty', 'truncated'])
def test_damaged_blob_cache_is_ignored(installed: Path, damage: str) -> None:
    check_drift(installed, staged=True)
    path = cache_file(installed, 'omk-check-blobs.kimi')
    assert path is not None and path.is_file()
    data = path.read_bytes()
    path.write_bytes({'garbage': os.urandom(2048), 'empty': b'', 'truncated': data[:len(data) // 2]}[damage])
    (installed / PROMPT).write_bytes(b'staged edit\n')
    git(installed, 'add', PROMPT)

    assert check_drift(installed, staged=True).drifted == [Drift(PROMPT, DriftState.MODIFIED)]


def test_symlink_out_of_the_root_is_refused_with_a_warm_blob_cache(installed: Path, tmp_path: Path) -> None:
    check_drift(installed, staged=True)
    outside = tmp_path / 'outside-agents'
    shutil.move(str(installed / '.kimi' / 'agents'), str(outside))
    os.symlink(outside, installed / '.kimi' / 'agents')

    with pytest.raises(OmkError, match='outside the project root'):
        check_drift(installed, staged=True)


def test_blob_cache_lives_in_the_git_dir(installed: Path) -> None:
    check_drift(installed, staged=True)

    assert (installed / '.git' / 'omk-check-blobs.kimi').is_file()
    assert git(installed, 'status', '--porcelain').stdout == ''
