"""``install``: make the project's assets exactly the bundled ones, backing up what differs."""
from __future__ import annotations

import argparse
import os
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
from omk_precommit.engine.fsutil import make_dirs
from omk_precommit.engine.manifest import EntryKind
from omk_precommit.engine.plan import WRITES, ActionKind, reconcile
from omk_precommit.engine.reports import InstallReport
from omk_precommit.errors import OmkError
from omk_precommit.render import text
from omk_precommit.render.output import print_json
from omk_precommit.runtimes.bundled import project_assets
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, RUNTIMES, Runtime, get_runtime
from omk_precommit.runtimes.user_scope import user_assets, user_scope


def install_project_assets(
    root: Path, *, dry_run: bool = False, target: Runtime | str = DEFAULT_RUNTIME, bundle: str = 'omk',
) -> InstallReport:
    """Install every asset of ``target`` in ``bundle`` (a name or a directory) under ``root``; differing
    files are backed up first, and files only a previously installed bundle had are removed (untouched)
    or released (edited)."""
    runtime = get_runtime(target)
    if not root.is_dir():
        raise OmkError(f'{root}: not a directory; create it or point omk-kimi elsewhere')
    return install_assets(root, runtime.base_dir, project_assets(root, runtime, bundle), dry_run=dry_run)


def install_user_assets(*, dry_run: bool = False, target: Runtime | str = DEFAULT_RUNTIME) -> InstallReport:
    """Install the role agents and hook scripts into the user directory (see ``user_scope``)."""
    scope = user_scope(target)
    # The user dir's parent may not exist yet (~/.config on a fresh machine): create it, as omk does.
    return install_assets(scope.root, scope.base_dir, user_assets(scope, target), dry_run=dry_run, create_root=True)


def install_assets(
    root: Path, base_dir: str, assets: tuple[BundledAsset, ...], *, dry_run: bool, create_root: bool = False,
) -> InstallReport:
    """Make ``assets`` under ``root/base_dir`` exactly the bundled bytes, recorded in that dir's manifest.

    ``create_root``: a missing ``root`` is created (a dry run only plans as if it were)."""
    if create_root and not dry_run:
        make_dirs(root)
    if not root.is_dir() and not (create_root and dry_run and not os.path.lexists(root)):
        raise OmkError(f'{root}: not a directory; create it or point omk-kimi elsewhere')
    actions, new_backups = reconcile(root, base_dir, assets, overwrite_edits=True, dry_run=dry_run, reinstall=True)
    backups = [b.backup_path for b in new_backups]

    def written(kind: EntryKind) -> list[str]:
        return [a.path for a in actions if a.kind in WRITES and a.asset is not None and a.asset.kind is kind]

    return InstallReport(
        agents_installed=sorted({p.split('/')[2] for p in written(EntryKind.AGENT_SPEC) + written(EntryKind.AGENT_PROMPT)}),
        hooks_installed=[p.rsplit('/', 1)[1] for p in written(EntryKind.HOOK_SCRIPT) + written(EntryKind.HOOK_CONFIG)],
        skills_linked=[p.split('/')[2] for p in written(EntryKind.SKILL)],
        backups_created=backups,
        dry_run=dry_run,
        plan=[a.describe() for a in actions if a.kind not in (ActionKind.UNCHANGED, ActionKind.OUTSIDE_SPARSE)],
        outside_sparse=[a.path for a in actions if a.kind is ActionKind.OUTSIDE_SPARSE],
    )


HELP = 'write the bundled assets into the asset dir and record them in the manifest'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    add_dry_run(parser)
    parser.add_argument('--user', action='store_true', help=USER_HELP)
    parser.add_argument('--bundle', default='omk', metavar='NAME|PATH',
                        help='the bundle to install: an installed bundle\'s name (see omk-kimi bundles) or a '
                             'directory in the repository holding omk-bundle.toml (default: omk, the bundled '
                             'assets); later sync, diff and rollback use the one recorded in the manifest')


def chosen_runtime(args: argparse.Namespace, root: Path) -> tuple[Runtime, str]:
    """The runtime a project install writes, and why: ``--target``; else the CLI the ``kimi`` on PATH is
    (Kimi Code 2.x, kimi-cli 1.x; asked only ``kimi --version``); else the runtime whose asset dir the
    project already has; else the default."""
    if args.target is not None:
        return get_runtime(args.target), f'--target {args.target}'
    from omk_precommit.doctor.kimi_binary import query_kimi

    kimi = query_kimi()
    if kimi.runtime is not None:
        return kimi.runtime, f'the kimi on PATH ({kimi.executable}) is {kimi.runtime.product} {kimi.version}'
    present = [r for r in RUNTIMES.values() if (root / r.base_dir).is_dir()]
    no_kimi = ('no kimi on PATH' if kimi.executable is None
               else f'{kimi.executable} is neither CLI ({kimi.problem or f"version {kimi.version}"})')
    if present:
        return present[0], f'{no_kimi}, and the project already has {present[0].base_dir}/'
    return DEFAULT_RUNTIME, f'{no_kimi}, and the project has no asset dir yet: the default'


def run(args: argparse.Namespace) -> int:
    if args.user:
        runtime = runtime_of(args)
        announce_user_scope(args, runtime)
        report = install_user_assets(dry_run=args.dry_run, target=runtime)
        reason = None
    else:
        root = project_root(args)
        runtime, reason = chosen_runtime(args, root)
        if not args.json and args.target is None:
            print(f'target {runtime.name} ({runtime.base_dir}/): {reason}; choose with --target')
        report = install_project_assets(root, dry_run=args.dry_run, target=runtime, bundle=args.bundle)
    if args.json:
        extra = {} if reason is None else {'runtime': runtime.name, 'chosen_because': reason}
        print_json({**report.to_json(), **extra})
    else:
        text.print_install(report)
    return EXIT_CLEAN
