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

from omk_precommit import __version__
from omk_precommit.engine.asset import BundledAsset
from omk_precommit.engine.backup import backup_path_for, same_link, write_backup
from omk_precommit.engine.checksum import compute_checksum, normalize_eol
from omk_precommit.engine.fsutil import atomic_write, project_lock, remove_file, remove_stale_temp_files
from omk_precommit.engine.gitutil import sparse_excluded
from omk_precommit.engine.manifest import AssetManifest, BackupEntry, ManifestEntry, matches_checksum, read_managed, utc_now
from omk_precommit.engine.merge import has_conflict_markers, merge_upgrade
from omk_precommit.engine.paths import MANIFEST_NAME, is_inside_asset_dir, resolve_managed
from omk_precommit.errors import OmkError

CONFLICT_SUFFIX = '.omk-new'


class ActionKind(str, enum.Enum):
    CREATE = 'create'                 # missing on disk: write it
    UPDATE = 'update'                 # ours and untouched, bundle changed: rewrite
    UNCHANGED = 'unchanged'           # already what the bundle holds
    ADOPT = 'adopt'                   # already the bundled bytes but not (yet) recorded as such
    KEEP_LOCAL = 'keep-local'         # locally edited, bundle unchanged: leave it
    CONFLICT = 'conflict'             # edited and bundle changed, with --sidecar (or binary): new one beside it
    MERGE = 'merge'                   # edited or accepted, bundle changed: merged cleanly (backup first)
    MERGE_CONFLICT = 'merge-conflict'  # ... and the changes overlap: conflict markers written (backup first)
    UNRESOLVED = 'unresolved'         # still holds conflict markers from an earlier merge: leave it
    ACCEPTED = 'accepted'             # the project's accepted version, bundle unchanged: leave it
    STAYS_DELETED = 'stays-deleted'   # an accepted deletion: do not bring it back
    RECREATE = 'recreate'             # an accepted deletion overridden (sync --force, install)
    FORGOTTEN = 'forgotten'           # the project forgot it: not managed, left alone
    REPLACE = 'replace'               # differing file we must overwrite: back it up first
    REMOVE = 'remove'                 # no longer bundled and untouched: delete it
    RELEASE = 'release'               # no longer bundled but edited: keep it, stop managing it
    OUTSIDE_SPARSE = 'outside-sparse'  # a sparse checkout keeps it out of the work tree: leave it be


WRITES = {ActionKind.CREATE, ActionKind.UPDATE, ActionKind.REPLACE, ActionKind.RECREATE}
MERGES = {ActionKind.MERGE, ActionKind.MERGE_CONFLICT}
DISK_CHANGES = WRITES | MERGES | {ActionKind.CONFLICT, ActionKind.REMOVE}
# Kept files whose entry stays, but now belongs to the bundle being installed (a switch).
_KEPT = {ActionKind.UNCHANGED, ActionKind.KEEP_LOCAL, ActionKind.CONFLICT, ActionKind.ACCEPTED, ActionKind.UNRESOLVED}


@dataclass(frozen=True)
class Action:
    """What to do with one file. A merge carries its ``content`` (the bytes to write) and the
    manifest ``record`` to keep once written; ``reason`` explains a conflict that is not an overlap."""

    kind: ActionKind
    path: str
    asset: BundledAsset | None
    content: bytes | None = None
    record: ManifestEntry | None = None
    reason: str = ''

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
    if not os.path.isfile(path) or not is_inside_asset_dir(root, copy):
        return
    with contextlib.suppress(OmkError):
        if read_managed(root, copy) == content:
            remove_file(path)


def _mode_ok(root: Path, asset: BundledAsset, rel: str | None = None) -> bool:
    return not asset.executable or os.access(root / (rel or asset.path), os.X_OK)


def _plan_one(root: Path, manifest: AssetManifest | None, asset: BundledAsset, *, overwrite_edits: bool,
              sidecar: bool, reinstall: bool) -> Action:
    resolve_managed(root, asset.path, asset.path.split('/', 1)[0])
    if manifest is not None and asset.path in manifest.forgotten and not reinstall:
        return Action(ActionKind.FORGOTTEN, asset.path, asset)
    disk = read_managed(root, asset.path)  # a directory or FIFO in the way: a clear OmkError
    if disk is None:
        if manifest is not None and manifest.deletion(asset.path) is not None:
            return Action(ActionKind.RECREATE if overwrite_edits else ActionKind.STAYS_DELETED, asset.path, asset)
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
    recorded = is_recorded_version(disk, entry.checksum)
    if recorded and not entry.accepted:
        if entry.checksum == bundled:
            # Only line endings differ (git eol conversion): the same file, not an edit.
            return Action(ActionKind.UNCHANGED, asset.path, asset)
        return Action(ActionKind.UPDATE, asset.path, asset)
    if overwrite_edits:
        return Action(ActionKind.REPLACE, asset.path, asset)
    if has_conflict_markers(disk):
        return Action(ActionKind.UNRESOLVED, asset.path, asset)
    if entry.based_on == bundled:
        return Action(ActionKind.ACCEPTED if recorded else ActionKind.KEEP_LOCAL, asset.path, asset)
    if sidecar:
        return Action(ActionKind.CONFLICT, asset.path, asset)
    return _plan_merge(root, entry, asset, disk, recorded)


def _plan_merge(root: Path, entry: ManifestEntry, asset: BundledAsset, disk: bytes, accepted_version: bool) -> Action:
    """Merge the new bundled version into the edited (or accepted) file on disk.

    A clean merge of the accepted version is the project's accepted version of the new bundle;
    anything else (an edit not accepted, a conflict) is recorded against the new bundled
    version, so the edit stays drift until it is accepted.
    """
    merge = merge_upgrade(root, asset.path, disk, entry.based_on, asset.content, f'omk-precommit {__version__}')
    if merge.content is None:
        return Action(ActionKind.CONFLICT, asset.path, asset, reason=merge.reason)
    bundled = compute_checksum(asset.content)
    if merge.clean and accepted_version and merge.content != asset.content:
        record = ManifestEntry(asset.path, asset.kind, compute_checksum(normalize_eol(merge.content)),
                               base_checksum=bundled, bundle=asset.bundle)
    else:
        record = ManifestEntry(asset.path, asset.kind, bundled, bundle=asset.bundle)
    if merge.clean and merge.content == disk:
        # The upgrade was already in the file: nothing to write, only the new base to record.
        kind = ActionKind.ACCEPTED if accepted_version else ActionKind.KEEP_LOCAL
        return Action(kind, asset.path, asset, record=record)
    kind = ActionKind.MERGE if merge.clean else ActionKind.MERGE_CONFLICT
    return Action(kind, asset.path, asset, merge.content, record, merge.reason)


def plan_assets(
    root: Path,
    manifest: AssetManifest | None,
    assets: tuple[BundledAsset, ...],
    *,
    overwrite_edits: bool,
    sidecar: bool = False,
    reinstall: bool = False,
    outside_sparse: frozenset[str] = frozenset(),
) -> list[Action]:
    """Decide, for every bundled asset and every managed file no longer bundled, what to do.

    ``sidecar``: write a newer bundled version beside an edited file (``.omk-new``) instead of
    merging; ``reinstall`` (install): manage forgotten files again. Paths in ``outside_sparse``
    (see ``sparse_excluded``) are left alone, their manifest entries included: they are absent
    because the checkout is sparse, not because they were deleted.
    """
    actions = [
        Action(ActionKind.OUTSIDE_SPARSE, asset.path, asset) if asset.path in outside_sparse
        else _plan_one(root, manifest, asset, overwrite_edits=overwrite_edits, sidecar=sidecar, reinstall=reinstall)
        for asset in assets
    ]
    bundled_paths = {asset.path for asset in assets}
    for entry in manifest.files if manifest else ():
        if entry.path in bundled_paths:
            continue
        if entry.path in outside_sparse:
            actions.append(Action(ActionKind.OUTSIDE_SPARSE, entry.path, None))
            continue
        disk = read_managed(root, entry.path)
        if disk is None:
            actions.append(Action(ActionKind.RELEASE, entry.path, None))
        elif is_recorded_version(disk, entry.checksum) and not entry.accepted:
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


class _BackupIndex:
    """The manifest's backups by managed path, and every backup name taken, built once per run
    (a lookup per file would make a large install quadratic)."""

    def __init__(self, root: Path, backups: list[BackupEntry]) -> None:
        self.root = root
        self.backups = backups
        self.by_path: dict[str, list[BackupEntry]] = {}
        self.taken: set[Path] = set()
        for backup in backups:
            self._index(backup)

    def _index(self, backup: BackupEntry) -> None:
        self.by_path.setdefault(backup.managed_path, []).append(backup)
        self.taken.add(self.root / backup.backup_path)

    def add(self, backup: BackupEntry) -> None:
        self.backups.append(backup)
        self._index(backup)

    def new_backup(self, rel: str) -> BackupEntry | None:
        """An index entry for a fresh backup of ``rel``, or None when an indexed backup holds its bytes."""
        current = read_managed(self.root, rel)
        if current is None:
            return None
        for backup in self.by_path.get(rel, ()):
            if read_managed(self.root, backup.backup_path) == current and same_link(
                self.root / rel, self.root / backup.backup_path,
            ):
                return None  # e.g. taken by a run killed before it could overwrite the file
        path = backup_path_for(self.root / rel, taken=self.taken)
        return BackupEntry(rel, path.relative_to(self.root).as_posix(), utc_now())


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
    index = _BackupIndex(root, backups)
    new_backups: dict[str, BackupEntry] = {}
    conflict_copies: dict[str, bytes | None] = {}
    for action in actions:
        asset = action.asset
        if action.kind in _KEPT and asset is not None and action.path in files and action.record is None:
            # A kept file now belongs to the bundle being installed (a switch): record it so.
            files[action.path] = replace(files[action.path], bundle=asset.bundle)
        entry = files.get(action.path)
        if action.kind in WRITES:
            directories.extend(_missing_dirs(root, action.path))
        if action.kind in (ActionKind.CREATE, ActionKind.REPLACE, ActionKind.ADOPT, ActionKind.RECREATE) \
                and asset is not None:
            # A file already holding the bundled bytes before we recorded it was the project's:
            # rollback must keep it, so it is remembered (an optional field omk ignores).
            preexisting = entry.preexisting if entry else action.kind is ActionKind.ADOPT
            files[action.path] = ManifestEntry(action.path, asset.kind, compute_checksum(asset.content),
                                               preexisting=preexisting, bundle=asset.bundle)
        protect = action.kind is ActionKind.REPLACE or action.kind in MERGES or (
            # Its first update destroys the project's original bytes: keep them for rollback.
            action.kind is ActionKind.UPDATE and entry is not None and entry.preexisting
            and not index.by_path.get(action.path)
        )
        if protect:
            backup = index.new_backup(action.path)
            if backup is not None:
                index.add(backup)
                new_backups[action.path] = backup
        if action.kind is ActionKind.CONFLICT and asset is not None:
            # An earlier conflict copy the user edited (or one of an older bundle) is backed up
            # before the new one replaces it; one that already holds these bytes is left alone.
            copy = action.path + CONFLICT_SUFFIX
            conflict_copies[copy] = current_copy = read_managed(root, copy)
            if current_copy is not None and current_copy != asset.content:
                backup = index.new_backup(copy)
                if backup is not None:
                    index.add(backup)
                    new_backups[copy] = backup
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
            entry = files.get(action.path)
            files[action.path] = ManifestEntry(action.path, asset.kind, compute_checksum(asset.content),
                                               preexisting=entry.preexisting if entry else False, bundle=asset.bundle)
            remove_conflict_copy(root, action.path, asset.content)  # after the write: a crash keeps it
        elif action.kind in (ActionKind.UNCHANGED, ActionKind.ADOPT) and asset is not None:
            # Already the bundled bytes (merged by hand, or a run killed before the line above).
            remove_conflict_copy(root, action.path, asset.content)
        elif action.kind in MERGES and asset is not None and action.content is not None:
            backup = new_backups.get(action.path)
            if backup is not None:
                write_backup(target, resolve_managed(root, backup.backup_path, base_dir))
            atomic_write(target, action.content, mode=asset.mode)
            if action.record is not None:
                files[action.path] = action.record
        elif action.record is not None and action.content is None:
            files[action.path] = action.record
        elif action.kind is ActionKind.CONFLICT and asset is not None:
            copy = action.path + CONFLICT_SUFFIX
            if conflict_copies.get(copy) == asset.content and _mode_ok(root, asset, copy):
                continue  # already there: a hook re-running sync on every commit rewrites nothing
            copy_path = resolve_managed(root, copy, base_dir)
            backup = new_backups.get(copy)
            if backup is not None:
                write_backup(copy_path, resolve_managed(root, backup.backup_path, base_dir))
            atomic_write(copy_path, asset.content, mode=asset.mode)
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
    sidecar: bool = False,
    reinstall: bool = False,
) -> tuple[list[Action], list[BackupEntry]]:
    """Load the manifest, plan and (unless ``dry_run``) apply, all under the project lock.

    Loading inside the lock matters: a run that planned from the manifest a concurrent run
    was about to replace would save its stale copy last and drop that run's backup entries.
    """
    with contextlib.nullcontext() if dry_run else project_lock(root):
        outside_sparse = sparse_excluded(root, base_dir)
        if f'{base_dir}/{MANIFEST_NAME}' in outside_sparse:
            # The whole asset dir is outside the sparse checkout: nothing here to reconcile.
            return [Action(ActionKind.OUTSIDE_SPARSE, asset.path, asset) for asset in assets], []
        manifest = AssetManifest.load(root, base_dir)
        actions = plan_assets(root, manifest, assets, overwrite_edits=overwrite_edits, sidecar=sidecar,
                              reinstall=reinstall, outside_sparse=outside_sparse)
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
