"""Doctor checks for the manifest: present, loadable and safe; managed files; the backup index."""
from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from omk_precommit.engine.findings import DiagResult, Findings
from omk_precommit.engine.gitutil import ignored_paths, sparse_excluded
from omk_precommit.engine.manifest import MANIFEST_NAME, AssetManifest, DriftState
from omk_precommit.engine.paths import RootGuard
from omk_precommit.errors import OmkError
from omk_precommit.runtimes.registry import Runtime


class LoadedManifest(NamedTuple):
    """The manifest of one doctor run, loaded once: the manifest (None when missing), or why it
    cannot be used, and the guard that validated its paths (its ``lstat``s serve the drift check)."""

    manifest: AssetManifest | None
    error: OmkError | None
    guard: RootGuard


def load_manifest(root: Path, base_dir: str) -> LoadedManifest:
    """Load and validate the manifest once. The doctor reads every managed file anyway, so the
    guard learns file types from one listing per directory, not an ``lstat`` per path."""
    guard = RootGuard(root, by_listing=True)
    try:
        return LoadedManifest(AssetManifest.load(root, base_dir, guard=guard), None, guard)
    except OmkError as e:
        return LoadedManifest(None, e, guard)


def managed_paths(root: Path, base_dir: str, loaded: LoadedManifest | None = None) -> frozenset[str]:
    """The paths the manifest lists, or none when it is missing or unusable (reported by ``check_manifest``)."""
    manifest = (loaded or load_manifest(root, base_dir)).manifest
    return frozenset(e.path for e in manifest.files) if manifest else frozenset()


def _not_a_directory(root: Path, rel: str) -> str | None:
    """The first ancestor of ``rel`` that exists but is no directory (a file where ``skills/``
    belongs), which keeps sync from recreating ``rel``; None when there is none."""
    parts = rel.split('/')[:-1]
    for i in range(1, len(parts) + 1):
        ancestor = '/'.join(parts[:i])
        if os.path.lexists(root / ancestor) and not (root / ancestor).is_dir():
            return ancestor
    return None


def check_manifest(root: Path, runtime: Runtime, *, git_root: Path | None = None,
                   loaded: LoadedManifest | None = None, clean: frozenset[str] = frozenset()) -> list[DiagResult]:
    """Load errors, missing (error) and locally edited (warning) managed files, and missing backups (warning).

    Drift in a path git ignores is not an error; ``git_root`` (default ``root``) is the work tree
    to ask, for when ``root`` holds a copy of its staged files. ``loaded``: the manifest as
    ``load_manifest`` loaded it, so it is not loaded again. ``clean``: managed files known to
    match the manifest without reading them (a staged copy leaves them out).
    """
    findings = Findings('manifest')
    base_dir = runtime.base_dir
    rel = f'{base_dir}/{MANIFEST_NAME}'
    loaded = loaded or load_manifest(root, base_dir)
    try:
        if loaded.error is not None:
            raise loaded.error
        manifest = loaded.manifest
        drifted = manifest.drifted_files(root, guard=loaded.guard, clean=clean) if manifest else []
    except OmkError as e:
        message = str(e)
        findings.error(rel, message[len(rel) + 2:] if message.startswith(f'{rel}: ') else message,
                       f'git checkout -- {rel}, or delete it and run {runtime.command("install")}')
        return findings.results
    if manifest is None:
        findings.warning(rel, 'missing, so omk-kimi manages nothing here and cannot detect drift',
                         runtime.command('install'))
        return findings.results
    findings.ok(rel, f'loads: {len(manifest.files)} managed files, {len(manifest.backups)} backups')
    missing = [d.path for d in drifted if d.state is DriftState.MISSING]
    if missing:  # absent because a sparse checkout excludes them: not drift (and no git process otherwise)
        outside = sparse_excluded(git_root or root, base_dir)
        if outside & set(missing):
            drifted = [d for d in drifted if d.path not in outside]
            findings.ok(f'{base_dir}/', f'{len(outside & set(missing))} managed files outside this sparse checkout; '
                                        'not checked')
    missing_backups = [b for b in manifest.backups if not (root / b.backup_path).is_file()]
    ignored = ignored_paths(git_root or root, [d.path for d in drifted] + [b.backup_path for b in missing_backups])
    for drift in drifted:
        if drift.path in ignored:
            findings.ok(drift.path, 'differs from the manifest but git ignores it; not checked')
        elif drift.state is DriftState.MISSING and (blocker := _not_a_directory(root, drift.path)) is not None:
            findings.error(drift.path, f'managed file is missing: {blocker} is not a directory',
                           f'move it aside (mv {blocker} {blocker}.old) and run {runtime.command("sync")}')
        elif drift.state is DriftState.MISSING:
            findings.error(drift.path, 'managed file is missing', runtime.command('sync'))
        else:
            findings.warning(drift.path, 'managed file was edited since omk-kimi wrote it',
                             f'{runtime.command("diff " + drift.path)} to see it, '
                             f'{runtime.command("accept " + drift.path)} to keep it, '
                             f'{runtime.command("sync --force")} to drop it')
    for backup in missing_backups:
        if backup.backup_path not in ignored:
            findings.warning(backup.backup_path, f'backup index drift: the backup of {backup.managed_path} is listed '
                                                 'in the manifest but missing, so rollback cannot restore the original',
                             f'restore {backup.backup_path} from git or a copy if you still have it; else '
                             f'{runtime.command("sync --force")} forgets the entry (and backs up and overwrites local edits)')
    return findings.results
