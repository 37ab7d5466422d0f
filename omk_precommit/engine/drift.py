"""Drift detection: which managed files are missing or no longer match their recorded checksum.

Each file is stat'ed once (through the ``RootGuard`` that also proves it lies inside the root)
and read only when the stat cache cannot vouch for it. Files that are not regular files (a
directory, FIFO or device where a file belongs) are drift and are never read.
"""
from __future__ import annotations

import enum
import os
import stat
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from omk_precommit.engine.checksum import Fingerprint, fingerprint, fingerprint_matches
from omk_precommit.engine.paths import RootGuard
from omk_precommit.errors import OmkError

if TYPE_CHECKING:
    from omk_precommit.fastcheck.statcache import StatCache

_O_NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0)
_O_NONBLOCK = getattr(os, 'O_NONBLOCK', 0)


class DriftState(str, enum.Enum):
    MODIFIED = 'modified'
    MISSING = 'missing'
    CONFLICT = 'conflict'  # modified, and holds unresolved merge conflict markers


def with_conflicts(drifted: list[Drift], read: Callable[[list[str]], dict[str, bytes | None]]) -> list[Drift]:
    """``drifted`` with each modified file that holds git-style conflict markers marked CONFLICT.

    ``read`` gives the bytes of the named files (None: unreadable). Only drifted files are read,
    so a clean check costs nothing more.
    """
    modified = [d.path for d in drifted if d.state is DriftState.MODIFIED]
    if not modified:
        return drifted
    from omk_precommit.engine.merge import has_conflict_markers  # only when something drifted

    contents = read(modified)
    return [d._replace(state=DriftState.CONFLICT) if d.state is DriftState.MODIFIED
            and has_conflict_markers(contents.get(d.path) or b'') else d for d in drifted]


def read_regular_files(guard: RootGuard, rels: list[str]) -> dict[str, bytes | None]:
    """The bytes of each of ``rels`` that is a regular file (never waiting on a FIFO); None otherwise."""
    out: dict[str, bytes | None] = {}
    for rel in rels:
        try:
            read = _read_regular(guard.abspath(rel), follow=guard.kind(rel) == stat.S_IFLNK)
        except OSError:
            read = None
        out[rel] = read[1] if read is not None else None
    return out


class Drift(NamedTuple):
    """A managed file whose content no longer matches the manifest; ``expected`` is the recorded
    checksum of a modified file when the caller knows it (``AssetManifest.drifted_files`` does)."""

    path: str
    state: DriftState
    expected: str | None = None


def drifted_files(
    guard: RootGuard, entries: Iterable[tuple[str, str | None]], cache: StatCache | None = None,
) -> list[Drift]:
    """The drift of each ``(path, recorded checksum)`` in ``entries``, in order; clean ones omitted.

    The paths must have passed ``path_problem`` (the manifest loader sees to it). ``cache``
    (saved by the caller) spares reading files whose stat it knows. Raises OmkError for a path
    that resolves outside the root or a file that cannot be read.
    """
    entries = list(entries)
    states: dict[str, DriftState] = {}
    rest = _unvouched(guard, entries, cache, states) if cache is not None and not cache.empty else entries
    for rel, checksum in rest:
        if not guard.is_inside(rel):
            raise OmkError(f'{rel}: resolves outside the project root through a symlink; remove the link')
        try:
            state = _drift_state(guard, rel, guard.kind(rel), checksum, cache)
        except OSError as e:
            raise OmkError(f'{rel}: cannot read ({e.strerror}); fix its permissions') from None
        if state is not None:
            states[rel] = state
    return [Drift(rel, states[rel]) for rel, _ in entries if rel in states] if states else []


def _unvouched(
    guard: RootGuard, entries: list[tuple[str, str | None]], cache: StatCache, states: dict[str, DriftState],
) -> list[tuple[str, str | None]]:
    """Judge the entries the cache vouches for (recording drift in ``states``); return the rest.

    A vouched file is a regular file inside the root whose stat is the one it was hashed
    with, so its recorded fingerprint is its content's. This is the whole work of a check on
    a clean tree, so it runs over all entries at once.
    """
    rels = [rel for rel, _ in entries]
    try:
        stats = list(map(guard.lstat, rels))
    except OSError:
        return entries  # the one-by-one path reports the error
    unchanged = cache.unchanged_fingerprints(rels, stats)
    if unchanged is not None and guard.all_inside(rels):
        # Every file has the stat of a regular file hashed before: no link, nothing to read.
        checksums, lf_checksums = unchanged
        for (rel, recorded), fp_checksum, fp_lf_checksum in zip(entries, checksums, lf_checksums):
            if not fingerprint_matches(recorded, fp_checksum, fp_lf_checksum):
                states[rel] = DriftState.MODIFIED
        return []
    stats = [st if st is not None and stat.S_ISREG(st.st_mode) else None for st in stats]
    rest: list[tuple[str, str | None]] = []
    is_inside = guard.is_inside
    for (rel, checksum), fp in zip(entries, cache.fingerprints(rels, stats)):
        if fp is None or not is_inside(rel):
            rest.append((rel, checksum))
        elif not fp.matches(checksum):
            states[rel] = DriftState.MODIFIED
    return rest


def _drift_state(
    guard: RootGuard, rel: str, kind: int | None, checksum: str | None, cache: StatCache | None,
) -> DriftState | None:
    """How the managed file ``rel`` of type ``kind`` drifted from ``checksum``, or None."""
    follow = kind == stat.S_IFLNK  # a link inside the root (is_inside said so): judge its target
    if kind is None:
        return DriftState.MISSING
    if kind != stat.S_IFREG and not follow:
        return DriftState.MODIFIED
    fp: Fingerprint | None = None
    if follow and cache is not None:
        target = _stat_or_none(guard.abspath(rel))
        fp = cache.lookup(rel, target) if target is not None else None
    if fp is None:
        read = _read_regular(guard.abspath(rel), follow=follow)
        if read is None:
            return DriftState.MISSING
        st, data = read
        if data is None:
            return DriftState.MODIFIED
        fp = fingerprint(data)
        if cache is not None:
            cache.store(rel, st, fp)
    return None if fp.matches(checksum) else DriftState.MODIFIED


def _stat_or_none(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _read_regular(path: str, *, follow: bool) -> tuple[os.stat_result, bytes | None] | None:
    """The fstat and bytes of the file at ``path``; None if it vanished, no bytes if it is not
    a regular file (then nothing is read).

    The stat is taken before reading, so a change during the read shows in the next stat.
    """
    # O_NOFOLLOW: a path the guard saw without a symlink must not have become one since;
    # O_NONBLOCK: a FIFO swapped in meanwhile must not hang the check (no effect on files).
    flags = os.O_RDONLY | _O_NONBLOCK | (0 if follow else _O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return st, None
        data = os.read(fd, st.st_size + 1)
        if len(data) != st.st_size:  # it grew or shrank since fstat: read to the end
            chunks = [data]
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            data = b''.join(chunks)
        return st, data
    finally:
        os.close(fd)
