"""``install``: make the project's assets exactly the bundled ones, backing up what differs."""
from __future__ import annotations

import argparse
from pathlib import Path

from omk_precommit.commands.base import (
    EXIT_CLEAN,
    USER_HELP,
    add_common,
    add_dry_run,
    announce_user_scope,
    project_root,
    runtime_of,
)
from omk_precommit.engine.asset import BundledAsset
from omk_precommit.engine.manifest import EntryKind
from omk_precommit.engine.plan import WRITES, ActionKind, reconcile
from omk_precommit.engine.reports import InstallReport
from omk_precommit.errors import OmkError
from omk_precommit.render import text
from omk_precommit.render.output import print_json
from omk_precommit.runtimes.bundled import bundled_assets
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime
from omk_precommit.runtimes.user_scope import user_assets, user_scope


def install_project_assets(root: Path, *, dry_run: bool = False, target: Runtime | str = DEFAULT_RUNTIME) -> InstallReport:
    """Install every bundled asset of ``target`` under ``root``; differing files are backed up first."""
    return install_assets(root, get_runtime(target).base_dir, bundled_assets(target), dry_run=dry_run)


def install_user_assets(*, dry_run: bool = False, target: Runtime | str = DEFAULT_RUNTIME) -> InstallReport:
    """Install the role agents and hook scripts into the user directory (see ``user_scope``)."""
    scope = user_scope(target)
    return install_assets(scope.root, scope.base_dir, user_assets(scope, target), dry_run=dry_run)


def install_assets(root: Path, base_dir: str, assets: tuple[BundledAsset, ...], *, dry_run: bool) -> InstallReport:
    """Make ``assets`` under ``root/base_dir`` exactly the bundled bytes, recorded in that dir's manifest."""
    if not root.is_dir():
        raise OmkError(f'{root}: not a directory; create it or point omk-kimi elsewhere')
    actions, new_backups = reconcile(root, base_dir, assets, overwrite_edits=True, dry_run=dry_run)
    backups = [b.backup_path for b in new_backups]

    def written(kind: EntryKind) -> list[str]:
        return [a.path for a in actions if a.kind in WRITES and a.asset is not None and a.asset.kind is kind]

    return InstallReport(
        agents_installed=sorted({p.split('/')[2] for p in written(EntryKind.AGENT_SPEC) + written(EntryKind.AGENT_PROMPT)}),
        hooks_installed=[p.rsplit('/', 1)[1] for p in written(EntryKind.HOOK_SCRIPT) + written(EntryKind.HOOK_CONFIG)],
        skills_linked=[p.split('/')[2] for p in written(EntryKind.SKILL)],
        backups_created=backups,
        dry_run=dry_run,
        plan=[a.describe() for a in actions if a.kind is not ActionKind.UNCHANGED],
    )


HELP = 'write the bundled assets into the asset dir and record them in the manifest'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    add_dry_run(parser)
    parser.add_argument('--user', action='store_true', help=USER_HELP)


def run(args: argparse.Namespace) -> int:
    runtime = runtime_of(args)
    announce_user_scope(args, runtime)
    if args.user:
        report = install_user_assets(dry_run=args.dry_run, target=runtime)
    else:
        report = install_project_assets(project_root(args), dry_run=args.dry_run, target=runtime)
    if args.json:
        print_json(report.to_json())
    else:
        text.print_install(report)
    return EXIT_CLEAN
