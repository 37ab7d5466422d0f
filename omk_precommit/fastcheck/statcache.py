"""The drift check's stat cache: a file whose stat is unchanged since it was hashed is not read.

Like git's index, an entry remembers a file's size, mtime, ctime and inode next to the
fingerprint of its bytes, and is trusted only while all four still match. Like git's racy-git
rule, nothing is remembered of a file that changed shortly before the check that hashed it
began (``RACY_WINDOW_NS``): a rewrite inside the file system's timestamp granularity could
leave its stat unchanged, so such a file is hashed again on every check until it settles.

The cache stores fingerprints of file contents, never verdicts, so a changed manifest is
judged afresh. It also keeps a snapshot of the manifest itself (its paths and checksums as
they loaded cleanly), under the same stat rule, so an unchanged manifest is not parsed and
validated again on every commit; the check still re-proves that every path is safe.

It lives in the git directory (see ``cachefile``), laid out in manifest order; outside a git
work tree there is no cache and every check reads every file. A missing or damaged cache is an
empty one and a failed write is ignored: the cache can make a check faster, never wrong, and
never makes it fail.
"""
from __future__ import annotations

import os
import time
from array import array
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

from omk_precommit.engine.checksum import Fingerprint
from omk_precommit.fastcheck.cachefile import cache_file, write_record
from omk_precommit.fastcheck.warm import RACY_WINDOW_NS, STAT_CACHE, STAT_KEY, STAT_KIND, snapshot_fields, stat_record

__all__ = ['RACY_WINDOW_NS', 'ManifestSnapshot', 'StatCache', 'cache_path', 'valid_snapshot']
_KIND = STAT_KIND
_NO_STAT = (-1, -1, -1, -1)


class ManifestSnapshot(NamedTuple):
    """What a drift check needs of a manifest that loaded cleanly: its managed paths with their
    checksums, and the other paths it names (directories, backups) whose safety is re-checked."""

    paths: tuple[str, ...]
    checksums: tuple[str | None, ...]
    other_paths: tuple[str, ...]


def cache_path(root: Path, base_dir: str) -> Path | None:
    """Where the stat cache of ``base_dir`` under ``root`` lives; None outside a git work tree."""
    return cache_file(root, STAT_CACHE + base_dir)


class StatCache:
    """Fingerprints of managed files keyed by their stat, for one check run.

    Create it before the first ``stat`` of the run: its creation time is the racy cut-off.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.started_ns = time.time_ns()
        old = _read(path) if path is not None else None
        written_ns, self._manifest_key, self._snapshot, self._paths, stats, self._fps, self._lfs = old or _EMPTY
        self._stats = array('q', stats)
        self._trusted_before = written_ns - RACY_WINDOW_NS
        self._index: dict[str, int] | None = None
        self._hits: dict[str, int] = {}  # path -> its row in the old cache, confirmed by this run
        self._learned: dict[str, tuple[int, int, int, int, str, str | None]] = {}
        self._manifest_changed = False

    @classmethod
    def for_root(cls, root: Path, base_dir: str) -> StatCache:
        return cls(cache_path(root, base_dir))

    @property
    def empty(self) -> bool:
        """True when the cache knows no file: the check will read them all."""
        return all(fp is None for fp in self._fps)

    def manifest(self, st: os.stat_result) -> ManifestSnapshot | None:
        """The snapshot of the manifest whose stat is ``st``, if it is known and unchanged."""
        key = self._manifest_key
        if key is None or self._snapshot is None or not self._unchanged(key, st):
            return None
        return self._snapshot

    def remember_manifest(self, st: os.stat_result, snapshot: ManifestSnapshot) -> None:
        """Keep ``snapshot`` of the manifest as read after a stat of ``st`` (if it has settled)."""
        self._manifest_key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) if self._settled(st) else None
        self._snapshot = snapshot
        self._manifest_changed = True

    def unchanged_fingerprints(
        self, rels: Sequence[str], stats: Sequence[os.stat_result | None],
    ) -> tuple[Sequence[str], Sequence[str | None]] | None:
        """The recorded ``(checksums, lf_checksums)`` of ``rels``, in order, when the cache was
        written for exactly these paths and every stat in ``stats`` is the recorded one; else
        None (then ``fingerprints`` tells the files apart).

        The whole of a check on a clean tree, so it is done in bulk: the current stats are
        packed like the recorded ones and compared in one go.
        """
        if len(rels) != len(self._paths) or tuple(rels) != self._paths or None in self._fps:
            return None
        try:
            current = array('q', chain.from_iterable(map(STAT_KEY, stats)))
        except (AttributeError, OverflowError):  # a missing file (None), or a stat out of range
            return None
        recorded = self._stats
        if current != recorded or (rels and max(max(recorded[1::4]), max(recorded[2::4])) >= self._trusted_before):
            return None
        self._hits.update(zip(rels, range(len(rels))))
        return self._fps, self._lfs

    def lookup(self, rel: str, st: os.stat_result) -> Fingerprint | None:
        """The fingerprint recorded for ``rel`` if its stat ``st`` is unchanged, else None."""
        return self.fingerprints([rel], [st])[0]

    def fingerprints(
        self, rels: Sequence[str], stats: Sequence[os.stat_result | None],
    ) -> list[Fingerprint | None]:
        """``lookup`` for many paths at once: the recorded fingerprint of each path whose stat
        (in ``stats``, None when unknown) is unchanged, None for the others.

        The loop a clean check of ten thousand files runs, so it is written out flat; when the
        paths are those the cache was written for (an unchanged manifest), rows need no lookup.
        """
        aligned = len(rels) == len(self._paths) and tuple(rels) == self._paths
        rows: Iterable[int | None] = range(len(rels)) if aligned else map(self._row, rels)
        recorded, fps, lfs, hits, trusted_before = self._stats, self._fps, self._lfs, self._hits, self._trusted_before
        found: list[Fingerprint | None] = []
        for rel, row, st in zip(rels, rows, stats):
            fp = None
            if row is not None and st is not None:
                checksum = fps[row]
                at = 4 * row
                mtime_ns, ctime_ns = recorded[at + 1], recorded[at + 2]
                if (  # _unchanged(), written out flat
                    checksum is not None and mtime_ns == st.st_mtime_ns and ctime_ns == st.st_ctime_ns
                    and recorded[at] == st.st_size and recorded[at + 3] == st.st_ino
                    and mtime_ns < trusted_before and ctime_ns < trusted_before
                ):
                    fp = Fingerprint(checksum, lfs[row])
                    hits[rel] = row
            found.append(fp)
        return found

    def store(self, rel: str, st: os.stat_result, fp: Fingerprint) -> None:
        """Remember ``fp`` for ``rel`` as hashed after a stat of ``st`` (if it has settled)."""
        if self._settled(st):
            self._learned[rel] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, fp.checksum, fp.lf_checksum)

    def save(self) -> None:
        """Write what this run learned, atomically, laid out in the order of the manifest.

        Only files the manifest still names are kept. Any error is ignored: the check's result
        never depends on the cache being written.
        """
        if self.path is None or not (self._learned or self._manifest_changed):
            return
        if self._manifest_key is not None and self._snapshot is not None:
            paths: tuple[str, ...] = self._snapshot.paths
        else:
            paths = (*self._hits, *(p for p in self._learned if p not in self._hits))
        stats = array('q')
        fps: list[str | None] = []
        lfs: list[str | None] = []
        for rel in paths:
            learned = self._learned.get(rel)
            row = self._hits.get(rel)
            if learned is not None:
                stats.extend(learned[:4])
                fps.append(learned[4])
                lfs.append(learned[5])
            elif row is not None:
                stats.extend(self._stats[4 * row:4 * row + 4])
                fps.append(self._fps[row])
                lfs.append(self._lfs[row])
            else:
                stats.extend(_NO_STAT)
                fps.append(None)
                lfs.append(None)
        write_record(self.path, _KIND, (
            self.started_ns, self._manifest_key, tuple(self._snapshot) if self._manifest_key and self._snapshot else None,
            paths, stats.tobytes(), tuple(fps), tuple(lfs),
        ))

    def _row(self, rel: str) -> int | None:
        if self._index is None:
            self._index = dict(zip(self._paths, range(len(self._paths))))
        row = self._index.get(rel)
        return row if row is not None and self._fps[row] is not None else None

    def _settled(self, st: os.stat_result) -> bool:
        """True when the file last changed before the racy window: any later change shows in its stat."""
        cutoff = self.started_ns - RACY_WINDOW_NS
        return st.st_mtime_ns < cutoff and st.st_ctime_ns < cutoff

    def _unchanged(self, key: Any, st: os.stat_result) -> bool:
        """True when a recorded ``(size, mtime, ctime, inode)`` still describes ``st``.

        The racy rule is applied again here, so that not even a hand-made cache can vouch for
        a file that changed close to the time the cache was written.
        """
        size, mtime_ns, ctime_ns, ino = key
        return bool(
            mtime_ns == st.st_mtime_ns and ctime_ns == st.st_ctime_ns
            and size == st.st_size and ino == st.st_ino
            and mtime_ns < self._trusted_before and ctime_ns < self._trusted_before
        )


_EMPTY: tuple[Any, ...] = (0, None, None, (), b'', (), ())


def _read(path: Path) -> tuple[Any, ...] | None:
    """The fields of the cache at ``path``, None when it is missing, foreign or corrupt."""
    fields = stat_record(path)
    if fields is None:
        return None
    written_ns, manifest_key, snapshot, paths, stats, fps, lfs = fields
    return written_ns, manifest_key, ManifestSnapshot(*snapshot) if snapshot is not None else None, paths, stats, fps, lfs


def valid_snapshot(fields: Any) -> ManifestSnapshot | None:
    """``fields`` read back from a cache as a ManifestSnapshot, None unless well-formed."""
    snapshot = snapshot_fields(fields)
    return ManifestSnapshot(*snapshot) if snapshot is not None else None
