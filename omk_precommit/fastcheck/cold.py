"""A cold drift check of the working tree with no drift, answered without the full check.

With no stat cache (a fresh clone, a removed cache) every managed file is read anyway, so
the work is reading and hashing; the full check adds to it parsing the manifest into one
dataclass per entry, the imports that needs, and a ``Path`` and a stat cache object per file.
``clean_cold`` does only the reading and hashing: it parses the manifest with ``json`` into
plain lists, validates it in bulk by the rules of ``engine.manifest`` restricted to the common
shape, reads each file with ``os.open``/``os.read``, and writes the stat cache as the full
check would (``statcache.StatCache.save``). Anything else — drift, a manifest field of an
unusual shape or that the full check refuses, an older manifest version (it warns), a symlink
or a non-regular file on the way, an unreadable file — gives None, and the full check judges
and prints. Same verdict, same racy rule, same symlink rule.
"""
from __future__ import annotations

import os
import stat
import time

from omk_precommit.engine.gitutil import git_dir_of
from omk_precommit.engine.paths import MANIFEST_NAME, all_safe
from omk_precommit.fastcheck import warm
from omk_precommit.fastcheck.cachefile import write_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MANIFEST_VERSION = 1  # engine.manifest.MANIFEST_VERSION (a test keeps them equal); older ones warn
KINDS = frozenset({'agent_spec', 'agent_prompt', 'hook_script', 'hook_config', 'skill', 'config', 'other'})
_HEX = frozenset('0123456789abcdefABCDEF')
_FILE_KEYS = frozenset({'path', 'kind', 'checksum'})  # any other key (accepted, bundle, ...): the full check
_TOP_TEXT = ('created_at', 'omk_version')
_FLAGS = os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_NOFOLLOW', 0)
_NO_STAT = (-1, -1, -1, -1)
_CRLF, _LF = b'\r\n', b'\n'


def clean_cold(root: str, base_dir: str) -> int | None:
    """The number of files the manifest in ``root/base_dir`` manages when the stat cache is
    missing or knows no file, and none of them drifted (the cache then written); None when the
    full check must judge."""
    directory = git_dir_of(root)
    if directory is None:
        return None
    cache = os.path.join(directory, warm.STAT_CACHE + base_dir)
    record = warm.stat_record(cache)
    if record is not None and any(fp is not None for fp in record[5]):
        return None  # a warm cache: the full check reads only what changed
    started_ns = time.time_ns()  # before the first stat: the racy cut-off, as StatCache's
    prefix = os.path.join(root, '')
    manifest_rel = f'{base_dir}/{MANIFEST_NAME}'
    try:
        fd = os.open(prefix + manifest_rel, _FLAGS)
        try:
            manifest_st = os.fstat(fd)
            raw = os.read(fd, manifest_st.st_size + 1) if stat.S_ISREG(manifest_st.st_mode) else None
        finally:
            os.close(fd)
    except OSError:
        return None
    if raw is None or len(raw) != manifest_st.st_size:
        return None
    snapshot = _snapshot(raw, base_dir)
    if snapshot is None:
        return None
    paths, checksums, other_paths = snapshot
    if not warm.no_link_on_the_way(prefix, (manifest_rel, *paths, *other_paths), ()):
        return None
    found = _fingerprints(prefix, paths, checksums)
    if found is None:
        return None
    stats, fps, lfs = found
    cutoff = started_ns - warm.RACY_WINDOW_NS
    settled = [st.st_mtime_ns < cutoff and st.st_ctime_ns < cutoff for st in stats]
    manifest_key = None
    if manifest_st.st_mtime_ns < cutoff and manifest_st.st_ctime_ns < cutoff:
        manifest_key = (manifest_st.st_size, manifest_st.st_mtime_ns, manifest_st.st_ctime_ns, manifest_st.st_ino)
    _save(cache, started_ns, manifest_key, snapshot, stats, fps, lfs, settled)
    return len(paths)


def _snapshot(raw: bytes, base_dir: str) -> tuple[tuple[str, ...], tuple[str | None, ...], tuple[str, ...]] | None:
    """``(paths, checksums, other_paths)`` of manifest bytes as ``fastcheck.check`` snapshots them
    after ``AssetManifest.parse``, when they have the common shape and that parse accepts them."""
    if raw[:3] == b'\xef\xbb\xbf' or b'\0' in raw[:4]:
        return None  # a BOM, UTF-16/32: json decodes them its own way
    try:
        import json

        data = json.loads(raw.decode('utf-8'), object_pairs_hook=_no_duplicate_keys)
    except (ValueError, RecursionError, _DuplicateKey):
        return None
    if type(data) is not dict or type(data.get('version')) is not int or data['version'] != MANIFEST_VERSION:
        return None
    texts = [data[key] for key in _TOP_TEXT if key in data]
    if data.get('project_dir') is not None:
        texts.append(data['project_dir'])
    items = data.get('files')
    directories = data.get('directories', [])
    if not (set(map(type, texts)) <= {str} and type(items) is list and type(directories) is list
            and data.get('deleted', []) == [] and data.get('forgotten', []) == [] and not data.get('backups')
            and type(data.get('backups', [])) is list):
        return None
    if not set(map(type, items)) <= {dict} or not all(map(_FILE_KEYS.issuperset, items)):
        return None
    try:
        paths = [item['path'] for item in items]
    except KeyError:
        return None
    try:
        kinds = {item.get('kind', 'other') for item in items}
    except TypeError:  # an unhashable kind
        return None
    checksums = [item.get('checksum') for item in items]
    given = [c for c in checksums if c is not None]
    if not (kinds <= KINDS and set(map(type, given)) <= {str} and all(len(c) == 16 for c in given)
            and set(''.join(given)) <= _HEX and _plain(paths, base_dir) and _plain(directories, base_dir)
            and len(set(paths)) == len(paths) and base_dir not in paths and f'{base_dir}/{MANIFEST_NAME}' not in paths):
        return None
    try:
        '\n'.join(texts).encode('utf-8')  # no lone surrogates (JSON allows them, the loader does not)
    except UnicodeEncodeError:
        return None
    ordered = sorted(zip(paths, [c.lower() if c is not None else None for c in checksums]))
    return tuple(p for p, _ in ordered), tuple(c for _, c in ordered), tuple(sorted(set(directories)))


def _plain(rels: list[Any], base_dir: str) -> bool:
    """True when every one of ``rels`` is a safe path under ``base_dir`` already in canonical
    form (``engine.manifest._proven_safe`` without the symlink proof, done later in bulk)."""
    if not set(map(type, rels)) <= {str} or not all_safe(rels, base_dir):
        return False
    joined = '\n'.join(rels)
    return joined.isascii() and '//' not in joined and '/.' not in joined and '/\n' not in joined \
        and not joined.endswith('/') and max(map(len, rels), default=0) <= 4096


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise _DuplicateKey
    return data


def _fingerprints(
    prefix: str, paths: tuple[str, ...], checksums: tuple[str | None, ...],
) -> tuple[list[os.stat_result], list[str], list[str | None]] | None:
    """The fstat, checksum and CRLF->LF checksum of each regular file of ``paths``, in order, when
    every one matches its recorded checksum; None at the first that is missing, not a regular
    file, unreadable or drifted."""
    try:
        from fnv_c import fnv1a_64
    except ImportError:
        from omk_precommit.engine.checksum import fnv1a_64
    stats, fps, lfs = [], [], []
    open_, fstat, read, close = os.open, os.fstat, os.read, os.close
    for rel, recorded in zip(paths, checksums):
        try:
            fd = open_(prefix + rel, _FLAGS)
        except OSError:
            return None
        try:
            st = fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None
            data = read(fd, st.st_size + 1)
        except OSError:
            return None
        finally:
            close(fd)
        if len(data) != st.st_size:
            return None  # changed while read: the full check reads it to the end
        checksum = f'{fnv1a_64(data):016x}'
        lf = f'{fnv1a_64(data.replace(_CRLF, _LF)):016x}' if b'\r' in data and _CRLF in data else None
        if not (recorded is None or recorded == checksum or recorded == lf):
            return None
        stats.append(st)
        fps.append(checksum)
        lfs.append(lf)
    return stats, fps, lfs


def _save(
    cache: str, started_ns: int, manifest_key: tuple[int, int, int, int] | None,
    snapshot: tuple[tuple[str, ...], tuple[str | None, ...], tuple[str, ...]],
    stats: list[os.stat_result], fps: list[str], lfs: list[str | None], settled: list[bool],
) -> None:
    """The stat cache ``StatCache.save`` writes after a full check of a cold, clean tree."""
    import struct

    rows = list(range(len(stats)))
    if manifest_key is None:  # the cache keeps only the files it learned, in manifest order
        rows = [row for row in rows if settled[row]]
        paths: tuple[str, ...] = tuple(snapshot[0][row] for row in rows)
    else:
        paths = snapshot[0]
    numbers: list[int] = []
    for row in rows:
        if settled[row]:
            st = stats[row]
            numbers += (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        else:
            numbers += _NO_STAT
    try:
        packed = struct.pack(f'={len(numbers)}q', *numbers)
    except struct.error:  # a stat out of range: no cache, as the full check's array('q') would refuse it
        return
    write_record(cache, warm.STAT_KIND, (
        started_ns, manifest_key, snapshot if manifest_key is not None else None, paths, packed,
        tuple(fps[row] if settled[row] else None for row in rows),
        tuple(lfs[row] if settled[row] else None for row in rows),
    ))
