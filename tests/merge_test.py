"""Sync's three-way table as implemented, with the bundle upgrade simulated in one process.

An "older release" is the current bundle with one line changed: it is written, recorded in the
manifest and committed, as a committed install of that release would be; the current bundle is
then the upgrade. The merge base comes from git history, as on a fresh clone.
(tests/upgrade_release_test.py does the same with two real installed releases.)
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.engine.plan import CONFLICT_SUFFIX
from omk_precommit.runtimes.bundled import bundled_by_path
from testing.gitrepo import commit_all, git, snapshot
from testing.omk import omk

PROMPT = '.kimi/agents/reviewer/system.md'
NEW_LINE = b'You review a change the way a careful maintainer would before merging it.\n'
OLD_LINE = b'You review changes like a careful maintainer.\n'
LAST = b'A decision (approve / request changes), then the findings as a numbered list. Do not edit files.\n'


def bundled(rel: str = PROMPT) -> bytes:
    return bundled_by_path()[rel].content


def older_release(root: Path, rel: str = PROMPT, base_dir: str = '.kimi') -> bytes:
    """Make ``rel`` what an older release installed (one line differs) and commit it; return it."""
    old = bundled(rel).replace(NEW_LINE, OLD_LINE)
    assert old != bundled(rel)
    (root / rel).write_bytes(old)
    manifest = AssetManifest.load(root, base_dir)
    files = [dataclasses.replace(e, checksum=compute_checksum(old)) if e.path == rel else e for e in manifest.files]
    manifest.with_changes(files, list(manifest.directories), list(manifest.backups)).save(root)
    commit_all(root, 'install of the older release')
    return old


def go_only(data: bytes) -> bytes:
    """A local edit far from the line the upgrade changes."""
    return data.replace(LAST, LAST + b'Review Go code only.\n')


def overlapping(data: bytes) -> bytes:
    """A local edit of the very line the upgrade changes."""
    return data.replace(OLD_LINE, b'You review Go changes only, like a strict maintainer.\n')


def test_accepted_edit_and_upgrade_that_do_not_overlap_merge_cleanly_and_check_clean(installed: Path):
    old = older_release(installed)
    mine = go_only(old)
    (installed / PROMPT).write_bytes(mine)
    assert omk(installed, 'accept', PROMPT).code == 0
    commit_all(installed, 'our reviewer reviews Go only')

    result = omk(installed, 'sync')

    assert result.code == 0, result
    assert f'{PROMPT}: merged (the new bundled version into your edit; backup first)' in result.out
    merged = (installed / PROMPT).read_bytes()
    assert merged == go_only(bundled())
    assert omk(installed, 'check').code == 0
    manifest = AssetManifest.load(installed)
    entry = manifest.entry(PROMPT)
    assert (entry.checksum, entry.base_checksum) == (compute_checksum(merged), compute_checksum(bundled()))
    [backup] = manifest.backups_of(PROMPT)
    assert (installed / backup.backup_path).read_bytes() == mine
    assert omk(installed, 'sync', '--fail-on-change').code == 0  # settled: the next run changes nothing


def test_overlapping_edit_gets_conflict_markers_naming_both_sides_exit_1_and_check_blocks(installed: Path):
    old = older_release(installed)
    (installed / PROMPT).write_bytes(overlapping(old))
    omk(installed, 'accept', PROMPT)
    commit_all(installed, 'strict Go reviewer')

    result = omk(installed, 'sync')

    assert result.code == 1
    assert f'{PROMPT}: conflict: your edit and the new bundled version change the same lines' in result.out
    assert f'then run omk-kimi accept {PROMPT}' in result.out
    text = (installed / PROMPT).read_bytes()
    assert f'<<<<<<< {PROMPT} (yours)\n'.encode() in text
    assert f'>>>>>>> {PROMPT} (omk-precommit '.encode() in text
    assert NEW_LINE in text and b'You review Go changes only' in text
    check = omk(installed, 'check')
    assert check.code == 1 and f'{PROMPT}: holds unresolved merge conflict markers' in check.out
    again = omk(installed, 'sync')
    assert again.code == 1 and f'{PROMPT}: conflict: still holds conflict markers' in again.out

    resolved = bundled().replace(NEW_LINE, b'You review Go changes only, the way a careful maintainer would.\n')
    (installed / PROMPT).write_bytes(resolved)
    assert omk(installed, 'accept', PROMPT).code == 0
    assert omk(installed, 'check').code == 0
    assert AssetManifest.load(installed).entry(PROMPT).base_checksum == compute_checksum(bundled())


def test_an_edit_never_accepted_is_merged_but_stays_drift(installed: Path):
    old = older_release(installed)
    (installed / PROMPT).write_bytes(go_only(old))

    result = omk(installed, 'sync')

    assert result.code == 0
    assert (installed / PROMPT).read_bytes() == go_only(bundled())
    assert AssetManifest.load(installed).entry(PROMPT).checksum == compute_checksum(bundled())
    assert omk(installed, 'check').code == 1


def test_without_a_base_in_git_history_the_conflict_path_says_why(installed: Path):
    old = older_release(installed)
    (installed / PROMPT).write_bytes(go_only(old))
    omk(installed, 'accept', PROMPT)
    git(installed, 'checkout', '-q', '--orphan', 'squashed')  # history without the older release
    commit_all(installed, 'squashed')
    git(installed, 'branch', '-D', 'main')
    git(installed, 'reflog', 'expire', '--expire=now', '--all')
    git(installed, 'gc', '-q', '--prune=now')

    result = omk(installed, 'sync')

    assert result.code == 1
    assert 'no base: the bundled version it was based on (checksum' in result.out
    assert b'<<<<<<< ' in (installed / PROMPT).read_bytes()


def test_sidecar_writes_the_new_version_beside_the_edit_instead_of_merging(installed: Path):
    old = older_release(installed)
    (installed / PROMPT).write_bytes(go_only(old))

    result = omk(installed, 'sync', '--sidecar')

    assert result.code == 1
    assert (installed / PROMPT).read_bytes() == go_only(old)
    assert (installed / (PROMPT + CONFLICT_SUFFIX)).read_bytes() == bundled()


def test_force_backs_up_and_overwrites_an_accepted_edit(installed: Path):
    older_release(installed)
    mine = go_only((installed / PROMPT).read_bytes())
    (installed / PROMPT).write_bytes(mine)
    omk(installed, 'accept', PROMPT)

    assert omk(installed, 'sync', '--force').code == 0

    assert (installed / PROMPT).read_bytes() == bundled()
    [backup] = AssetManifest.load(installed).backups_of(PROMPT)
    assert (installed / backup.backup_path).read_bytes() == mine
    assert AssetManifest.load(installed).entry(PROMPT).base_checksum is None


def test_dry_run_shows_the_merge_result_and_changes_nothing(installed: Path):
    old = older_release(installed)
    (installed / PROMPT).write_bytes(go_only(old))
    omk(installed, 'accept', PROMPT)
    before = snapshot(installed)

    text = omk(installed, 'sync', '--dry-run')
    as_json = json.loads(omk(installed, 'sync', '--dry-run', '--json').out)

    assert snapshot(installed) == before
    assert f'{PROMPT}: would be merged' in text.out
    assert f'-{OLD_LINE.decode()}' in text.out and f'+{NEW_LINE.decode()}' in text.out
    assert as_json['merged'] == [PROMPT]
    assert f'+{NEW_LINE.decode()}' in as_json['merge_previews'][PROMPT]


@pytest.mark.parametrize('fresh_clone', [False, True])
def test_upgrade_merge_works_on_a_fresh_clone_with_the_base_from_history(installed: Path, tmp_path: Path,
                                                                         fresh_clone: bool):
    old = older_release(installed)
    (installed / PROMPT).write_bytes(go_only(old))
    omk(installed, 'accept', PROMPT)
    commit_all(installed, 'Go only')
    root = installed
    if fresh_clone:
        root = tmp_path / 'clone'
        git(installed, 'clone', '-q', str(installed), str(root))

    assert omk(root, 'sync').code == 0

    assert (root / PROMPT).read_bytes() == go_only(bundled())
    assert omk(root, 'check').code == 0


def test_kimi_code_target_merges_the_same_way(repo: Path):
    agent = '.kimi-code/agents/reviewer.md'
    omk(repo, 'install', '--target', 'kimi-code')
    commit_all(repo, 'install')
    old = bundled_by_path('kimi-code')[agent].content.replace(NEW_LINE, OLD_LINE)
    assert old != bundled_by_path('kimi-code')[agent].content
    (repo / agent).write_bytes(old)
    manifest = AssetManifest.load(repo, '.kimi-code')
    files = [dataclasses.replace(e, checksum=compute_checksum(old)) if e.path == agent else e for e in manifest.files]
    manifest.with_changes(files, list(manifest.directories), []).save(repo)
    commit_all(repo, 'older release')
    (repo / agent).write_bytes(old + b'\nReview Go code only.\n')
    omk(repo, 'accept', agent, '--target', 'kimi-code')

    result = omk(repo, 'sync', '--target', 'kimi-code')

    assert result.code == 0, result
    assert (repo / agent).read_bytes() == bundled_by_path('kimi-code')[agent].content + b'\nReview Go code only.\n'
    assert omk(repo, 'check', '--target', 'kimi-code').code == 0


def test_an_accepted_file_that_already_holds_the_upgrade_is_rebased_without_a_write(installed: Path):
    older_release(installed)
    mine = go_only(bundled())  # the project took the new line by hand before upgrading
    (installed / PROMPT).write_bytes(mine)
    omk(installed, 'accept', PROMPT)
    commit_all(installed, 'took the new line early')

    result = omk(installed, 'sync', '--fail-on-change')

    assert result.code == 0, result
    assert (installed / PROMPT).read_bytes() == mine
    manifest = AssetManifest.load(installed)
    assert manifest.entry(PROMPT).base_checksum == compute_checksum(bundled())
    assert manifest.backups_of(PROMPT) == []


def test_user_scope_merges_by_the_same_rules_and_outside_git_takes_the_conflict_path(isolated_home: Path, repo: Path):
    assert omk(repo, 'install', '--user').code == 0
    share = isolated_home / '.kimi'
    rel = '.kimi/agents/reviewer/system.md'
    old = bundled().replace(NEW_LINE, OLD_LINE)
    (isolated_home / rel).write_bytes(go_only(old))
    manifest = AssetManifest.load(isolated_home)
    files = [dataclasses.replace(e, checksum=compute_checksum(old)) if e.path == rel else e for e in manifest.files]
    manifest.with_changes(files, list(manifest.directories), []).save(isolated_home)
    assert omk(repo, 'accept', '--user', str(share / 'agents/reviewer/system.md')).code == 0

    result = omk(repo, 'sync', '--user')

    assert result.code == 1
    assert f'{rel}: conflict: your edit and the new bundled version change the same lines' in result.out
    assert 'no base: the bundled version it was based on' in result.out
    text = (isolated_home / rel).read_bytes()
    assert NEW_LINE in text and b'Review Go code only.\n' in text  # both sides kept
    [backup] = AssetManifest.load(isolated_home).backups_of(rel)
    assert (isolated_home / backup.backup_path).read_bytes() == go_only(old)
