"""Backup names: unique beside the file, whatever is already there."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from omk_precommit.engine.backup import backup_path_for


def test_backup_names_never_collide(tmp_path: Path) -> None:
    """Same microsecond, a file or a dangling link already there, a name indexed but not yet written."""
    target = tmp_path / 'agent.yaml'
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    first = backup_path_for(target, now)
    first.write_bytes(b'taken')
    second = backup_path_for(target, now)
    second.symlink_to(tmp_path / 'nowhere')
    third = backup_path_for(target, now, taken={backup_path_for(target, now)})
    assert len({first, second, third}) == 3
    assert all(p.name.startswith('agent.yaml.omk-backup-20240101T000000000000Z') for p in (first, second, third))
