"""``accept``: record a deliberate edit (or deletion) of managed files as the project's version.

The manifest then remembers the bundled version the edit was based on (``base_checksum``),
the base of the three-way merge when a newer bundle arrives; ``check`` and the hooks pass,
``sync`` keeps the file and ``rollback`` leaves it, since it is the project's now.
"""
from __future__ import annotations

import argparse
import contextlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from omk_precommit.commands.base import (
    EXIT_CLEAN,
    EXIT_FOUND,
    USER_HELP,
    add_common,
    print_reports,
    reports_by_runtime,
)
from omk_precommit.engine.checksum import compute_checksum, normalize_eol
from omk_precommit.engine.fsutil import project_lock
from omk_precommit.engine.manifest import ManifestEntry, read_managed
from omk_precommit.engine.merge import has_conflict_markers
from omk_precommit.engine.pathargs import load_for_change, named_paths
from omk_precommit.engine.plan import is_recorded_version
from omk_precommit.errors import OmkError
from omk_precommit.render import text
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime
from omk_precommit.runtimes.user_scope import user_scope


@dataclass(frozen=True)
class AcceptReport:
    """What accept recorded: edits, deletions, files already as recorded, files it refused (with why)."""

    accepted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # 'path: reason'
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def accept_project_assets(root: Path, paths: list[str], *, all_drifted: bool = False, dry_run: bool = False,
                          target: Runtime | str = DEFAULT_RUNTIME, cwd: Path | None = None) -> AcceptReport:
    """Accept the named managed files (or, with ``all_drifted``, every drifted one) as they are now."""
    return accept_assets(root, get_runtime(target).base_dir, paths, all_drifted=all_drifted, dry_run=dry_run, cwd=cwd)


def accept_user_assets(paths: list[str], *, all_drifted: bool = False, dry_run: bool = False,
                       target: Runtime | str = DEFAULT_RUNTIME, cwd: Path | None = None) -> AcceptReport:
    """``accept`` for the user scope (``install --user``)."""
    scope = user_scope(target)
    return accept_assets(scope.root, scope.base_dir, paths, all_drifted=all_drifted, dry_run=dry_run, cwd=cwd)


def accept_assets(root: Path, base_dir: str, paths: list[str], *, all_drifted: bool, dry_run: bool,
                  cwd: Path | None = None) -> AcceptReport:
    """Record the current content of the named files in ``root/base_dir``'s manifest, under its lock."""
    if not paths and not all_drifted:
        raise OmkError('accept: name the files to accept (PATH...), or --all for every drifted one')
    with contextlib.nullcontext() if dry_run else project_lock(root):
        manifest = load_for_change(root, base_dir)
        known = {e.path for e in manifest.files} | {e.path for e in manifest.deleted}
        rels = named_paths(root, paths, cwd or root, known=known)
        if all_drifted:
            rels += [d.path for d in manifest.drifted_files(root) if d.path not in rels]
        files = {e.path: e for e in manifest.files}
        deleted = {e.path: e for e in manifest.deleted}
        report = AcceptReport(dry_run=dry_run)
        for rel in rels:
            _accept_one(root, rel, files, deleted, report)
        if not dry_run and (report.accepted or report.deleted):
            manifest.with_changes(list(files.values()), list(manifest.directories), list(manifest.backups),
                                  deleted=list(deleted.values())).save(root)
    return report


def _accept_one(root: Path, rel: str, files: dict[str, ManifestEntry], deleted: dict[str, ManifestEntry],
                report: AcceptReport) -> None:
    """Decide what accepting ``rel`` records, updating ``files`` / ``deleted`` and ``report``."""
    entry = files.get(rel) or deleted[rel]
    disk = read_managed(root, rel)
    base = entry.base_checksum if rel in deleted else entry.based_on
    if disk is None:
        if rel in deleted:
            report.unchanged.append(rel)
        else:
            deleted[rel] = ManifestEntry(rel, entry.kind, None, base)
            del files[rel]
            report.deleted.append(rel)
        return
    if has_conflict_markers(disk):
        report.refused.append(f'{rel}: holds conflict markers; resolve them first (see omk-kimi diff {rel})')
        return
    if rel in files and is_recorded_version(disk, entry.checksum):
        report.unchanged.append(rel)
        return
    # Of the LF form: the staged blob of a CRLF checkout (autocrlf) is LF, and drift checks match
    # a CRLF file against an LF checksum, never the other way round.
    checksum = compute_checksum(normalize_eol(disk))
    files[rel] = ManifestEntry(rel, entry.kind, checksum, None if checksum == base else base, bundle=entry.bundle)
    deleted.pop(rel, None)
    report.accepted.append(rel)


HELP = ("record the current content of drifted managed files (an edit or a deletion) as the project's version, "
        'remembering the bundled version it was based on')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument('paths', nargs='*', metavar='PATH', help='managed files to accept (as for diff)')
    parser.add_argument('--all', action='store_true', dest='all_drifted', help='accept every drifted managed file')
    parser.add_argument('--dry-run', action='store_true', help='print what would be recorded, change nothing')
    parser.add_argument('--user', action='store_true', help=USER_HELP)


def run(args: argparse.Namespace) -> int:
    options = {'all_drifted': args.all_drifted, 'dry_run': args.dry_run, 'cwd': Path.cwd()}
    runtimes, reports = reports_by_runtime(
        args, lambda root, runtime, paths: accept_project_assets(root, paths, target=runtime, **options),
        lambda runtime: accept_user_assets(args.paths, target=runtime, **options), paths=args.paths)
    print_reports(args, runtimes, reports, text.print_accept)
    return EXIT_FOUND if any(report.refused for _, report in reports) else EXIT_CLEAN
