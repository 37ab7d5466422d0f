"""``forget``: stop managing files. They stay on disk; check no longer judges them, sync and
rollback leave them alone (``install`` manages them again)."""
from __future__ import annotations

import argparse
import contextlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from omk_precommit.commands.base import (
    EXIT_CLEAN,
    USER_HELP,
    add_common,
    print_reports,
    reports_by_runtime,
)
from omk_precommit.engine.fsutil import project_lock
from omk_precommit.engine.pathargs import load_for_change, named_paths
from omk_precommit.errors import OmkError
from omk_precommit.render import text
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime
from omk_precommit.runtimes.user_scope import user_scope


@dataclass(frozen=True)
class ForgetReport:
    """The files no longer managed (``forgotten``), and those that already were not."""

    forgotten: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def forget_project_assets(root: Path, paths: list[str], *, dry_run: bool = False, target: Runtime | str = DEFAULT_RUNTIME,
                          cwd: Path | None = None) -> ForgetReport:
    """Stop managing the named files of ``root``'s ``target`` assets."""
    return forget_assets(root, get_runtime(target).base_dir, paths, dry_run=dry_run, cwd=cwd)


def forget_user_assets(paths: list[str], *, dry_run: bool = False, target: Runtime | str = DEFAULT_RUNTIME,
                       cwd: Path | None = None) -> ForgetReport:
    """``forget`` for the user scope (``install --user``)."""
    scope = user_scope(target)
    return forget_assets(scope.root, scope.base_dir, paths, dry_run=dry_run, cwd=cwd)


def forget_assets(root: Path, base_dir: str, paths: list[str], *, dry_run: bool, cwd: Path | None = None) -> ForgetReport:
    """Drop the named files from ``root/base_dir``'s manifest and list them as forgotten."""
    if not paths:
        raise OmkError('forget: name the files to stop managing (PATH...)')
    with contextlib.nullcontext() if dry_run else project_lock(root):
        manifest = load_for_change(root, base_dir)
        managed = {e.path for e in manifest.files} | {e.path for e in manifest.deleted}
        rels = named_paths(root, paths, cwd or root, known=managed | set(manifest.forgotten))
        report = ForgetReport(dry_run=dry_run)
        for rel in rels:
            (report.forgotten if rel in managed else report.unchanged).append(rel)
        if not dry_run and report.forgotten:
            gone = set(report.forgotten)
            manifest.with_changes(
                [e for e in manifest.files if e.path not in gone], list(manifest.directories), list(manifest.backups),
                deleted=[e for e in manifest.deleted if e.path not in gone],
                forgotten=[*manifest.forgotten, *report.forgotten],
            ).save(root)
    return report


HELP = 'stop managing files: they stay on disk, check, sync and rollback leave them alone'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument('paths', nargs='+', metavar='PATH', help='managed files to forget (as for diff)')
    parser.add_argument('--dry-run', action='store_true', help='print what would be forgotten, change nothing')
    parser.add_argument('--user', action='store_true', help=USER_HELP)


def run(args: argparse.Namespace) -> int:
    options = {'dry_run': args.dry_run, 'cwd': Path.cwd()}
    runtimes, reports = reports_by_runtime(
        args, lambda root, runtime, paths: forget_project_assets(root, paths, target=runtime, **options),
        lambda runtime: forget_user_assets(args.paths, target=runtime, **options), paths=args.paths)
    print_reports(args, runtimes, reports, text.print_forget)
    return EXIT_CLEAN
