"""The fast tier's builds of one working copy (testing/cache.py): built once, redone after an
interrupted build, keyed by what they are built from, old ones pruned."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from testing import cache
from testing.gitrepo import commit_all, init_repo


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv('OMK_TEST_CACHE', str(tmp_path / 'cache'))
    return tmp_path / 'cache'


def test_a_build_runs_once_and_is_reused() -> None:
    calls: list[Path] = []

    def build(path: Path) -> None:
        calls.append(path)
        (path / 'out').write_text('built')

    first = cache.built_once('thing', 'k1', build)
    again = cache.built_once('thing', 'k1', build)
    assert first == again and calls == [first] and (first / 'out').read_text() == 'built'


def test_an_interrupted_build_is_thrown_away_and_done_again() -> None:
    def crash(path: Path) -> None:
        (path / 'half').write_text('half')
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cache.built_once('thing', 'k1', crash)
    path = cache.built_once('thing', 'k1', lambda p: (p / 'whole').touch())
    assert sorted(os.listdir(path)) == ['.built', 'whole']


def test_only_recent_or_newest_builds_of_a_name_are_kept(own_cache: Path) -> None:
    paths = [cache.built_once('thing', f'k{i}', lambda p: None) for i in range(6)]
    other = cache.built_once('other', 'k0', lambda p: None)
    assert all(p.exists() for p in paths)  # all used within the hour
    hours_ago = time.time() - 2 * cache.RECENT_USE_S
    for i, path in enumerate(paths[:5]):
        os.utime(path / '.built', (hours_ago + i, hours_ago + i))
    cache.built_once('thing', 'k5', lambda p: None)
    kept = sorted(p.name for p in (own_cache / 'builds').iterdir())
    assert kept == ['other-k0', 'thing-k3', 'thing-k4', 'thing-k5'] and other.exists()


def test_the_key_follows_what_builds_are_made_of_not_tests_or_docs(tmp_path: Path) -> None:
    root = init_repo(tmp_path / 'wc')
    for rel in ('pkg/mod.py', 'tests/a_test.py', 'docs/x.md', 'scripts/run', 'testing/judges.py', 'testing/hookrepo.py'):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text('one\n')
    commit_all(root, 'start')
    key = cache.working_copy_key(root)
    for rel in ('tests/a_test.py', 'docs/x.md', 'scripts/run', 'testing/judges.py'):
        (root / rel).write_text('two\n')
    assert cache.working_copy_key(root) == key
    (root / 'testing/hookrepo.py').write_text('two\n')  # it builds the hook repository
    assert cache.working_copy_key(root) != key
    key = cache.working_copy_key(root)
    (root / '.gitignore').write_text('ignored.txt\n')
    assert cache.working_copy_key(root) != key  # .gitignore is a file a clean clone has
    key = cache.working_copy_key(root)
    (root / 'ignored.txt').write_text('not in a clone\n')
    assert cache.working_copy_key(root) == key
    (root / 'pkg/mod.py').write_text('two\n')  # not committed: still what the build would copy
    assert cache.working_copy_key(root) != key
    key = cache.working_copy_key(root)
    (root / 'pkg/mod.py').chmod(0o755)
    assert cache.working_copy_key(root) != key
    key = cache.working_copy_key(root)
    (root / 'pkg/new.py').write_text('')
    assert cache.working_copy_key(root) != key
