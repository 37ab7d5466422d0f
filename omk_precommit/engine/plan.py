"""Install and sync as one three-way planner: compare disk, manifest and bundle, then act.

``plan_assets`` is pure: it reads the disk and returns typed actions. ``apply_plan`` carries
them out in an order a crash cannot hurt (see there), and ``reconcile`` does both under the
project lock, so ``--dry-run`` and a real run share every decision and two runs never plan
from the same stale manifest.
"""
from __future__ import annotations

import contextlib
import enum
import os
from dataclasses import dataclass, replace
from pathlib import Path

from omk_precommit.engine.asset import BundledAsset
from omk_precommit.engine.backup import backup_path_for, write_backup
from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.fsutil import atomic_write, project_lock, remove_file, remove_stale_temp_files
from omk_precommit.engine.manifest import AssetManifest, BackupEntry, ManifestEntry, matches_checksum, read_managed, utc_now
from omk_precommit.engine.paths import is_inside_root, resolve_managed
from omk_precommit.errors import OmkError

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
DISK_CHANGES = WRITES | {ActionKind.CONFLICT, ActionKind.REMOVE}
_KEPT = {ActionKind.UNCHANGED, ActionKind.KEEP_LOCAL, ActionKind.CONFLICT}


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    path: str
    asset: BundledAsset | None

    def describe(self) -> str:
        return f'{self.path}: {self.kind.value}'


def is_recorded_version(data: bytes, checksum: str | None) -> bool:
    """True when ``data`` is provably what the manifest recorded; an unknown (null) checksum
    proves nothing, so such a file is treated as the user's and never overwritten unprotected."""
    return checksum is not None and matches_checksum(data, checksum)


def remove_conflict_copy(root: Path, rel: str, content: bytes) -> None:
    """Delete the ``.omk-new`` copy sync left beside ``rel``, if it still holds ``content`` (the
    bundled bytes); a copy that differs, or cannot be read safely, is the user's and stays."""
    copy = rel + CONFLICT_SUFFIX
    path = root / copy
    if not os.path.isfile(path) or not is_inside_root(root, path):
        return
    with contextlib.suppress(OmkError):
        if read_managed(root, copy) == content:
            remove_file(path)


def _mode_ok(root: Path, asset: BundledAsset) -> bool:
    return not asset.executable or os.access(root / asset.path, os.X_OK)


def _plan_one(root: Path, manifest: AssetManifest | None, asset: BundledAsset, *, overwrite_edits: bool) -> Action:
    resolve_managed(root, asset.path, asset.path.split('/', 1)[0])
    disk = read_managed(root, asset.path)  # a directory or FIFO in the way: a clear OmkError
    if disk is None:
        return Action(ActionKind.CREATE, asset.path, asset)
    entry = manifest.entry(asset.path) if manifest else None
    bundled = compute_checksum(asset.content)
    if disk == asset.content:
        if not _mode_ok(root, asset):
            return Action(ActionKind.UPDATE, asset.path, asset)
        recorded = (entry is not None and entry.checksum == bundled and entry.kind == asset.kind
                    and entry.bundle == asset.bundle)
        return Action(ActionKind.UNCHANGED if recorded else ActionKind.ADOPT, asset.path, asset)
    if entry is None:
        return Action(ActionKind.REPLACE, asset.path, asset)
    if is_recorded_version(disk, entry.checksum):
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
        elif is_recorded_version(disk, entry.checksum):
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


def _new_backup(root: Path, backups: list[BackupEntry], rel: str) -> BackupEntry | None:
    """An index entry for a fresh backup of ``rel``, or None when an indexed backup holds its bytes."""
    current = read_managed(root, rel)
    if current is None:
        return None
    for backup in backups:
        if backup.managed_path == rel and read_managed(root, backup.backup_path) == current:
            return None  # e.g. taken by a run killed before it could overwrite the file
    taken = {root / b.backup_path for b in backups}
    path = backup_path_for(root / rel, taken=taken)
    return BackupEntry(rel, path.relative_to(root).as_posix(), utc_now())


def apply_plan(
    root: Path,
    manifest: AssetManifest | None,
    actions: list[Action],
    base_dir: str,
) -> tuple[AssetManifest, list[BackupEntry]]:
    """Carry out ``actions``; the caller holds the project lock. Returns the saved manifest and new backups.

    The order makes a crash at any point recoverable by the next run: first the manifest is
    saved with every backup about to be taken already indexed and every file about to be
    created or replaced already recorded, together with the directories about to be made;
    then each backup is written before the file it protects is replaced; the final manifest
    goes last. An updated file keeps its old checksum until then, so whichever version a
    crash leaves (old: recorded; new: the bundled bytes) is still recognised as ours.
    """
    current = manifest or AssetManifest(base_dir=base_dir)
    files = {e.path: e for e in current.files}
    directories = list(current.directories)
    backups = list(current.backups)
    new_backups: dict[str, BackupEntry] = {}
    for action in actions:
        asset = action.asset
        if action.kind in _KEPT and asset is not None and action.path in files:
            # A kept file now belongs to the bundle being installed (a switch): record it so.
            files[action.path] = replace(files[action.path], bundle=asset.bundle)
        if action.kind in WRITES:
            directories.extend(_missing_dirs(root, action.path))
        if action.kind in (ActionKind.CREATE, ActionKind.REPLACE, ActionKind.ADOPT) and asset is not None:
            files[action.path] = ManifestEntry(action.path, asset.kind, compute_checksum(asset.content), asset.bundle)
        if action.kind is ActionKind.REPLACE:
            backup = _new_backup(root, backups, action.path)
            if backup is not None:
                backups.append(backup)
                new_backups[action.path] = backup
    if any(action.kind in DISK_CHANGES for action in actions):
        current.with_changes(list(files.values()), directories, backups).save(root)

    for action in actions:
        target = resolve_managed(root, action.path, base_dir)
        asset = action.asset
        if action.kind in WRITES and asset is not None:
            backup = new_backups.get(action.path)
            if backup is not None:
                write_backup(target, resolve_managed(root, backup.backup_path, base_dir))
            atomic_write(target, asset.content, mode=asset.mode)
            files[action.path] = ManifestEntry(action.path, asset.kind, compute_checksum(asset.content), asset.bundle)
            remove_conflict_copy(root, action.path, asset.content)  # after the write: a crash keeps it
        elif action.kind in (ActionKind.UNCHANGED, ActionKind.ADOPT) and asset is not None:
            # Already the bundled bytes (merged by hand, or a run killed before the line above).
            remove_conflict_copy(root, action.path, asset.content)
        elif action.kind is ActionKind.CONFLICT and asset is not None:
            atomic_write(target.with_name(target.name + CONFLICT_SUFFIX), asset.content, mode=asset.mode)
        elif action.kind is ActionKind.REMOVE:
            remove_file(target)
            files.pop(action.path, None)
        elif action.kind is ActionKind.RELEASE:
            files.pop(action.path, None)
    final = current.with_changes(list(files.values()), directories, backups)
    final.save(root)
    return final, list(new_backups.values())


def reconcile(
    root: Path,
    base_dir: str,
    assets: tuple[BundledAsset, ...],
    *,
    overwrite_edits: bool,
    dry_run: bool,
) -> tuple[list[Action], list[BackupEntry]]:
    """Load the manifest, plan and (unless ``dry_run``) apply, all under the project lock.

    Loading inside the lock matters: a run that planned from the manifest a concurrent run
    was about to replace would save its stale copy last and drop that run's backup entries.
    """
    with contextlib.nullcontext() if dry_run else project_lock(root):
        manifest = AssetManifest.load(root, base_dir)
        actions = plan_assets(root, manifest, assets, overwrite_edits=overwrite_edits)
        if dry_run:
            return actions, []
        remove_stale_temp_files(root / base_dir)
        _, new_backups = apply_plan(root, manifest, actions, base_dir)
    return actions, new_backups


def forget_missing_backups(root: Path, base_dir: str, *, dry_run: bool) -> list[str]:
    """Drop the backup index entries whose file is gone (deleted by hand); return their paths.

    Such an entry can restore nothing, and the doctor warns about it until it is gone; ``sync
    --force`` calls this, as omk 0.5.0's doctor advises.
    """
    with contextlib.nullcontext() if dry_run else project_lock(root):
        manifest = AssetManifest.load(root, base_dir)
        if manifest is None:
            return []
        gone = [b for b in manifest.backups if not os.path.lexists(resolve_managed(root, b.backup_path, base_dir))]
        if gone and not dry_run:
            kept = [b for b in manifest.backups if b not in gone]
            manifest.with_changes(list(manifest.files), list(manifest.directories), kept).save(root)
    return [b.backup_path for b in gone]
