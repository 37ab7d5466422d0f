"""The durable record of what omk-precommit owns: `.kimi/omk-manifest.json` (omk 0.5.0 format).

Loading is strict about safety (every path is checked against the project root) and
lenient about provenance (omk's absolute ``project_dir``, nanosecond timestamps, a missing
``backups`` list and unknown fields are all accepted). Saving is deterministic so a team can
commit the file: relative ``project_dir``, sorted entries, and no write when nothing changed.
"""
from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from omk_precommit import __version__
from omk_precommit.checksum import fingerprint, normalize_eol
from omk_precommit.drift import Drift, DriftState, drifted_files  # noqa: F401 (DriftState re-exported)
from omk_precommit.errors import OmkError
from omk_precommit.fsutil import atomic_write, read_if_exists
from omk_precommit.paths import RootGuard, is_inside_root, path_problem
from omk_precommit.statcache import StatCache
from omk_precommit.targets import MANIFEST_NAME

MANIFEST_VERSION = 1
_CHECKSUM_RE = re.compile(r'[0-9a-fA-F]{16}')


class EntryKind(str, enum.Enum):
    """What a managed file is, as omk names it in the manifest."""

    AGENT_SPEC = 'agent_spec'
    AGENT_PROMPT = 'agent_prompt'
    HOOK_SCRIPT = 'hook_script'
    HOOK_CONFIG = 'hook_config'
    SKILL = 'skill'
    CONFIG = 'config'
    OTHER = 'other'


_KINDS = {kind.value: kind for kind in EntryKind}


@dataclass(frozen=True)
class ManifestEntry:
    """One managed file: project-relative POSIX path, kind, and checksum of what we wrote."""

    path: str
    kind: EntryKind
    checksum: str | None


def matches_checksum(data: bytes, checksum: str | None) -> bool:
    """True when ``data`` is what ``checksum`` recorded, ignoring a CRLF-only difference."""
    return fingerprint(data).matches(checksum)


def read_managed(root: Path, rel: str) -> bytes | None:
    """The bytes of a managed file, None when it is missing; refuses to follow links out of root."""
    path = root / rel
    if not is_inside_root(root, path):
        raise OmkError(f'{rel}: resolves outside the project root through a symlink; remove the link')
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        return b''
    except OSError as e:
        raise OmkError(f'{rel}: cannot read ({e.strerror}); fix its permissions') from None


@dataclass(frozen=True)
class BackupEntry:
    """A copy of a file taken before it was overwritten."""

    managed_path: str
    backup_path: str
    created_at: str


def utc_now() -> str:
    """The current time as an RFC 3339 UTC timestamp with second precision."""
    from datetime import datetime, timezone  # here: loading and checking never need the clock

    return datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


@dataclass(frozen=True)
class AssetManifest:
    """Everything omk-precommit manages under one base directory (``.kimi`` by default)."""

    base_dir: str = '.kimi'
    created_at: str = field(default_factory=utc_now)
    omk_version: str = f'omk-precommit/{__version__}'
    files: tuple[ManifestEntry, ...] = ()
    directories: tuple[str, ...] = ()
    backups: tuple[BackupEntry, ...] = ()

    @staticmethod
    def path_for(root: Path, base_dir: str = '.kimi') -> Path:
        return root / base_dir / MANIFEST_NAME

    def entry(self, rel: str) -> ManifestEntry | None:
        for entry in self.files:
            if entry.path == rel:
                return entry
        return None

    def drifted_files(
        self, root: Path, *, guard: RootGuard | None = None, cache: StatCache | None = None,
    ) -> list[Drift]:
        """Managed files that are missing or whose bytes no longer match their checksum.

        Pass the ``guard`` the manifest was loaded with to stat each file only once, and a
        ``cache`` to skip reading files whose stat it knows (the caller saves it).
        """
        return drifted_files(guard or RootGuard(root), [(e.path, e.checksum) for e in self.files], cache)

    def backups_of(self, rel: str) -> list[BackupEntry]:
        """Backups of ``rel``, oldest first."""
        return sorted(
            (b for b in self.backups if b.managed_path == rel),
            key=lambda b: (b.created_at, b.backup_path),
        )

    def with_changes(
        self,
        files: list[ManifestEntry],
        directories: list[str],
        backups: list[BackupEntry],
    ) -> AssetManifest:
        """A copy with the given contents, normalised to the stable on-disk order."""
        return replace(
            self,
            files=tuple(sorted({e.path: e for e in files}.values(), key=lambda e: e.path)),
            directories=tuple(sorted(set(directories))),
            backups=tuple(sorted(set(backups), key=lambda b: (b.managed_path, b.created_at, b.backup_path))),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            'version': MANIFEST_VERSION,
            'created_at': self.created_at,
            'omk_version': self.omk_version,
            'project_dir': '.',
            'files': [
                {'path': e.path, 'kind': e.kind.value, 'checksum': e.checksum}
                for e in self.files
            ],
            'directories': list(self.directories),
            'backups': [
                {'managed_path': b.managed_path, 'backup_path': b.backup_path, 'created_at': b.created_at}
                for b in self.backups
            ],
        }

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + '\n').encode()

    def save(self, root: Path) -> bool:
        """Write the manifest atomically unless the file already holds these bytes (up to CRLF)."""
        path = self.path_for(root, self.base_dir)
        data = self.to_bytes()
        try:
            # A CRLF copy from git's eol conversion holds the same manifest: leave it alone.
            if normalize_eol(path.read_bytes()) == data:
                return False
        except OSError:
            pass
        if not is_inside_root(root, path):
            raise OmkError(f'{path}: manifest location resolves outside the project root')
        atomic_write(path, data, mode=0o644)
        return True

    @classmethod
    def load(cls, root: Path, base_dir: str = '.kimi', *, guard: RootGuard | None = None) -> AssetManifest | None:
        """Read and validate the manifest under ``root``; None when there is none.

        Every path is checked against the root through ``guard`` (pass one to reuse its
        ``lstat`` results for a drift check of the same root).
        """
        guard = guard or RootGuard(root)
        path = cls.path_for(root, base_dir)
        shown = f'{base_dir}/{MANIFEST_NAME}'
        if not guard.is_inside(shown):
            raise OmkError(f'{shown}: resolves outside the project root through a symlink; remove the link')
        raw = read_if_exists(path, shown)
        return None if raw is None else cls.parse(root, raw, base_dir, guard=guard)

    @classmethod
    def parse(cls, root: Path, raw: bytes, base_dir: str = '.kimi', *, guard: RootGuard | None = None) -> AssetManifest:
        """Validate manifest bytes read from anywhere (the disk, or git's index) against ``root``."""
        guard = guard or RootGuard(root)
        shown = f'{base_dir}/{MANIFEST_NAME}'
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as e:
            raise OmkError(
                f'{shown}: not valid JSON ({e}); restore it from git '
                f'(git checkout -- {shown}) or delete it and run omk-kimi install',
            ) from None
        try:
            return _from_json(guard, base_dir, data)
        except _Invalid as e:
            raise OmkError(f'{shown}: {e}; restore it from git or delete it and run omk-kimi install') from None


class _Invalid(Exception):
    pass


def _require(data: dict[str, Any], key: str, types: type | tuple[type, ...], default: Any = ...) -> Any:
    if key not in data:
        if default is ...:
            raise _Invalid(f'missing field {key!r}')
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, types):
        raise _Invalid(f'field {key!r} has the wrong type ({type(value).__name__})')
    return value


def _safe_path(guard: RootGuard, base_dir: str, rel: object, what: str) -> str:
    problem = path_problem(rel, base_dir)
    if problem is not None:
        raise _Invalid(f'unsafe {what} path: {problem}')
    assert isinstance(rel, str)
    if not guard.is_inside(rel):
        raise _Invalid(f'unsafe {what} path {rel!r}: resolves outside the project root through a symlink')
    return rel


def _from_json(guard: RootGuard, base_dir: str, data: object) -> AssetManifest:
    if not isinstance(data, dict):
        raise _Invalid('top level must be a JSON object')
    version = _require(data, 'version', int)
    if version > MANIFEST_VERSION:
        raise _Invalid(f'manifest version {version} is newer than this omk-kimi supports ({MANIFEST_VERSION}); upgrade omk-precommit')
    if version < 1:
        raise _Invalid(f'unknown manifest version {version}')
    created_at = _require(data, 'created_at', str, None)
    if created_at is None:
        created_at = utc_now()
    omk_version = _require(data, 'omk_version', str, f'omk-precommit/{__version__}')
    _require(data, 'project_dir', (str, type(None)), None)

    files: list[ManifestEntry] = []
    seen: set[str] = set()
    for item in _require(data, 'files', list):
        if not isinstance(item, dict):
            raise _Invalid('each entry of "files" must be an object')
        rel = _safe_path(guard, base_dir, item.get('path'), 'file')
        if rel in seen:
            raise _Invalid(f'duplicate file entry {rel!r}')
        seen.add(rel)
        kind_name = item.get('kind', 'other')
        kind = _KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            raise _Invalid(f'file {rel!r} has unknown kind {kind_name!r}')
        checksum = item.get('checksum')
        if checksum is not None:
            if not isinstance(checksum, str) or not _CHECKSUM_RE.fullmatch(checksum):
                raise _Invalid(f'file {rel!r} has a malformed checksum {checksum!r}')
            checksum = checksum.lower()
        files.append(ManifestEntry(rel, kind, checksum))

    directories = [
        _safe_path(guard, base_dir, d, 'directory')
        for d in _require(data, 'directories', list, [])
    ]

    backups: list[BackupEntry] = []
    for item in _require(data, 'backups', (list, type(None)), None) or []:
        if not isinstance(item, dict):
            raise _Invalid('each entry of "backups" must be an object')
        managed = _safe_path(guard, base_dir, item.get('managed_path'), 'backup')
        backup = _safe_path(guard, base_dir, item.get('backup_path'), 'backup')
        stamp = item.get('created_at', '')
        if not isinstance(stamp, str):
            raise _Invalid(f'backup of {managed!r} has a non-string created_at')
        backups.append(BackupEntry(managed, backup, stamp))

    manifest = AssetManifest(base_dir=base_dir, created_at=created_at, omk_version=omk_version)
    return manifest.with_changes(files, directories, backups)
