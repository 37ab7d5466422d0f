"""``sync``: three-way reconcile of disk, manifest and bundle that never loses a local edit."""
from __future__ import annotations

import difflib
from pathlib import Path

from omk_precommit.engine.gitutil import ignored_paths
from omk_precommit.engine.manifest import read_managed
from omk_precommit.engine.plan import MERGES, Action, ActionKind, reconcile
from omk_precommit.engine.reports import SyncReport, SyncScope
from omk_precommit.errors import OmkError
from omk_precommit.runtimes.bundled import BASE_DIRS, KIMI_CLI, BundledAsset, bundled_assets
from omk_precommit.runtimes.user_scope import user_assets, user_scope


def sync_project_assets(
    root: Path,
    *,
    force: bool = False,
    dry_run: bool = False,
    target: str = KIMI_CLI,
    sidecar: bool = False,
) -> SyncReport:
    """Bring ``root``'s assets up to the bundle; local edits are kept (merged with a newer
    bundled version; with ``sidecar`` the newer version goes beside them) unless ``force``."""
    return sync_assets(root, BASE_DIRS[target], bundled_assets(target), SyncScope.PROJECT, force=force,
                       dry_run=dry_run, sidecar=sidecar)


def sync_user_assets(*, force: bool = False, dry_run: bool = False, target: str = KIMI_CLI,
                     sidecar: bool = False) -> SyncReport:
    """Bring the user directory's agents and hook scripts up to the bundle (three-way, like a project)."""
    scope = user_scope(target)
    return sync_assets(scope.root, scope.base_dir, user_assets(scope, target), SyncScope.USER,
                       force=force, dry_run=dry_run, sidecar=sidecar)


def sync_assets(
    root: Path,
    base_dir: str,
    assets: tuple[BundledAsset, ...],
    scope: SyncScope,
    *,
    force: bool,
    dry_run: bool,
    sidecar: bool = False,
) -> SyncReport:
    """Three-way reconcile of ``assets`` under ``root/base_dir`` with that dir's manifest."""
    if not root.is_dir():
        raise OmkError(f'{root}: not a directory; create it or point omk-kimi elsewhere')
    actions, new_backups = reconcile(root, base_dir, assets, overwrite_edits=force, dry_run=dry_run, sidecar=sidecar)
    backups = [b.backup_path for b in new_backups]

    def paths(*kinds: ActionKind) -> list[str]:
        return [a.path for a in actions if a.kind in kinds]

    created, updated, removed = paths(ActionKind.CREATE), paths(ActionKind.UPDATE, ActionKind.REPLACE), paths(ActionKind.REMOVE)
    merged, recreated = paths(ActionKind.MERGE), paths(ActionKind.RECREATE)
    changed = created + updated + removed + merged + recreated
    # Asking git about ignore rules costs a subprocess, so only a run that changed something pays.
    ignored = sorted(ignored_paths(root, changed)) if changed else []
    return SyncReport(
        scope=scope,
        created=created,
        updated=updated,
        unchanged=paths(ActionKind.UNCHANGED, ActionKind.ADOPT),
        kept_local=paths(ActionKind.KEEP_LOCAL, ActionKind.RELEASE),
        conflicts=paths(ActionKind.CONFLICT, ActionKind.MERGE_CONFLICT, ActionKind.UNRESOLVED),
        removed=removed,
        backups_created=backups,
        dry_run=dry_run,
        ignored=ignored,
        merged=merged,
        accepted=paths(ActionKind.ACCEPTED),
        stays_deleted=paths(ActionKind.STAYS_DELETED),
        recreated=recreated,
        forgotten=paths(ActionKind.FORGOTTEN),
        conflict_kinds={a.path: _conflict_kind(a) for a in actions
                        if a.kind in (ActionKind.CONFLICT, ActionKind.MERGE_CONFLICT, ActionKind.UNRESOLVED)},
        merge_previews={a.path: _preview(root, a) for a in actions if dry_run and a.kind in MERGES},
    )


def _conflict_kind(action: Action) -> str:
    kind = {ActionKind.CONFLICT: 'sidecar', ActionKind.MERGE_CONFLICT: 'markers'}.get(action.kind, 'unresolved')
    return f'{kind}: {action.reason}' if action.reason else kind


def _preview(root: Path, action: Action) -> str:
    """A unified diff from the file on disk to what the merge would write."""
    before = (read_managed(root, action.path) or b'').decode(errors='replace').splitlines(keepends=True)
    after = (action.content or b'').decode(errors='replace').splitlines(keepends=True)
    return ''.join(difflib.unified_diff(before, after, f'a/{action.path}', f'b/{action.path} (merged)'))
