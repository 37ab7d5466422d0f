"""The staged check's cache: fingerprints of staged files keyed by their git blob id.

A blob id names the content itself, so an entry can never go stale and needs no racy rule:
a staged file whose blob is known is not read from git again. The snapshot of the staged
manifest is kept the same way, under the manifest's own blob id. Like the stat cache, it is
a best-effort record in the git directory (``cachefile``): it never changes a result.
"""
from __future__ import annotations

from pathlib import Path

from omk_precommit.engine.checksum import Fingerprint
from omk_precommit.fastcheck.cachefile import cache_file, write_record
from omk_precommit.fastcheck.statcache import ManifestSnapshot
from omk_precommit.fastcheck.warm import BLOB_CACHE, BLOB_KIND, blob_record

_KIND = BLOB_KIND


class BlobCache:
    """Fingerprints by blob id, and the snapshot of one staged manifest, for one check run."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._manifest_blob: str | None = None
        self._snapshot: ManifestSnapshot | None = None
        self._known: dict[str, Fingerprint] = {}
        record = blob_record(path) if path is not None else None
        if record is not None:
            manifest_blob, snapshot, known = record
            self._known = {blob: Fingerprint(*fp) for blob, fp in known.items()}
            if manifest_blob is not None and snapshot is not None:
                self._manifest_blob, self._snapshot = manifest_blob, ManifestSnapshot(*snapshot)
        self._used: dict[str, Fingerprint] = {}
        self._changed = False

    @classmethod
    def for_root(cls, root: Path, base_dir: str) -> BlobCache:
        return cls(cache_file(root, BLOB_CACHE + base_dir))

    def manifest(self, blob: str) -> ManifestSnapshot | None:
        """The snapshot of the manifest whose blob id is ``blob``, if this cache holds it."""
        return self._snapshot if blob == self._manifest_blob else None

    def remember_manifest(self, blob: str, snapshot: ManifestSnapshot) -> None:
        self._manifest_blob, self._snapshot, self._changed = blob, snapshot, True

    def fingerprint(self, blob: str) -> Fingerprint | None:
        """The fingerprint of the content whose blob id is ``blob``, if known."""
        fp = self._used.get(blob) or self._known.get(blob)
        if fp is not None:
            self._used[blob] = fp
        return fp

    def store(self, blob: str, fp: Fingerprint) -> None:
        self._used[blob] = fp
        self._changed = True

    def save(self) -> None:
        """Write the manifest snapshot and the fingerprints this run used (others are dropped)."""
        if self.path is None or not (self._changed or len(self._used) != len(self._known)):
            return
        blobs = tuple(self._used)
        write_record(self.path, _KIND, (
            self._manifest_blob, tuple(self._snapshot) if self._snapshot is not None else None,
            blobs, tuple(fp.checksum for fp in self._used.values()), tuple(fp.lf_checksum for fp in self._used.values()),
        ))
