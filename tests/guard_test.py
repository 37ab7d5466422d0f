"""The session guard itself: it notices what it is there to notice."""
from __future__ import annotations

from pathlib import Path

from testing.gitrepo import git, init_repo
from testing.guard import _repo_state, describe_changes, untouchable_state


def test_guard_notices_a_write_in_a_kimi_config_dir(tmp_path: Path) -> None:
    home = tmp_path / 'home'
    (home / '.config' / 'kimi').mkdir(parents=True)
    before = untouchable_state(home)
    (home / '.config' / 'kimi' / 'config.toml').write_text('x = 1\n')
    assert describe_changes(before, untouchable_state(home)) == f"{home / '.config' / 'kimi'} (config.toml)"
    (home / '.kimi').mkdir()
    assert str(home / '.kimi') in describe_changes(before, untouchable_state(home))


def test_guard_notices_new_and_changed_files_in_a_work_tree(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'repo')
    clean = _repo_state(repo)
    (repo / 'README.md').write_text('changed\n')
    modified = _repo_state(repo)
    assert modified != clean
    (repo / 'README.md').write_text('changed again\n')  # already modified: still noticed
    assert _repo_state(repo) != modified
    git(repo, 'checkout', '--', 'README.md')
    (repo / 'new.txt').write_text('new\n')
    assert _repo_state(repo) != clean
    (repo / '.gitignore').write_text('cache/\n')
    git(repo, 'add', '.gitignore', 'new.txt')
    git(repo, 'commit', '-qm', 'ignore cache')
    committed = _repo_state(repo)
    (repo / 'cache').mkdir()
    (repo / 'cache' / 'tool.db').write_text('allowed: ignored\n')
    assert _repo_state(repo) == committed
