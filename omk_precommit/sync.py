"""``sync``: three-way reconcile of disk, manifest and bundle that never loses a local edit."""
from __future__ import annotations

from pathlib import Path

from omk_precommit.assets import BASE_DIRS, KIMI_CLI, bundled_assets
from omk_precommit.plan import ActionKind, reconcile
from omk_precommit.reports import SyncReport, SyncScope


def sync_project_assets(
    root: Path,
    *,
    force: bool = False,
    dry_run: bool = False,
    target: str = KIMI_CLI,
) -> SyncReport:
    """Bring ``root``'s assets up to the bundle; local edits are kept unless ``force``."""
    actions, new_backups = reconcile(
        root, BASE_DIRS[target], bundled_assets(target), overwrite_edits=force, dry_run=dry_run,
    )
    backups = [b.backup_path for b in new_backups]

    def paths(*kinds: ActionKind) -> list[str]:
        return [a.path for a in actions if a.kind in kinds]

    return SyncReport(
        scope=SyncScope.PROJECT,
        created=paths(ActionKind.CREATE),
        updated=paths(ActionKind.UPDATE, ActionKind.REPLACE),
        unchanged=paths(ActionKind.UNCHANGED, ActionKind.ADOPT),
        kept_local=paths(ActionKind.KEEP_LOCAL, ActionKind.RELEASE),
        conflicts=paths(ActionKind.CONFLICT),
        removed=paths(ActionKind.REMOVE),
        backups_created=backups,
        dry_run=dry_run,
    )
