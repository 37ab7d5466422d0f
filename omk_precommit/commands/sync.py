"""``sync``: three-way reconcile of disk, manifest and bundle that never loses a local edit."""
from __future__ import annotations

import argparse
from pathlib import Path

from omk_precommit.commands.base import (
    EXIT_CLEAN,
    EXIT_FOUND,
    USER_HELP,
    add_common,
    add_dry_run,
    announce_user_scope,
    project_root,
    runtime_of,
)
from omk_precommit.engine.asset import BundledAsset
from omk_precommit.engine.gitutil import ignored_paths
from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.engine.paths import MANIFEST_NAME
from omk_precommit.engine.plan import ActionKind, reconcile
from omk_precommit.engine.reports import SyncReport, SyncScope
from omk_precommit.errors import OmkError
from omk_precommit.render import text
from omk_precommit.render.output import print_json
from omk_precommit.runtimes.bundled import bundled_assets
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime
from omk_precommit.runtimes.user_scope import user_assets, user_scope


def sync_project_assets(
    root: Path,
    *,
    force: bool = False,
    dry_run: bool = False,
    target: Runtime | str = DEFAULT_RUNTIME,
    require_manifest: bool = True,
) -> SyncReport:
    """Bring ``root``'s assets up to the bundle; local edits are kept unless ``force``.

    Without a manifest nothing happens (``manifest_missing``) unless not ``require_manifest``
    (migrate, which creates the target's assets the way install does)."""
    runtime = get_runtime(target)
    return sync_assets(root, runtime.base_dir, bundled_assets(runtime), SyncScope.PROJECT, force=force, dry_run=dry_run,
                       require_manifest=require_manifest)


def sync_user_assets(*, force: bool = False, dry_run: bool = False, target: Runtime | str = DEFAULT_RUNTIME) -> SyncReport:
    """Bring the user directory's agents and hook scripts up to the bundle (three-way, like a project)."""
    scope = user_scope(target)
    return sync_assets(scope.root, scope.base_dir, user_assets(scope, target), SyncScope.USER,
                       force=force, dry_run=dry_run)


def sync_assets(
    root: Path,
    base_dir: str,
    assets: tuple[BundledAsset, ...],
    scope: SyncScope,
    *,
    force: bool,
    dry_run: bool,
    require_manifest: bool = True,
) -> SyncReport:
    """Three-way reconcile of ``assets`` under ``root/base_dir`` with that dir's manifest.

    Without a manifest (and ``require_manifest``) nothing is written and the report says
    ``manifest_missing``: sync runs as a commit hook, and a hook must never install into a
    repository that did not ask for it (nor overwrite the user's own files there); only install
    installs.
    """
    if not root.is_dir():
        raise OmkError(f'{root}: not a directory; create it or point omk-kimi elsewhere')
    if require_manifest and AssetManifest.load(root, base_dir) is None:
        return SyncReport(scope=scope, dry_run=dry_run, manifest_missing=True)
    actions, new_backups = reconcile(root, base_dir, assets, overwrite_edits=force, dry_run=dry_run)
    backups = [b.backup_path for b in new_backups]

    def paths(*kinds: ActionKind) -> list[str]:
        return [a.path for a in actions if a.kind in kinds]

    created, updated, removed = paths(ActionKind.CREATE), paths(ActionKind.UPDATE, ActionKind.REPLACE), paths(ActionKind.REMOVE)
    changed = created + updated + removed
    # Asking git about ignore rules costs a subprocess, so only a run that changed something pays.
    ignored = sorted(ignored_paths(root, changed)) if changed else []
    return SyncReport(
        scope=scope,
        created=created,
        updated=updated,
        unchanged=paths(ActionKind.UNCHANGED, ActionKind.ADOPT),
        kept_local=paths(ActionKind.KEEP_LOCAL, ActionKind.RELEASE),
        conflicts=paths(ActionKind.CONFLICT),
        removed=removed,
        backups_created=backups,
        dry_run=dry_run,
        ignored=ignored,
    )


HELP = 'reconcile the asset dir with the bundled assets (three-way; local edits are kept)'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument('--force', action='store_true', help='back up and overwrite local edits')
    add_dry_run(parser)
    parser.add_argument('--fail-on-change', action='store_true',
                        help='exit 1 when files were created, updated or removed (for the omk-sync hook); '
                             'changes to files git ignores are not counted, they can never be committed')
    parser.add_argument('--user', action='store_true', help=USER_HELP)


def run(args: argparse.Namespace) -> int:
    runtime = runtime_of(args)
    announce_user_scope(args, runtime)
    if args.user:
        report = sync_user_assets(force=args.force, dry_run=args.dry_run, target=runtime)
        shown, install = str(user_scope(runtime).directory / MANIFEST_NAME), runtime.command('install --user')
    else:
        report = sync_project_assets(project_root(args), force=args.force, dry_run=args.dry_run, target=runtime)
        shown, install = runtime.manifest_path, runtime.command('install')
    if args.json:
        print_json(report.to_json())
    else:
        text.print_sync(report, fail_on_change=args.fail_on_change, manifest_shown=shown, install=install)
    if report.conflicts or (args.fail_on_change and report.counted_changes and not args.dry_run):
        return EXIT_FOUND
    return EXIT_CLEAN
