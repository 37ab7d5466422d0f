"""``sync``: three-way reconcile of disk, manifest and bundle that never loses a local edit."""
from __future__ import annotations

import argparse
import difflib
import os
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
from omk_precommit.engine.fsutil import make_dirs
from omk_precommit.engine.gitutil import ignored_paths, sparse_excluded
from omk_precommit.engine.manifest import AssetManifest, read_managed
from omk_precommit.engine.paths import MANIFEST_NAME
from omk_precommit.engine.plan import MERGES, Action, ActionKind, forget_missing_backups, reconcile
from omk_precommit.engine.reports import SyncReport, SyncScope
from omk_precommit.errors import OmkError
from omk_precommit.render import text
from omk_precommit.render.output import print_json
from omk_precommit.runtimes.bundled import project_assets
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime
from omk_precommit.runtimes.user_scope import user_assets, user_scope


def sync_project_assets(
    root: Path,
    *,
    force: bool = False,
    dry_run: bool = False,
    target: Runtime | str = DEFAULT_RUNTIME,
    sidecar: bool = False,
    require_manifest: bool = True,
) -> SyncReport:
    """Bring ``root``'s assets up to the bundle the manifest records (omk by default); local edits
    are kept (merged with a newer bundled version; with ``sidecar`` the newer version goes beside
    them) unless ``force``. A recorded bundle that is not installed raises OmkError.

    Without a manifest nothing happens (``manifest_missing``) unless not ``require_manifest``
    (migrate, which creates the target's assets the way install does)."""
    runtime = get_runtime(target)
    if not root.is_dir():
        raise OmkError(f'{root}: not a directory; create it or point omk-kimi elsewhere')
    return sync_assets(root, runtime.base_dir, project_assets(root, runtime), SyncScope.PROJECT, force=force,
                       dry_run=dry_run, sidecar=sidecar, require_manifest=require_manifest)


def sync_user_assets(*, force: bool = False, dry_run: bool = False, target: Runtime | str = DEFAULT_RUNTIME,
                     sidecar: bool = False) -> SyncReport:
    """Bring the user directory's agents and hook scripts up to the bundle (three-way, like a project)."""
    scope = user_scope(target)
    # The user dir's parent may not exist yet (~/.config on a fresh machine): create it, as omk does.
    return sync_assets(scope.root, scope.base_dir, user_assets(scope, target), SyncScope.USER,
                       force=force, dry_run=dry_run, create_root=True, sidecar=sidecar,
                       require_manifest=False)  # by hand only: no hook runs --user


def sync_assets(
    root: Path,
    base_dir: str,
    assets: tuple[BundledAsset, ...],
    scope: SyncScope,
    *,
    force: bool,
    dry_run: bool,
    create_root: bool = False,
    sidecar: bool = False,
    require_manifest: bool = True,
) -> SyncReport:
    """Three-way reconcile of ``assets`` under ``root/base_dir`` with that dir's manifest.

    ``create_root``: a missing ``root`` is created (a dry run only plans as if it were).
    Without a manifest (and ``require_manifest``) nothing is written and the report says
    ``manifest_missing``: sync runs as a commit hook, and a hook must never install into a
    repository that did not ask for it (nor overwrite the user's own files there); only install
    installs.
    """
    if create_root and not dry_run:
        make_dirs(root)
    if not root.is_dir() and not (create_root and dry_run and not os.path.lexists(root)):
        raise OmkError(f'{root}: not a directory; create it or point omk-kimi elsewhere')
    if (require_manifest and (not root.is_dir() or AssetManifest.load(root, base_dir) is None)
            and f'{base_dir}/{MANIFEST_NAME}' not in sparse_excluded(root, base_dir)):  # hidden is not missing
        return SyncReport(scope=scope, dry_run=dry_run, manifest_missing=True)
    actions, new_backups = reconcile(root, base_dir, assets, overwrite_edits=force, dry_run=dry_run, sidecar=sidecar)
    backups = [b.backup_path for b in new_backups]
    forgotten = forget_missing_backups(root, base_dir, dry_run=dry_run) if force else []

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
        backups_forgotten=forgotten,
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
        outside_sparse=paths(ActionKind.OUTSIDE_SPARSE),
    )


def _conflict_kind(action: Action) -> str:
    kind = {ActionKind.CONFLICT: 'sidecar', ActionKind.MERGE_CONFLICT: 'markers'}.get(action.kind, 'unresolved')
    return f'{kind}: {action.reason}' if action.reason else kind


def _preview(root: Path, action: Action) -> str:
    """A unified diff from the file on disk to what the merge would write."""
    before = (read_managed(root, action.path) or b'').decode(errors='replace').splitlines(keepends=True)
    after = (action.content or b'').decode(errors='replace').splitlines(keepends=True)
    return ''.join(difflib.unified_diff(before, after, f'a/{action.path}', f'b/{action.path} (merged)'))
HELP = 'reconcile the asset dir with the bundled assets (three-way: local edits kept, upgrades merged into them)'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument('--force', action='store_true', help='back up and overwrite local edits')
    parser.add_argument('--sidecar', action='store_true',
                        help='do not merge a newer bundled version into an edited file: write it beside it as <file>.omk-new')
    add_dry_run(parser)
    parser.add_argument('--fail-on-change', action='store_true',
                        help='exit 1 when files were created, updated or removed (for the omk-sync hook); '
                             'changes to files git ignores are not counted, they can never be committed')
    parser.add_argument('--user', action='store_true', help=USER_HELP)


def run(args: argparse.Namespace) -> int:
    if args.user:
        runtime = runtime_of(args)
        announce_user_scope(args, runtime)
        shown = str(user_scope(runtime).directory / MANIFEST_NAME)
        reports = [(runtime, sync_user_assets(force=args.force, dry_run=args.dry_run, target=runtime,
                                              sidecar=args.sidecar), shown, runtime.command('install --user'))]
        runtimes: tuple[Runtime, ...] = (runtime,)
    else:
        root = project_root(args)
        runtimes = project_runtimes(args, root)
        reports = [(runtime, sync_project_assets(root, force=args.force, dry_run=args.dry_run, target=runtime,
                                                 sidecar=args.sidecar), runtime.manifest_path, runtime.command('install'))
                   for runtime in runtimes]
    if args.json:
        print_json(json_of_runtimes([(runtime, report.to_json()) for runtime, report, _, _ in reports]))
    else:
        for runtime, report, shown, install in reports:
            runtime_heading(runtime, runtimes)
            text.print_sync(report, fail_on_change=args.fail_on_change, manifest_shown=shown, install=install)
    changed = args.fail_on_change and not args.dry_run and any(r.counted_changes for _, r, _, _ in reports)
    return EXIT_FOUND if changed or any(r.conflicts for _, r, _, _ in reports) else EXIT_CLEAN
