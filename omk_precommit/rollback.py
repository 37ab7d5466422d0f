"""``rollback``: undo what the manifest says was installed, restoring the files it replaced."""
from __future__ import annotations

import contextlib
import enum
import os
from dataclasses import dataclass, replace
from pathlib import Path

from omk_precommit.assets import BASE_DIRS, KIMI_CLI, KIMI_CODE, BundledAsset, bundled_by_path
from omk_precommit.checksum import is_identical
from omk_precommit.fsutil import atomic_write, fsync_dir, project_lock, remove_stale_temp_files
from omk_precommit.hooks_config import HooksReport, disable_hooks, recorded_configs, user_recorded_configs
from omk_precommit.manifest import AssetManifest, BackupEntry, matches_checksum, read_managed
from omk_precommit.paths import resolve_managed
from omk_precommit.plan import CONFLICT_SUFFIX
from omk_precommit.reports import RollbackReport
from omk_precommit.targets import get_target
from omk_precommit.user_scope import user_assets, user_scope


class StepKind(str, enum.Enum):
    RESTORE = 'restore'        # put the oldest backup back, then delete it
    REMOVE = 'remove'          # ours and untouched: delete it
    KEEP = 'keep'              # edited since install (or already gone): leave it
    DROP_BACKUP = 'drop-backup'  # the file already holds the backup's bytes: delete the backup


@dataclass(frozen=True)
class Step:
    kind: StepKind
    path: str
    reason: str = ''
    backup: BackupEntry | None = None


def plan_rollback(root: Path, manifest: AssetManifest) -> list[Step]:
    """Decide what rollback does to each managed file; reads the disk, changes nothing."""
    steps = []
    for entry in manifest.files:
        disk = read_managed(root, entry.path)
        backups = manifest.backups_of(entry.path)
        original = backups[0] if backups else None
        backup_bytes = read_managed(root, original.backup_path) if original else None
        if original is not None and backup_bytes is not None:
            if disk == backup_bytes:
                steps.append(Step(StepKind.DROP_BACKUP, entry.path, 'already restored', original))
            elif disk is None or matches_checksum(disk, entry.checksum):
                steps.append(Step(StepKind.RESTORE, entry.path, f'from {original.backup_path}', original))
            else:
                steps.append(Step(StepKind.KEEP, entry.path, f'edited since install; backup kept at {original.backup_path}'))
        elif disk is None:
            steps.append(Step(StepKind.KEEP, entry.path, 'already gone'))
        elif matches_checksum(disk, entry.checksum):
            steps.append(Step(StepKind.REMOVE, entry.path))
        else:
            steps.append(Step(StepKind.KEEP, entry.path, 'edited since install'))
    return steps


def rollback(root: Path, *, dry_run: bool = False, target: str = KIMI_CLI) -> RollbackReport:
    """Undo the install recorded in the manifest; a missing manifest is a clean no-op.

    First removes the ``[[hooks]]`` tables ``hooks enable`` added to configs in ``.kimi/``, so no
    config is left running a script rollback deletes.
    """
    base_dir = BASE_DIRS[target]
    hooks = [disable_hooks(c, dry_run=dry_run) for c in recorded_configs(root / base_dir, root)]
    report = rollback_assets(root, base_dir, bundled_by_path(target), dry_run=dry_run)
    return _with_hooks(report, hooks, root)


def rollback_user_assets(*, dry_run: bool = False, target: str = KIMI_CLI) -> RollbackReport:
    """Undo ``install --user`` and the user-config hooks ``hooks enable --user`` added.

    For kimi-code only Kimi Code's config is touched; for kimi-cli every user config enable
    wrote to, since ``hooks enable --user`` without a target may have chosen either.
    """
    configs = user_recorded_configs()
    if target == KIMI_CODE:
        configs = [c for c in configs if c == get_target(KIMI_CODE).config_file()]
    hooks = [disable_hooks(c, dry_run=dry_run) for c in configs]
    scope = user_scope(target)
    report = rollback_assets(scope.root, scope.base_dir, {a.path: a for a in user_assets(scope, target)},
                             dry_run=dry_run)
    return _with_hooks(report, hooks, None)


def _with_hooks(report: RollbackReport, hooks: list[HooksReport], root: Path | None) -> RollbackReport:
    def shown(config: str) -> str:
        return os.path.relpath(config, root) if root is not None else config

    return replace(
        report,
        hooks_removed=[f'{shown(h.config)}: {t}' for h in hooks for t in h.removed],
        hooks_kept=[f'{shown(h.config)}: {t} ({why})' for h in hooks
                    for why, tables in (('edited since hooks enable', h.edited), ('could not be removed exactly', h.stuck))
                    for t in tables],
    )


def rollback_assets(
    root: Path,
    base_dir: str,
    bundled: dict[str, BundledAsset],
    *,
    dry_run: bool,
) -> RollbackReport:
    """Undo the install recorded in ``root/base_dir``'s manifest, restoring backups."""
    manifest = AssetManifest.load(root, base_dir)
    if manifest is None:
        return RollbackReport(manifest_missing=True, dry_run=dry_run)
    steps = plan_rollback(root, manifest)
    report = RollbackReport(
        restored=[s.path for s in steps if s.kind in (StepKind.RESTORE, StepKind.DROP_BACKUP)],
        removed=[s.path for s in steps if s.kind is StepKind.REMOVE],
        skipped=[f'{s.path} ({s.reason})' for s in steps if s.kind is StepKind.KEEP],
        dry_run=dry_run,
    )
    if dry_run:
        return report
    with project_lock(root):
        remove_stale_temp_files(root / base_dir)
        _apply(root, manifest, steps, base_dir, bundled)
    return report


def _apply(root: Path, manifest: AssetManifest, steps: list[Step], base_dir: str, bundled: dict[str, BundledAsset]) -> None:
    for step in steps:
        path = resolve_managed(root, step.path, base_dir)
        if step.kind is StepKind.RESTORE and step.backup is not None:
            backup = resolve_managed(root, step.backup.backup_path, base_dir)
            atomic_write(path, backup.read_bytes(), mode=backup.stat().st_mode & 0o7777)
            _unlink(backup)
        elif step.kind is StepKind.DROP_BACKUP and step.backup is not None:
            _unlink(resolve_managed(root, step.backup.backup_path, base_dir))
        elif step.kind is StepKind.REMOVE:
            _unlink(path)
        conflict_copy = path.with_name(path.name + CONFLICT_SUFFIX)
        asset = bundled.get(step.path)
        if asset is not None and is_identical(conflict_copy, asset.content):
            _unlink(conflict_copy)
    for directory in sorted(manifest.directories, key=lambda d: d.count('/'), reverse=True):
        _rmdir_if_empty(root, directory, base_dir)
    _unlink(AssetManifest.path_for(root, base_dir))
    for directory in sorted(manifest.directories, key=lambda d: d.count('/'), reverse=True):
        _rmdir_if_empty(root, directory, base_dir)


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
        fsync_dir(path.parent)


def _rmdir_if_empty(root: Path, rel: str, base_dir: str) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(resolve_managed(root, rel, base_dir))
