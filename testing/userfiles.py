"""A project full of a user's own files, and the checks that none of them was ever lost.

``USER_FILES`` mixes the awkward kinds of content (CRLF, empty, binary, non-UTF-8, odd
modes) and puts some of them exactly where omk-kimi installs its own files, so that install
must back them up and rollback must bring them back byte for byte.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from omk_precommit.engine.manifest import AssetManifest
from testing.gitrepo import directories, snapshot

BACKUP_MARKER = '.omk-backup-'

# Files the user had where omk-kimi installs its own: install backs them up.
MANAGED_USER_FILES: dict[str, tuple[bytes, int]] = {
    '.kimi/agents/architect/agent.yaml': (b'version: 1\r\nagent:\r\n  name: my-architect\r\n', 0o644),
    '.kimi/agents/architect/system.md': (b'', 0o600),
    '.kimi/hooks/notify.sh': (bytes(range(256)) * 3, 0o750),
    '.kimi/skills/omk-managed-assets/SKILL.md': ('---\nname: mine\n---\ncaf\xe9 cr\xe8me\n'.encode('latin-1'), 0o640),
}
# Files omk-kimi has no business with: they must never change.
OTHER_USER_FILES: dict[str, tuple[bytes, int]] = {
    '.kimi/config.toml': (b'[[hooks]]\nevent = "Stop"\ncommand = "true"\n', 0o600),
    '.kimi/agents/mine/agent.yaml': (b'version: 1\nagent:\n  extend: default\n', 0o644),
    '.kimi/agents/architect/notes.txt': (b'notes beside a managed file\n', 0o644),
    'AGENTS.md': (b'# house rules\n', 0o644),
    'src/app.py': (b'print("hello")\n', 0o755),
}
USER_FILES = {**MANAGED_USER_FILES, **OTHER_USER_FILES}


def write_files(root: Path, files: dict[str, tuple[bytes, int]]) -> None:
    """Create each file with its bytes and permission bits."""
    for rel, (data, mode) in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, mode)


def tree(root: Path) -> tuple[dict[str, tuple[bytes, int]], set[str]]:
    """Every file (bytes, mode) and every directory under ``root``, .git excluded."""
    return snapshot(root), directories(root)


def backup_files(root: Path) -> dict[str, bytes]:
    """Every ``*.omk-backup-*`` file on disk, by project-relative path."""
    found = {}
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            if BACKUP_MARKER in name:
                path = Path(dirpath, name)
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def temp_files(root: Path) -> list[str]:
    """Leftover temp files of an atomic write."""
    return [
        Path(dirpath, name).relative_to(root).as_posix()
        for dirpath, _, filenames in os.walk(root) for name in filenames if '.omk-tmp-' in name
    ]


def assert_nothing_lost(root: Path, history: dict[str, list[bytes]], *, indexed_only: bool = True) -> None:
    """Every content a user ever had at a path is at that path or in an indexed backup of it.

    When no manifest is left (after a rollback), or with ``indexed_only=False`` (an install
    after a rollback), a backup file on disk counts: it is named after the file it protects
    and the rollback report pointed the user to it.
    """
    manifest = AssetManifest.load(root)
    indexed = {b.backup_path for b in manifest.backups} if manifest and indexed_only else None
    backups = backup_files(root)
    for rel, contents in history.items():
        path = root / rel
        current = path.read_bytes() if path.is_file() else None
        for data in contents:
            if current == data:
                continue
            holders = [b for b, held in backups.items() if b.startswith(rel + BACKUP_MARKER) and held == data]
            assert holders, f'{rel}: a version the user had ({len(data)} bytes) is neither in place nor in a backup'
            if indexed is not None:
                assert set(holders) & indexed, f'{rel}: its backup {holders} is not indexed in the manifest'


def assert_backups_indexed(root: Path) -> AssetManifest | None:
    """The manifest loads and indexes every backup file on disk; returns the manifest.

    Without a manifest (after a rollback) there is no index: backups of edits made after the
    install stay on disk by design, and ``assert_nothing_lost`` accounts for them.
    """
    manifest = AssetManifest.load(root)
    if manifest is None:
        return None
    on_disk = set(backup_files(root))
    indexed = {b.backup_path for b in manifest.backups}
    assert on_disk <= indexed, f'backups on disk but not in the manifest: {sorted(on_disk - indexed)}'
    return manifest


def assert_untouched(root: Path, files: dict[str, tuple[bytes, int]]) -> None:
    """Each of ``files`` still has exactly its bytes and permission bits."""
    for rel, (data, mode) in files.items():
        path = root / rel
        assert path.is_file() and not path.is_symlink(), f'{rel}: gone'
        assert path.read_bytes() == data, f'{rel}: content changed'
        assert stat.S_IMODE(path.stat().st_mode) == mode, f'{rel}: mode changed'
