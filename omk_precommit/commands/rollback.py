"""``rollback``: undo what the manifest says was installed, restoring the files it replaced.

Every step is safe to repeat, so a rollback killed half way is finished by the next one: a
file already holding its backup's bytes just loses the backup, a file already gone is left
alone, and the manifest, the record of what is left to do, is deleted last.
"""
from __future__ import annotations

import argparse
import contextlib
import enum
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from omk_precommit.commands.base import (
    EXIT_CLEAN,
    EXIT_FOUND,
    USER_HELP,
    add_common,
    add_dry_run,
    announce_user_scope,
    json_of_runtimes,
    project_root,
    project_runtimes,
    runtime_heading,
    runtime_of,
)
from omk_precommit.engine.asset import BundledAsset
from omk_precommit.engine.backup import BACKUP_MARKER, same_link
from omk_precommit.engine.fsutil import (
    atomic_symlink,
    atomic_write,
    crash_point,
    file_kind,
    fsync_dir,
    project_lock,
    remove_file,
    remove_stale_temp_files,
)
from omk_precommit.engine.manifest import AssetManifest, BackupEntry, read_managed
from omk_precommit.engine.paths import MANIFEST_NAME, RootGuard, is_inside_root, resolve_managed
from omk_precommit.engine.plan import is_recorded_version, remove_conflict_copy
from omk_precommit.engine.reports import RollbackReport
from omk_precommit.errors import OmkError
from omk_precommit.kimi_config.enable import HooksReport, disable_hooks, recorded_configs, user_recorded_configs
from omk_precommit.render import text
from omk_precommit.render.output import print_json
from omk_precommit.runtimes.bundled import bundled_by_path, project_assets_by_path
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime
from omk_precommit.runtimes.user_scope import user_assets, user_scope


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
    error: str = ''            # why a backup there is could not be restored


class _UnusableBackup(Exception):
    """A ``<file>.omk-backup-*`` on disk that is not a regular file (a directory, FIFO...)."""

    def __init__(self, backup: str, kind: str) -> None:
        super().__init__(f'{backup} is {kind}')
        self.backup = backup


def _oldest_backup(
    guard: RootGuard, manifest: AssetManifest, rel: str, listings: dict[Path, list[str]],
) -> tuple[BackupEntry, bytes] | None:
    """The oldest backup of ``rel`` still on disk, with its bytes: the pre-install original.

    Indexed backups come first. Without one (a manifest written with no ``backups`` list, by
    omk 0.5.0 or an older omk-precommit), the oldest ``<file>.omk-backup-*`` beside the file is
    the original, as omk 0.5.0's rollback looks for it. ``listings`` caches each directory's names.
    """
    for backup in manifest.backups_of(rel):
        data = read_managed(guard.root, backup.backup_path, guard)
        if data is not None:
            return backup, data
    return _unlisted_backup(guard.root, manifest, rel, listings)


def _unlisted_backup(
    root: Path, manifest: AssetManifest, rel: str, listings: dict[Path, list[str]],
) -> tuple[BackupEntry, bytes] | None:
    parent, _, name = rel.rpartition('/')
    directory = root / parent
    if directory not in listings:
        try:
            listings[directory] = sorted(os.listdir(directory)) if is_inside_root(root, directory) else []
        except OSError:  # gone or not a directory: nothing beside the file
            listings[directory] = []
    prefix = name + BACKUP_MARKER
    for candidate in listings[directory]:
        backup_rel = f'{parent}/{candidate}'
        if not candidate.startswith(prefix) or candidate == prefix or manifest.entry(backup_rel) is not None:
            continue
        try:
            mode = os.lstat(root / backup_rel).st_mode
        except FileNotFoundError:  # deleted since the listing
            continue
        if not stat.S_ISREG(mode):
            raise _UnusableBackup(backup_rel, file_kind(mode) if not stat.S_ISLNK(mode) else 'a symlink')
        data = read_managed(root, backup_rel)
        if data is not None:
            return BackupEntry(rel, backup_rel, ''), data
    return None


def plan_rollback(root: Path, manifest: AssetManifest, bundled: dict[str, BundledAsset] | None = None) -> list[Step]:
    """Decide what rollback does to each managed file; reads the disk, changes nothing.

    A file is ours when it matches its recorded checksum or holds exactly the bundled bytes
    (an update a crash kept from being recorded); only ours is removed or restored over.
    ``bundled`` defaults to the kimi-cli bundle.
    """
    bundled = bundled_by_path() if bundled is None else bundled
    guard = RootGuard(root)  # one lstat per path, and each directory judged once: n log n overall
    steps = []
    listings: dict[Path, list[str]] = {}
    for entry in manifest.files:
        if entry.accepted:  # omk-kimi accept made it the project's: never ours to remove or restore over
            steps.append(Step(StepKind.KEEP, entry.path, "accepted: the project's own version now"))
            continue
        disk = read_managed(root, entry.path, guard)
        asset = bundled.get(entry.path)
        ours = disk is not None and (
            is_recorded_version(disk, entry.checksum) or (asset is not None and disk == asset.content)
        )
        try:
            original = _oldest_backup(guard, manifest, entry.path, listings)
        except _UnusableBackup as e:
            # Neither restore from it nor remove the file it may be the original of: keep both, say so.
            steps.append(Step(StepKind.KEEP, entry.path, f'its backup {e}, not a file',
                              error=f'cannot restore {entry.path}: its backup {e}, not a file; '
                                    f'move it aside and restore the original by hand'))
            continue
        if original is not None:
            backup, backup_bytes = original
            if disk == backup_bytes and same_link(root / entry.path, root / backup.backup_path):
                steps.append(Step(StepKind.DROP_BACKUP, entry.path, 'already restored', backup))
            elif disk is None or ours:
                steps.append(Step(StepKind.RESTORE, entry.path, f'from {backup.backup_path}', backup))
            else:
                steps.append(Step(StepKind.KEEP, entry.path, f'edited since install; backup kept at {backup.backup_path}'))
        elif disk is None:
            steps.append(Step(StepKind.KEEP, entry.path, 'already gone'))
        elif entry.preexisting:
            steps.append(Step(StepKind.KEEP, entry.path, 'was in the project before install'))
        elif ours:
            steps.append(Step(StepKind.REMOVE, entry.path))
        else:
            steps.append(Step(StepKind.KEEP, entry.path, 'edited since install'))
    used = {s.backup.backup_path for s in steps if s.backup is not None}
    for backup in manifest.backups:
        if backup.backup_path not in used and os.path.lexists(root / backup.backup_path):
            # A later version the user had (e.g. an edit a sync --force replaced): theirs to keep.
            steps.append(Step(StepKind.KEEP, backup.backup_path, f'a backup of an earlier {backup.managed_path}; yours to keep'))
    return steps


def _recorded_bundle(root: Path, runtime: Runtime) -> dict[str, BundledAsset]:
    """The files of the bundle the manifest records; when it is not installed, none: rollback then
    recognises its files by their recorded checksums alone (undoing must not need the bundle)."""
    try:
        return project_assets_by_path(root, runtime)
    except OmkError:
        return {}


def rollback(root: Path, *, dry_run: bool = False, target: Runtime | str = DEFAULT_RUNTIME) -> RollbackReport:
    """Undo the install recorded in the manifest; a missing manifest is a clean no-op.

    First removes the ``[[hooks]]`` tables ``hooks enable`` added to configs in ``.kimi/``, so no
    config is left running a script rollback deletes.
    """
    base_dir = get_runtime(target).base_dir
    hooks = [disable_hooks(c, dry_run=dry_run, tree=root) for c in recorded_configs(root / base_dir, root)]
    report = rollback_assets(root, base_dir, _recorded_bundle(root, get_runtime(target)), dry_run=dry_run)
    return _with_hooks(report, hooks, root)


def rollback_user_assets(*, dry_run: bool = False, target: Runtime | str = DEFAULT_RUNTIME) -> RollbackReport:
    """Undo ``install --user`` and the user-config hooks ``hooks enable --user`` added.

    Only the user configs that count for the runtime are touched (``Runtime.user_configs_considered``):
    for kimi-code its own; for kimi-cli every one, since ``hooks enable --user`` without a target may
    have chosen either.
    """
    runtime = get_runtime(target)
    readers = {r.config_file() for r in runtime.user_configs_considered()}
    configs = [c for c in user_recorded_configs() if c in readers]
    hooks = [disable_hooks(c, dry_run=dry_run) for c in configs]
    scope = user_scope(runtime)
    if not scope.root.is_dir():  # e.g. no ~/.config at all: nothing was ever installed there
        return _with_hooks(RollbackReport(manifest_missing=True, dry_run=dry_run), hooks, None)
    report = rollback_assets(scope.root, scope.base_dir, {a.path: a for a in user_assets(scope, runtime)},
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
    """Undo the install recorded in ``root/base_dir``'s manifest, restoring backups.

    The manifest is read and the steps planned under the project lock, so two rollbacks (or a
    rollback and a sync) never act on the same stale plan.
    """
    with contextlib.nullcontext() if dry_run else project_lock(root):
        manifest = AssetManifest.load(root, base_dir)
        if manifest is None:
            return RollbackReport(manifest_missing=True, dry_run=dry_run)
        steps = plan_rollback(root, manifest, bundled)
        if not dry_run:
            remove_stale_temp_files(root / base_dir)
            _apply(root, manifest, steps, base_dir, bundled)
    return RollbackReport(
        restored=[s.path for s in steps if s.kind in (StepKind.RESTORE, StepKind.DROP_BACKUP)],
        removed=[s.path for s in steps if s.kind is StepKind.REMOVE],
        skipped=[f'{s.path} ({s.reason})' for s in steps if s.kind is StepKind.KEEP],
        errors=[s.error for s in steps if s.error],
        dry_run=dry_run,
    )


def _apply(root: Path, manifest: AssetManifest, steps: list[Step], base_dir: str, bundled: dict[str, BundledAsset]) -> None:
    for step in steps:
        path = resolve_managed(root, step.path, base_dir)
        if step.kind is StepKind.RESTORE and step.backup is not None:
            backup = resolve_managed(root, step.backup.backup_path, base_dir)
            data = read_managed(root, step.backup.backup_path)
            if data is None:
                raise OmkError(f'{step.backup.backup_path}: backup vanished during rollback; run omk-kimi rollback again')
            if os.path.islink(backup):
                atomic_symlink(path, os.readlink(backup))  # the project had a link here: it gets the link back
            else:
                atomic_write(path, data, mode=os.stat(backup).st_mode & 0o7777)
            remove_file(backup)
        elif step.kind is StepKind.DROP_BACKUP and step.backup is not None:
            remove_file(resolve_managed(root, step.backup.backup_path, base_dir))
        elif step.kind is StepKind.REMOVE:
            remove_file(path)
        asset = bundled.get(step.path)
        if asset is not None:
            remove_conflict_copy(root, step.path, asset.content)
    deepest_first = sorted(manifest.directories, key=lambda d: d.count('/'), reverse=True)
    for directory in deepest_first:
        _rmdir_if_empty(root, directory, base_dir)
    remove_file(AssetManifest.path_for(root, base_dir))
    for directory in deepest_first:
        _rmdir_if_empty(root, directory, base_dir)


def _rmdir_if_empty(root: Path, rel: str, base_dir: str) -> None:
    path = resolve_managed(root, rel, base_dir)
    if os.path.islink(path):
        return
    try:
        os.rmdir(path)
    except OSError:
        return  # not empty, already gone, or not ours to judge: leave it
    fsync_dir(path.parent)
    crash_point()


HELP = 'undo what the manifest says was installed and restore backups'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    add_dry_run(parser)
    parser.add_argument('--user', action='store_true', help=USER_HELP + ' (and the hooks enable --user tables)')


def run(args: argparse.Namespace) -> int:
    if args.user:
        runtime = runtime_of(args)
        announce_user_scope(args, runtime)
        shown = str(user_scope(runtime).directory / MANIFEST_NAME)
        reports = [(runtime, rollback_user_assets(dry_run=args.dry_run, target=runtime), shown)]
        runtimes: tuple[Runtime, ...] = (runtime,)
    else:
        root = project_root(args)
        runtimes = project_runtimes(args, root)
        reports = [(runtime, rollback(root, dry_run=args.dry_run, target=runtime), runtime.manifest_path)
                   for runtime in runtimes]
    if args.json:
        print_json(json_of_runtimes([(runtime, report.to_json()) for runtime, report, _ in reports]))
    else:
        for runtime, report, shown in reports:
            runtime_heading(runtime, runtimes)
            text.print_rollback(report, manifest_shown=shown)
    return EXIT_FOUND if any(report.errors for _, report, _ in reports) else EXIT_CLEAN
