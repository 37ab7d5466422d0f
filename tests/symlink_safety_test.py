"""Symlinks out of the project root never lead omk-kimi to read, write or delete outside it.

Each case plants a link (a managed directory, a single managed file, ``.kimi`` itself, the
manifest, a backup, a conflict copy, a temp-file name) pointing at a directory full of
tempting copies, then runs every command. The directory is snapshotted and watched with
inotify: not one open, read, write or delete may reach it. Refusals are one clear line.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.escape import make_outside, outside_state, replace_with_link
from testing.fswatch import AccessWatch
from testing.omk import omk
from testing.userfiles import USER_FILES, write_files

COMMANDS = (
    ('install',), ('sync',), ('sync', '--force'), ('rollback',), ('check',), ('diff',),
    ('install', '--dry-run'), ('rollback', '--dry-run'),
)


def _agents_dir(root: Path, outside: Path) -> None:
    replace_with_link(root / '.kimi/agents', outside / 'agents')


def _agents_dir_relative(root: Path, outside: Path) -> None:
    replace_with_link(root / '.kimi/agents', Path(os.path.relpath(outside / 'agents', root / '.kimi')))


def _managed_file(root: Path, outside: Path) -> None:
    replace_with_link(root / '.kimi/hooks/notify.sh', outside / 'notify.sh')


def _managed_skill_dir(root: Path, outside: Path) -> None:
    replace_with_link(root / '.kimi/skills/omk-managed-assets', outside / 'kimi/skills/omk-managed-assets')


def _kimi_dir(root: Path, outside: Path) -> None:
    replace_with_link(root / '.kimi', outside / 'kimi')


def _manifest(root: Path, outside: Path) -> None:
    replace_with_link(root / '.kimi/omk-manifest.json', outside / 'omk-manifest.json')


def _indexed_backup(root: Path, outside: Path) -> None:
    """A backup the manifest indexes is swapped for a link to an outside file."""
    backups = sorted((root / '.kimi/agents/architect').glob('agent.yaml.omk-backup-*'))
    assert backups
    replace_with_link(backups[0], outside / 'evil-backup')


def _conflict_copy(root: Path, outside: Path) -> None:
    replace_with_link(root / '.kimi/hooks/notify.sh.omk-new', outside / 'notify.sh')


def _temp_file_names(root: Path, outside: Path) -> None:
    """Links where atomic_write puts its temp files, for this process's pid."""
    for rel in ('.kimi/omk-manifest.json', '.kimi/hooks/notify.sh', '.kimi/agents/architect/agent.yaml'):
        path = root / rel
        replace_with_link(path.with_name(f'.{path.name}.omk-tmp-{os.getpid()}'), outside / 'sentinel.txt')


LINKS: dict[str, Callable[[Path, Path], None]] = {
    'agents-dir': _agents_dir, 'agents-dir-relative': _agents_dir_relative, 'managed-file': _managed_file,
    'managed-skill-dir': _managed_skill_dir, 'kimi-dir': _kimi_dir, 'manifest': _manifest,
    'indexed-backup': _indexed_backup, 'conflict-copy': _conflict_copy, 'temp-file-names': _temp_file_names,
}


CASES = [
    pytest.param(link, installed_first, id=f'{link}-{"after-install" if installed_first else "fresh"}')
    for link in sorted(LINKS) for installed_first in (True, False)
    if installed_first or link != 'indexed-backup'  # only an install takes backups
]


@pytest.mark.parametrize(('link', 'installed_first'), CASES)
def test_no_command_reaches_through_a_symlink_out_of_the_root(tmp_path: Path, link: str, installed_first: bool) -> None:
    outside = make_outside(tmp_path / 'outside')
    root = tmp_path / 'project'
    root.mkdir()
    write_files(root, USER_FILES)
    if installed_first:
        assert omk(root, 'install').code == 0
    LINKS[link](root, outside)
    before = outside_state(outside)
    watch = AccessWatch(outside)
    try:
        for command in COMMANDS:
            result = omk(root, *command)
            assert result.code in (0, 1, 2), command
            assert result.err.count('\n') <= 1 and 'Traceback' not in result.err, (command, result.err)
            if result.code == 2:
                assert result.err.startswith('omk-kimi: ') and result.err.endswith('\n'), (command, result.err)
            touched = watch.events()
            assert touched == [], f'{" ".join(command)} reached outside the root: {touched}'
    finally:
        watch.close()
    assert outside_state(outside) == before


def test_install_refuses_a_managed_directory_linked_out_of_the_root(tmp_path: Path) -> None:
    outside = make_outside(tmp_path / 'outside')
    root = tmp_path / 'project'
    (root / '.kimi').mkdir(parents=True)
    _agents_dir(root, outside)
    result = omk(root, 'install')
    assert result.code == 2
    assert 'resolves outside the project root through a symlink' in result.err
    assert not (root / '.kimi/omk-manifest.json').exists()


def test_manifest_naming_a_linked_path_asks_to_remove_the_link(tmp_path: Path) -> None:
    outside = make_outside(tmp_path / 'outside')
    root = tmp_path / 'project'
    root.mkdir()
    assert omk(root, 'install').code == 0
    _managed_file(root, outside)
    result = omk(root, 'check')
    assert result.code == 2
    assert result.err.count('\n') == 1
    assert 'resolves outside the project root through a symlink; remove the symlink' in result.err


def test_the_access_watch_sees_a_plain_read_and_ignores_stat(tmp_path: Path) -> None:
    outside = make_outside(tmp_path / 'outside')
    watch = AccessWatch(outside)
    try:
        os.stat(outside / 'sentinel.txt')
        os.path.realpath(outside / 'agents/architect/agent.yaml')
        assert watch.events() == []
        (outside / 'sentinel.txt').read_bytes()
        assert any(e.startswith('open') and e.endswith('sentinel.txt') for e in watch.events())
    finally:
        watch.close()
