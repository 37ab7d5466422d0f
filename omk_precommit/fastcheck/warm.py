"""The drift check of a commit that changed no managed file, answered from the caches alone.

``stat_record``/``blob_record`` read the caches ``statcache`` and ``blobcache`` write (they use
these readers too); ``clean_worktree``/``clean_index`` give the number of managed files when the
cache vouches for every one of them and none drifted, and None for anything else — a changed
file, a changed manifest, a symlink on the way, an unreadable path — which the full check
(``fastcheck.check``) then judges. Same verdict, same racy rule, same symlink rule: only the
common case is cut short, with nothing but ``os`` and the cache file imported.
"""
from __future__ import annotations

import os
import stat
from itertools import chain
from operator import attrgetter

from omk_precommit.engine.gitutil import git_dir_of
from omk_precommit.engine.paths import MANIFEST_NAME, all_safe
from omk_precommit.fastcheck.cachefile import read_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    Snapshot = tuple[tuple[str, ...], tuple['str | None', ...], tuple[str, ...]]

STAT_KIND = b'stat/2'  # the stat cache's layout; bump it when the fields change
STAT_CACHE, BLOB_CACHE = 'omk-check-cache', 'omk-check-blobs'  # in the git dir, + the asset dir: …cache.kimi
BLOB_KIND = b'blob/1'  # the blob cache's layout
# Wider than any timestamp granularity a file system offers (FAT: 2 s) plus the lag of the
# kernel's coarse clock behind time.time_ns(): a change after a check started always gets a
# ctime newer than (start - RACY_WINDOW_NS).
RACY_WINDOW_NS = 3_000_000_000
_STR, _INT, _STR_OR_NONE = {str}, {int}, {str, type(None)}
STAT_KEY = attrgetter('st_size', 'st_mtime_ns', 'st_ctime_ns', 'st_ino')  # what the stat cache records per file
_MODE = attrgetter('st_mode')


def snapshot_fields(fields: Any) -> Snapshot | None:
    """A manifest snapshot ``(paths, checksums, other_paths)`` read back from a cache, None unless well-formed."""
    try:
        paths, checksums, other_paths = fields
        valid = (
            type(paths) is tuple and type(checksums) is tuple and type(other_paths) is tuple
            and len(paths) == len(checksums) and set(map(type, paths)) <= _STR
            and set(map(type, checksums)) <= _STR_OR_NONE and set(map(type, other_paths)) <= _STR
        )
    except (TypeError, ValueError):
        return None
    return (paths, checksums, other_paths) if valid else None


def stat_record(path: str | Path) -> tuple[Any, ...] | None:
    """The fields of the stat cache at ``path`` — ``(written_ns, manifest_key, snapshot, paths,
    stats, checksums, lf_checksums)`` — None when it is missing, foreign or corrupt."""
    fields = read_record(path, STAT_KIND)
    if fields is None:
        return None
    try:
        written_ns, manifest_key, snapshot, paths, stats, fps, lfs = fields
        n = len(paths)
        valid = (
            type(written_ns) is int and type(stats) is bytes and len(stats) == 32 * n
            and len(fps) == n and len(lfs) == n
            and set(map(type, paths)) <= _STR and set(map(type, fps)) <= _STR_OR_NONE
            and set(map(type, lfs)) <= _STR_OR_NONE
        )
        if manifest_key is not None:
            snapshot = snapshot_fields(snapshot)
            valid = valid and snapshot is not None and len(manifest_key) == 4 and set(map(type, manifest_key)) <= _INT
    except (ValueError, TypeError):
        return None
    if not valid:
        return None
    return written_ns, manifest_key, snapshot if manifest_key is not None else None, paths, stats, fps, lfs


def blob_record(path: str | Path) -> tuple[str | None, Snapshot | None, dict[str, tuple[str, str | None]]] | None:
    """The blob cache at ``path``: the staged manifest's blob id, its snapshot, and the known
    ``(checksum, lf_checksum)`` by blob id; None when it is missing, foreign or corrupt."""
    record = read_record(path, BLOB_KIND)
    if record is None:
        return None
    try:
        manifest_blob, snapshot, blobs, checksums, lf_checksums = record
        known = {
            blob: (checksum, lf)
            for blob, checksum, lf in zip(blobs, checksums, lf_checksums)
            if type(blob) is str and type(checksum) is str and (lf is None or type(lf) is str)
        }
    except (TypeError, ValueError):
        return None
    if type(manifest_blob) is str and (fields := snapshot_fields(snapshot)) is not None:
        return manifest_blob, fields, known
    return None, None, known


def clean_worktree(root: str, base_dir: str) -> int | None:
    """The number of files the manifest in ``root/base_dir`` manages when the stat cache vouches
    that none of them drifted on disk; None when the full check must judge."""
    directory = git_dir_of(root)
    record = stat_record(os.path.join(directory, STAT_CACHE + base_dir)) if directory is not None else None
    if record is None:
        return None
    written_ns, manifest_key, snapshot, paths, recorded, fps, lfs = record
    if snapshot is None or snapshot[0] != paths or None in fps:
        return None
    trusted_before = written_ns - RACY_WINDOW_NS
    prefix = os.path.join(root, '')
    manifest = f'{base_dir}/{MANIFEST_NAME}'
    other_paths = snapshot[2]
    # The managed files themselves are lstat'ed below (a link is not a regular file).
    if not all_safe((*paths, *other_paths), base_dir) or not no_link_on_the_way(prefix, (manifest, *other_paths), paths):
        return None
    try:
        st = os.lstat(prefix + manifest)
        stats = list(map(os.lstat, [prefix + rel for rel in paths]))
    except OSError:
        return None
    size, mtime_ns, ctime_ns, ino = manifest_key
    if not (stat.S_ISREG(st.st_mode) and (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) == manifest_key
            and mtime_ns < trusted_before and ctime_ns < trusted_before):
        return None
    if not all(map(stat.S_ISREG, map(_MODE, stats))):
        return None
    current = list(chain.from_iterable(map(STAT_KEY, stats)))
    # The cache packs them as native 64-bit integers (statcache's array('q')); a memoryview reads
    # them back without importing array, which imports collections.abc (~3 ms).
    if memoryview(recorded).cast('q').tolist() != current or (
            paths and max(max(current[1::4]), max(current[2::4])) >= trusted_before):
        return None
    for checksum, fp, lf in zip(snapshot[1], fps, lfs):
        if not (checksum is None or checksum == fp or checksum == lf):
            return None
    return len(paths)


def clean_index(root: str, base_dir: str, blobs: dict[str, str]) -> int | None:
    """The number of files the staged manifest of ``base_dir`` manages when the blob cache knows
    every staged one (``blobs``: blob id by path, stage 0) and none differs from it; None when the
    full check must judge (a new blob, a missing file, a link on disk, a cache to prune)."""
    manifest_blob = blobs.get(f'{base_dir}/{MANIFEST_NAME}')
    directory = git_dir_of(root)
    if manifest_blob is None or directory is None:
        return None
    record = blob_record(os.path.join(directory, BLOB_CACHE + base_dir))
    if record is None:
        return None
    recorded_blob, snapshot, known = record
    if recorded_blob != manifest_blob or snapshot is None:
        return None
    paths, checksums, other_paths = snapshot
    checked = (f'{base_dir}/{MANIFEST_NAME}', *paths, *other_paths)
    if not all_safe((*paths, *other_paths), base_dir) or not no_link_on_the_way(os.path.join(root, ''), checked, ()):
        return None
    used = set()
    for rel, checksum in zip(paths, checksums):
        blob = blobs.get(rel)
        fp = known.get(blob) if blob is not None else None
        if fp is None or not (checksum is None or checksum == fp[0] or checksum == fp[1]):
            return None
        used.add(blob)
    return len(paths) if len(used) == len(known) else None  # else the full check prunes the cache


def no_link_on_the_way(prefix: str, rels: tuple[str, ...], more: tuple[str, ...]) -> bool:
    """True when no existing file or directory named by ``rels`` (below the root), nor any directory
    on their way or on the way of ``more``, is a symlink: then none of them can resolve outside
    the root. One ``lstat`` per directory, and one listing per directory holding one of ``rels``."""
    listed = {rel.rpartition('/')[0] for rel in rels}
    folders = listed | {rel.rpartition('/')[0] for rel in more}
    for folder in list(folders):
        while '/' in folder:
            folder = folder.rpartition('/')[0]
            folders.add(folder)
    folders.discard('')
    links: set[str] = set()
    try:
        for folder in folders:
            st = _lstat_or_none(prefix + folder)
            if st is not None and stat.S_ISLNK(st.st_mode):
                return False
        for folder in listed:
            try:
                with os.scandir(prefix + folder if folder else prefix) as entries:
                    links.update(f'{folder}/{e.name}' if folder else e.name for e in entries if e.is_symlink())
            except (FileNotFoundError, NotADirectoryError):
                pass
    except OSError:
        return False
    return links.isdisjoint(rels)


def _lstat_or_none(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
