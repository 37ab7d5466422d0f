"""``check``: the manifest drift check behind the ``omk-check`` hook.

It judges either the working tree or, with ``staged``, the index — what ``git commit`` is about
to record. Inside a commit hook the index is what matters: an unstaged edit is not part of the
commit and must not block it, and a staged edit must block even when the working tree was
reverted afterwards.

It runs on every commit, so it imports only what it needs (no GitPython, PyYAML or bundled
templates) and reads as little as it can: in the working tree it stats each managed file once
and reads only those the stat cache cannot vouch for; it parses and validates the manifest
only when it changed; and it asks git about ignored paths only when something drifted.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, NamedTuple

from omk_precommit.engine.checksum import Fingerprint, fingerprint
from omk_precommit.engine.drift import Drift, DriftState, drifted_files, read_regular_files, with_conflicts
from omk_precommit.engine.gitutil import StagedFiles, ignored_paths, sparse_excluded, staged_blob_ids
from omk_precommit.engine.paths import DEFAULT_BASE_DIR, MANIFEST_NAME, RootGuard, all_safe
from omk_precommit.errors import OmkError
from omk_precommit.fastcheck.blobcache import BlobCache
from omk_precommit.fastcheck.statcache import ManifestSnapshot, StatCache


class CheckResult(NamedTuple):
    """Drifted managed files, and the drifted ones skipped because git ignores them.

    A NamedTuple, like ``Drift``: the clean path imports neither dataclasses nor the manifest
    module (about 12 ms together, on every commit).
    """

    drifted: list[Drift]
    skipped: list[str]
    managed: int
    manifest_missing: bool
    staged: bool = False
    outside_sparse: tuple[str, ...] = ()  # missing only because the sparse checkout excludes them

    def to_json(self) -> dict[str, Any]:
        return {
            'drifted': [{'path': d.path, 'state': d.state.value} for d in self.drifted],
            'skipped': self.skipped,
            'managed': self.managed,
            'manifest_missing': self.manifest_missing,
            'source': 'index' if self.staged else 'worktree',
            'outside_sparse': list(self.outside_sparse),
        }


def check_drift(root: Path, *, staged: bool = False, base_dir: str = DEFAULT_BASE_DIR) -> CheckResult:
    """Compare every file the manifest in ``root / base_dir`` manages with its recorded checksum;
    git-ignored paths are skipped.

    With ``staged`` both the manifest and the files are read from git's index, so the result
    describes the commit being made; otherwise from the working tree.
    """
    found = _staged_drift(root, base_dir) if staged else _worktree_drift(root, base_dir)
    if found is None:
        return CheckResult(drifted=[], skipped=[], managed=0, manifest_missing=True, staged=staged)
    managed, drifted = found
    # Asking git about ignore rules (and the sparse checkout) costs a subprocess, so only drift pays for it.
    ignored = ignored_paths(root, [d.path for d in drifted]) if drifted else set()
    missing = {d.path for d in drifted if d.state is DriftState.MISSING}
    sparse = sorted(missing & sparse_excluded(root, base_dir)) if missing and not staged else []
    return CheckResult(
        drifted=[d for d in drifted if d.path not in ignored and d.path not in sparse],
        skipped=sorted(ignored),
        managed=managed,
        manifest_missing=False,
        staged=staged,
        outside_sparse=tuple(sparse),
    )


def _worktree_drift(root: Path, base_dir: str) -> tuple[int, list[Drift]] | None:
    """How many files the manifest on disk manages and which of them drifted; None: no manifest."""
    cache = StatCache.for_root(root, base_dir)  # first: its start time is the racy cut-off
    # With nothing cached every file is read anyway: learn file types from directory listings
    # rather than an lstat per file.
    guard = RootGuard(root, by_listing=cache.empty)
    manifest_st = _manifest_stat(guard, base_dir)
    snapshot = _unchanged_manifest(guard, base_dir, cache, manifest_st)
    if snapshot is None:
        from omk_precommit.engine.manifest import AssetManifest  # only when the manifest changed

        manifest = AssetManifest.load(root, base_dir, guard=guard)
        if manifest is None:
            return None
        snapshot = _snapshot_of(manifest)
        if manifest_st is not None:
            cache.remember_manifest(manifest_st, snapshot)
    drifted = drifted_files(guard, zip(snapshot.paths, snapshot.checksums), cache)
    cache.save()
    return len(snapshot.paths), with_conflicts(drifted, lambda rels: read_regular_files(guard, rels))


def _snapshot_of(manifest: Any) -> ManifestSnapshot:
    return ManifestSnapshot(
        tuple(e.path for e in manifest.files),
        tuple(e.checksum for e in manifest.files),
        (*manifest.directories, *(p for b in manifest.backups for p in (b.managed_path, b.backup_path))),
    )


def _manifest_stat(guard: RootGuard, base_dir: str) -> os.stat_result | None:
    """The stat of the manifest taken before it is read, when it is a plain file inside the root."""
    rel = f'{base_dir}/{MANIFEST_NAME}'
    try:
        st = guard.lstat(rel) if guard.is_inside(rel) else None
    except OSError:
        return None
    return st if st is not None and stat.S_ISREG(st.st_mode) else None


def _unchanged_manifest(
    guard: RootGuard, base_dir: str, cache: StatCache, st: os.stat_result | None,
) -> ManifestSnapshot | None:
    """The cached snapshot of the manifest if the file is unchanged and every path it names is
    still safe; None sends the caller to a full load, which reports any problem properly."""
    if st is None:
        return None
    snapshot = cache.manifest(st)
    if snapshot is None:
        return None
    return snapshot if _still_safe(guard, base_dir, snapshot, stat_all=True) else None


def _still_safe(guard: RootGuard, base_dir: str, snapshot: ManifestSnapshot, *, stat_all: bool = False) -> bool:
    """True when every path of a manifest that once loaded cleanly is still safe: its bytes are
    the same, but the file system around them may have changed (a directory become a link)."""
    if not all_safe((*snapshot.paths, *snapshot.other_paths), base_dir):
        return False
    if stat_all:
        guard.lstat_many(snapshot.paths)  # the drift check stats them all: in one pass, up front
    return guard.all_inside(snapshot.paths) and all(map(guard.is_inside, snapshot.other_paths))


def staged_fingerprints(root: Path, base_dir: str, blobs: set[str]) -> dict[str, Fingerprint]:
    """The fingerprints of the staged blobs ``blobs`` (of files under ``base_dir``), from the blob
    cache ``check --staged`` keeps, or read through git and remembered there; an unreadable blob
    has none."""
    cache = BlobCache.for_root(root, base_dir)
    found = {blob: cache.fingerprint(blob) for blob in blobs}
    for blob, data in _read_unknown(root, cache, [blob for blob, fp in found.items() if fp is None]).items():
        found[blob] = fingerprint(data) if data is not None else None
    cache.save()
    return {blob: fp for blob, fp in found.items() if fp is not None}


def _read_unknown(root: Path, cache: BlobCache, unknown: list[str]) -> dict[str, bytes | None]:
    """Read the blobs ``unknown`` to the cache from git and remember their fingerprints; their bytes."""
    if not unknown:
        return {}
    with StagedFiles(root) as index:
        contents = index.read_objects(sorted(unknown))
    for blob, data in contents.items():
        if data is not None:
            cache.store(blob, fingerprint(data))
    return contents


def _staged_drift(root: Path, base_dir: str) -> tuple[int, list[Drift]] | None:
    """How many files the staged manifest manages and which staged files differ from it.

    The index names every staged file by its blob id, so only blobs the blob cache has not
    seen are read from git; the disk is only consulted for the symlink rules.
    """
    cache = BlobCache.for_root(root, base_dir)
    blobs = staged_blob_ids(root, base_dir)
    manifest_blob = blobs.get(f'{base_dir}/{MANIFEST_NAME}')
    if manifest_blob is None:
        return None
    guard = RootGuard(root, by_listing=True)  # nothing is read from disk: file types suffice
    snapshot = cache.manifest(manifest_blob)
    if snapshot is None or not _still_safe(guard, base_dir, snapshot):
        from omk_precommit.engine.manifest import AssetManifest  # only when the staged manifest changed

        with StagedFiles(root) as index:
            raw = index.read_objects([manifest_blob])[manifest_blob]
        if raw is None:
            raise OmkError(f'{base_dir}/{MANIFEST_NAME}: staged, but git cannot read its blob {manifest_blob}; '
                           'run git fsck')
        snapshot = _snapshot_of(AssetManifest.parse(root, raw, base_dir, guard=guard))
        cache.remember_manifest(manifest_blob, snapshot)
    contents = _read_unknown(root, cache, [blob for blob in {blobs[rel] for rel in snapshot.paths if rel in blobs}
                                           if cache.fingerprint(blob) is None])
    drifted = []
    for rel, checksum in zip(snapshot.paths, snapshot.checksums):
        staged_blob = blobs.get(rel)
        fp = cache.fingerprint(staged_blob) if staged_blob is not None else None
        if fp is None:
            drifted.append(Drift(rel, DriftState.MISSING))
        elif not fp.matches(checksum):
            drifted.append(Drift(rel, DriftState.MODIFIED))
    cache.save()

    def read_staged(rels: list[str]) -> dict[str, bytes | None]:
        """The staged bytes of ``rels``: read above if their blobs were new, else read now."""
        missing = sorted({blobs[rel] for rel in rels} - contents.keys())
        if missing:
            with StagedFiles(root) as index:
                contents.update(index.read_objects(missing))
        return {rel: contents[blobs[rel]] for rel in rels}

    return len(snapshot.paths), with_conflicts(drifted, read_staged)
