"""Install and sync as one three-way planner: compare disk, manifest and bundle, then act.

``plan_assets`` is pure: it reads the disk and returns typed actions. ``apply_plan`` carries
them out under the project lock and writes the manifest last, so ``--dry-run`` and a real
run share every decision.
"""
from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

from omk_precommit.assets import BundledAsset
from omk_precommit.backup import maybe_backup
from omk_precommit.checksum import compute_checksum
from omk_precommit.errors import OmkError
from omk_precommit.fsutil import atomic_write, fsync_dir, project_lock, remove_stale_temp_files
from omk_precommit.manifest import AssetManifest, BackupEntry, ManifestEntry, matches_checksum, read_managed, utc_now
from omk_precommit.paths import resolve_managed

CONFLICT_SUFFIX = '.omk-new'


class ActionKind(str, enum.Enum):
    CREATE = 'create'                 # missing on disk: write it
    UPDATE = 'update'                 # ours and untouched, bundle changed: rewrite
    UNCHANGED = 'unchanged'           # already what the bundle holds
    ADOPT = 'adopt'                   # already the bundled bytes but not (yet) recorded as such
    KEEP_LOCAL = 'keep-local'         # locally edited, bundle unchanged: leave it
    CONFLICT = 'conflict'             # locally edited and bundle changed: write the new one beside it
    REPLACE = 'replace'               # differing file we must overwrite: back it up first
    REMOVE = 'remove'                 # no longer bundled and untouched: delete it
    RELEASE = 'release'               # no longer bundled but edited: keep it, stop managing it


WRITES = {ActionKind.CREATE, ActionKind.UPDATE, ActionKind.REPLACE}


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    path: str
    asset: BundledAsset | None

    def describe(self) -> str:
        return f'{self.path}: {self.kind.value}'


def _mode_ok(root: Path, asset: BundledAsset) -> bool:
    return not asset.executable or os.access(root / asset.path, os.X_OK)


def _plan_one(root: Path, manifest: AssetManifest | None, asset: BundledAsset, *, overwrite_edits: bool) -> Action:
    resolve_managed(root, asset.path, asset.path.split('/', 1)[0])
    disk = read_managed(root, asset.path)
    if disk is None:
        return Action(ActionKind.CREATE, asset.path, asset)
    if (root / asset.path).is_dir():
        raise OmkError(f'{asset.path}: a directory is in the way of a managed file; move it aside and run again')
    entry = manifest.entry(asset.path) if manifest else None
    bundled = compute_checksum(asset.content)
    if disk == asset.content:
        if not _mode_ok(root, asset):
            return Action(ActionKind.UPDATE, asset.path, asset)
        recorded = entry is not None and entry.checksum == bundled and entry.kind == asset.kind
        return Action(ActionKind.UNCHANGED if recorded else ActionKind.ADOPT, asset.path, asset)
    if entry is None:
        return Action(ActionKind.REPLACE, asset.path, asset)
    if matches_checksum(disk, entry.checksum):
        if entry.checksum == bundled:
            # Only line endings differ (git eol conversion): the same file, not an edit.
            return Action(ActionKind.UNCHANGED, asset.path, asset)
        return Action(ActionKind.UPDATE, asset.path, asset)
    if overwrite_edits:
        return Action(ActionKind.REPLACE, asset.path, asset)
    if entry.checksum == bundled:
        return Action(ActionKind.KEEP_LOCAL, asset.path, asset)
    return Action(ActionKind.CONFLICT, asset.path, asset)


def plan_assets(
    root: Path,
    manifest: AssetManifest | None,
    assets: tuple[BundledAsset, ...],
    *,
    overwrite_edits: bool,
) -> list[Action]:
    """Decide, for every bundled asset and every managed file no longer bundled, what to do."""
    actions = [_plan_one(root, manifest, asset, overwrite_edits=overwrite_edits) for asset in assets]
    bundled_paths = {asset.path for asset in assets}
    for entry in manifest.files if manifest else ():
        if entry.path in bundled_paths:
            continue
        disk = read_managed(root, entry.path)
        if disk is None:
            actions.append(Action(ActionKind.RELEASE, entry.path, None))
        elif matches_checksum(disk, entry.checksum):
            actions.append(Action(ActionKind.REMOVE, entry.path, None))
        else:
            actions.append(Action(ActionKind.RELEASE, entry.path, None))
    return actions


def _missing_dirs(root: Path, rel: str) -> list[str]:
    """Ancestor directories of ``rel`` (inside root) that do not exist yet, outermost first."""
    missing = []
    parent = Path(rel).parent
    while parent != Path('.') and not (root / parent).exists():
        missing.append(parent.as_posix())
        parent = parent.parent
    return list(reversed(missing))


def apply_plan(
    root: Path,
    manifest: AssetManifest | None,
    actions: list[Action],
    base_dir: str,
) -> tuple[AssetManifest, list[BackupEntry]]:
    """Carry out ``actions`` under the project lock and save the manifest last."""
    with project_lock(root):
        remove_stale_temp_files(root / base_dir)
        current = manifest or AssetManifest(base_dir=base_dir)
        files = {e.path: e for e in current.files}
        directories = list(current.directories)
        backups = list(current.backups)
        new_backups: list[BackupEntry] = []
        for action in actions:
            target = resolve_managed(root, action.path, base_dir)
            asset = action.asset
            if action.kind in WRITES and asset is not None:
                directories.extend(_missing_dirs(root, action.path))
                if action.kind is ActionKind.REPLACE:
                    backup = maybe_backup(target, asset.content)
                    if backup is not None:
                        entry = BackupEntry(action.path, backup.relative_to(root).as_posix(), utc_now())
                        backups.append(entry)
                        new_backups.append(entry)
                        # Index the backup before the overwrite, so a crash never orphans it.
                        current.with_changes(list(files.values()), directories, backups).save(root)
                atomic_write(target, asset.content, mode=asset.mode)
                files[action.path] = ManifestEntry(action.path, asset.kind, compute_checksum(asset.content))
            elif action.kind is ActionKind.ADOPT and asset is not None:
                files[action.path] = ManifestEntry(action.path, asset.kind, compute_checksum(asset.content))
            elif action.kind is ActionKind.CONFLICT and asset is not None:
                atomic_write(target.with_name(target.name + CONFLICT_SUFFIX), asset.content, mode=asset.mode)
            elif action.kind is ActionKind.REMOVE:
                os.unlink(target)
                fsync_dir(target.parent)
                files.pop(action.path, None)
            elif action.kind is ActionKind.RELEASE:
                files.pop(action.path, None)
        final = current.with_changes(list(files.values()), directories, backups)
        final.save(root)
    return final, new_backups

