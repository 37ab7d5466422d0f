from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omk_precommit.engine.paths import RootGuard, all_safe, is_inside_asset_dir, path_problem
from testing.tier import per_tier


def _reference_is_safe(rel: str, base_dir: str) -> bool:
    """The path rules spelled out with PurePosixPath, as the loader first implemented them."""
    if not rel or '\0' in rel or '\\' in rel or rel.startswith('/') or (len(rel) > 1 and rel[1] == ':'):
        return False
    if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in rel):  # issue 13: no control characters
        return False
    parts = PurePosixPath(rel).parts
    return '..' not in parts and bool(parts) and parts[0] == base_dir


SEGMENTS = ['skills', 'a.md', '.', '..', '', '.hidden', '..a', 'a\\b', 'a\0', 'a\nb', 'C:', '.kimi']
MANIFEST_LIKE_PATHS = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=5).map('/'.join)


@settings(max_examples=per_tier(full=2000, fast=200), deadline=None)
@given(
    MANIFEST_LIKE_PATHS
    | st.text(alphabet='./\\\0:akim-', max_size=24).map(lambda tail: '.kimi' + tail)
    | st.text(max_size=12),
)
def test_path_problem_fast_path_agrees_with_the_full_rules(rel: str) -> None:
    assert (path_problem(rel, '.kimi') is None) == _reference_is_safe(rel, '.kimi')


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A project root with every kind of path a manifest can point at, and an outside dir."""
    outside = tmp_path / 'outside'
    (outside / 'dir').mkdir(parents=True)
    (outside / 'file').write_text('outside\n')
    root = tmp_path / 'root'
    (root / '.kimi' / 'dir').mkdir(parents=True)
    (root / '.kimi' / 'file').write_text('inside\n')
    (root / '.kimi' / 'dir' / 'file').write_text('inside\n')
    os.symlink(root / '.kimi' / 'file', root / '.kimi' / 'link-in')
    os.symlink(outside / 'file', root / '.kimi' / 'link-out')
    os.symlink(root / '.kimi' / 'dir', root / '.kimi' / 'dirlink-in')
    os.symlink(outside / 'dir', root / '.kimi' / 'dirlink-out')
    os.symlink(root / 'nowhere', root / '.kimi' / 'dangling')
    os.mkfifo(root / '.kimi' / 'fifo')
    os.symlink('..', root / '.kimi' / 'up')  # inside the root, but out of the asset dir
    (root / 'README.md').write_text('project file\n')
    return root


PATHS = [
    '.kimi', '.kimi/file', '.kimi/dir', '.kimi/dir/file', '.kimi/missing', '.kimi/missing/file',
    '.kimi/file/below-a-file', '.kimi/link-in', '.kimi/link-out', '.kimi/dirlink-in/file',
    '.kimi/dirlink-out/file', '.kimi/dirlink-out/missing', '.kimi/dangling', '.kimi/fifo',
    '.kimi/up/README.md', '.kimi/up/.kimi/file',
]


@pytest.mark.parametrize('by_listing', [False, True])
def test_root_guard_agrees_with_realpath(tree: Path, by_listing: bool) -> None:
    guard = RootGuard(tree, by_listing=by_listing)
    for rel in PATHS:
        assert guard.is_inside(rel) == is_inside_asset_dir(tree, rel), rel


@pytest.mark.parametrize('by_listing', [False, True])
def test_root_guard_reports_file_types_without_following_links(tree: Path, by_listing: bool) -> None:
    guard = RootGuard(tree, by_listing=by_listing)
    for rel in PATHS:
        try:
            expected = stat.S_IFMT(os.lstat(tree / rel).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            expected = None
        assert guard.kind(rel) == expected, rel


def test_lstat_many_matches_lstat_one_by_one(tree: Path) -> None:
    many = RootGuard(tree).lstat_many(PATHS)
    one_by_one = RootGuard(tree)
    assert [s and (s.st_ino, s.st_mode) for s in many] == [
        (s := one_by_one.lstat(rel)) and (s.st_ino, s.st_mode) for rel in PATHS
    ]


@settings(max_examples=per_tier(full=1000, fast=100), deadline=None)
@given(st.lists(MANIFEST_LIKE_PATHS, max_size=5))
def test_all_safe_agrees_with_path_problem_on_each_path(rels: list[str]) -> None:
    assert all_safe(rels, '.kimi') == all(path_problem(rel, '.kimi') is None for rel in rels)
