"""The durable record of what omk-precommit owns: `.kimi/omk-manifest.json` (omk 0.5.0 format).

Loading is strict about safety (every path is checked against the project root) and
lenient about provenance (omk's absolute ``project_dir``, nanosecond timestamps, a missing
``backups`` list and unknown fields are all accepted). Saving is deterministic so a team can
commit the file: relative ``project_dir``, sorted entries, and no write when nothing changed.
"""
from __future__ import annotations

import enum
import functools
import json
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from omk_precommit import __version__
from omk_precommit.engine.backup import BACKUP_MARKER
from omk_precommit.engine.checksum import compute_checksum, fingerprint, normalize_eol
from omk_precommit.engine.drift import Drift, DriftState, drifted_files  # noqa: F401 (DriftState: seed API)
from omk_precommit.engine.fsutil import atomic_write, read_if_exists
from omk_precommit.engine.paths import (
    DEFAULT_BASE_DIR,
    MANIFEST_NAME,
    RootGuard,
    all_safe,
    escape_reason,
    is_inside_asset_dir,
    path_problem,
    resolve_managed,
)
from omk_precommit.errors import OmkError, OmkWarning

if TYPE_CHECKING:
    from omk_precommit.fastcheck.statcache import StatCache

MANIFEST_VERSION = 1
MANIFEST_SCHEMA_VERSION = MANIFEST_VERSION  # omk 0.5.0's name
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
class BundleRef:
    """The bundle a managed file came from, as the manifest records it (optional field ``bundle``):
    its name and version, the distribution that ships it (a bundle found by name) or its
    directory relative to the root (a path bundle)."""

    name: str
    version: str
    package: str | None = None
    path: str | None = None

    def to_json(self) -> dict[str, str]:
        fields = {'name': self.name, 'version': self.version, 'package': self.package, 'path': self.path}
        return {k: v for k, v in fields.items() if v is not None}


@dataclass(frozen=True)
class ManifestEntry:
    """One managed file: project-relative POSIX path, kind, and checksum of what we wrote.

    ``base_checksum`` is set when the project accepted its own version (``omk-kimi accept``):
    ``checksum`` is then that version's and ``base_checksum`` the bundled one it was based on,
    the base of the three-way merge when the bundle changes. omk 0.5.0 ignores the field.
    """

    path: str
    kind: EntryKind
    checksum: str | None
    base_checksum: str | None = None
    # The file was already in the project, holding these bytes, when omk first recorded it:
    # rollback keeps it. Written only when true (an optional field; omk 0.5.0 ignores it).
    preexisting: bool = False
    bundle: BundleRef | None = None  # the bundle it came from; None: omk (or a manifest older than bundles)

    @property
    def accepted(self) -> bool:
        return self.base_checksum is not None

    @property
    def based_on(self) -> str | None:
        """The checksum of the bundled version this file was based on."""
        return self.base_checksum if self.base_checksum is not None else self.checksum

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {'path': self.path, 'kind': self.kind.value, 'checksum': self.checksum}
        if self.base_checksum is not None:
            data['base_checksum'] = self.base_checksum
        if self.preexisting:
            data['preexisting'] = True
        if self.bundle is not None:
            data['bundle'] = self.bundle.to_json()
        return data


def matches_checksum(data: bytes, checksum: str | None) -> bool:
    """True when ``data`` is what ``checksum`` recorded, ignoring a CRLF-only difference."""
    return fingerprint(data).matches(checksum)


def read_managed(root: Path, rel: str, guard: RootGuard | None = None) -> bytes | None:
    """The bytes of a managed file, None when it is missing; refuses to follow links out of
    its asset dir (pass a ``guard`` of ``root`` to judge many files at one ``lstat`` each).

    A directory, FIFO or device where the file belongs, or a file we may not read, raises
    OmkError (a FIFO is never waited on).
    """
    path = root / rel
    if not (guard.is_inside(rel) if guard is not None else is_inside_asset_dir(root, rel)):
        raise OmkError(f'{rel}: {escape_reason(root, rel)}; remove the link')
    return read_if_exists(path, rel)


class ChecksumMismatch(NamedTuple):
    """A managed file whose bytes differ from the manifest: ``actual`` is None when it is missing
    (or not a regular file), as omk 0.5.0's ``verify_checksum`` reports it."""

    path: str
    expected: str | None
    actual: str | None


class OlderManifestWarning(OmkWarning):
    """A manifest written with an older schema version: loaded, and rewritten as the current one."""


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

    base_dir: str = DEFAULT_BASE_DIR
    created_at: str = field(default_factory=utc_now)
    omk_version: str = f'omk-precommit/{__version__}'
    files: tuple[ManifestEntry, ...] = ()
    directories: tuple[str, ...] = ()
    backups: tuple[BackupEntry, ...] = ()
    # Accepted deletions (checksum None, base_checksum the bundled version removed) and files the
    # project forgot: sync neither recreates nor manages them. Top-level lists omk 0.5.0 ignores.
    deleted: tuple[ManifestEntry, ...] = ()
    forgotten: tuple[str, ...] = ()

    @staticmethod
    def path_for(root: Path, base_dir: str = DEFAULT_BASE_DIR) -> Path:
        return root / base_dir / MANIFEST_NAME

    manifest_path = path_for  # omk 0.5.0's name

    def add_file(self, root: Path, path: str | Path, kind: EntryKind) -> AssetManifest:
        """A copy that manages ``path`` (relative to ``root``, under ``base_dir``) with the checksum
        of its bytes on disk now, or none when it does not exist (omk 0.5.0's ``add_file``).

        The manifest is immutable, so the result is the updated manifest. An unsafe path raises
        OmkError, as loading a manifest that lists it would.
        """
        rel = path if isinstance(path, str) else path.as_posix()
        resolve_managed(root, rel, self.base_dir)  # an unsafe path raises OmkError
        data = read_managed(root, rel)
        entry = ManifestEntry(rel, kind, None if data is None else compute_checksum(data))
        return self.with_changes([*self.files, entry], list(self.directories), list(self.backups))

    def verify_checksum(self, root: Path) -> list[ChecksumMismatch]:
        """Each drifted file with its recorded and its current checksum (omk 0.5.0's ``verify_checksum``)."""
        result = []
        for drift in self.drifted_files(root):
            entry = self.entry(drift.path)
            try:
                data = read_managed(root, drift.path)
            except OmkError:
                data = None  # a directory or FIFO where the file belongs: it has no checksum
            result.append(ChecksumMismatch(
                drift.path, entry.checksum if entry else None, None if data is None else compute_checksum(data),
            ))
        return result

    def entry(self, rel: str) -> ManifestEntry | None:
        return self._entries.get(rel)

    @functools.cached_property
    def _entries(self) -> dict[str, ManifestEntry]:
        return {entry.path: entry for entry in self.files}

    @functools.cached_property
    def _backups_by_path(self) -> dict[str, list[BackupEntry]]:
        index: dict[str, list[BackupEntry]] = {}
        for backup in sorted(self.backups, key=lambda b: (b.created_at, b.backup_path)):
            index.setdefault(backup.managed_path, []).append(backup)
        return index

    def drifted_files(
        self, root: Path, *, guard: RootGuard | None = None, cache: StatCache | None = None,
        clean: frozenset[str] = frozenset(),
    ) -> list[Drift]:
        """Managed files that are missing or whose bytes no longer match their checksum.

        Pass the ``guard`` the manifest was loaded with to stat each file only once, and a
        ``cache`` to skip reading files whose stat it knows (the caller saves it); ``clean``:
        files known to match, not looked at. A modified file's record carries the ``expected``
        checksum; a missing one's is None, as in omk 0.5.0.
        """
        recorded = {e.path: e.checksum for e in self.files if e.path not in clean}
        return [
            d._replace(expected=recorded[d.path]) if d.state is DriftState.MODIFIED else d
            for d in drifted_files(guard or RootGuard(root), recorded.items(), cache)
        ]

    def deletion(self, rel: str) -> ManifestEntry | None:
        """The accepted deletion of ``rel``, if the project removed that managed file on purpose."""
        return next((e for e in self.deleted if e.path == rel), None)

    def backups_of(self, rel: str) -> list[BackupEntry]:
        """Backups of ``rel``, oldest first (indexed once: rollback asks for every file)."""
        return list(self._backups_by_path.get(rel, ()))

    def with_changes(
        self,
        files: list[ManifestEntry],
        directories: list[str],
        backups: list[BackupEntry],
        *,
        deleted: list[ManifestEntry] | None = None,
        forgotten: list[str] | None = None,
    ) -> AssetManifest:
        """A copy with the given contents, normalised to the stable on-disk order.

        ``deleted`` and ``forgotten`` default to the current lists; a path managed in ``files``
        is dropped from both.
        """
        files_by_path = {e.path: e for e in files}
        deleted_by_path = {e.path: e for e in (self.deleted if deleted is None else deleted)}
        return replace(
            self,
            files=tuple(sorted(files_by_path.values(), key=lambda e: e.path)),
            directories=tuple(sorted(set(directories))),
            backups=tuple(sorted(set(backups), key=lambda b: (b.managed_path, b.created_at, b.backup_path))),
            deleted=tuple(sorted((e for p, e in deleted_by_path.items() if p not in files_by_path),
                                 key=lambda e: e.path)),
            forgotten=tuple(sorted({p for p in (self.forgotten if forgotten is None else forgotten)
                                    if p not in files_by_path and p not in deleted_by_path})),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            'version': MANIFEST_VERSION,
            'created_at': self.created_at,
            'omk_version': self.omk_version,
            'project_dir': '.',
            'files': [e.to_json() for e in self.files],
            'directories': list(self.directories),
            'backups': [
                {'managed_path': b.managed_path, 'backup_path': b.backup_path, 'created_at': b.created_at}
                for b in self.backups
            ],
            # Only when used, so a manifest without accepted deletions or forgotten files keeps
            # the exact bytes omk 0.5.0 and earlier releases wrote.
            **({'deleted': [{'path': e.path, 'kind': e.kind.value, 'base_checksum': e.base_checksum}
                            for e in self.deleted]} if self.deleted else {}),
            **({'forgotten': list(self.forgotten)} if self.forgotten else {}),
        }

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + '\n').encode()

    def save(self, root: Path) -> bool:
        """Write the manifest atomically unless the file already holds these bytes (up to CRLF)."""
        path = self.path_for(root, self.base_dir)
        data = self.to_bytes()
        if not is_inside_asset_dir(root, f'{self.base_dir}/{MANIFEST_NAME}'):
            raise OmkError(f'{path}: manifest location resolves outside the project root')
        try:
            # A CRLF copy from git's eol conversion holds the same manifest: leave it alone.
            current = read_if_exists(path)
            if current is not None and normalize_eol(current) == data:
                return False
        except OmkError:
            pass  # a directory or FIFO in its place: the write below fails with a clear error
        atomic_write(path, data, mode=0o644)
        return True

    @classmethod
    def load(cls, root: Path, base_dir: str = DEFAULT_BASE_DIR, *, guard: RootGuard | None = None) -> AssetManifest | None:
        """Read and validate the manifest under ``root``; None when there is none.

        Every path is checked against the root through ``guard`` (pass one to reuse its
        ``lstat`` results for a drift check of the same root).
        """
        guard = guard or RootGuard(root)
        path = cls.path_for(root, base_dir)
        shown = f'{base_dir}/{MANIFEST_NAME}'
        if not guard.is_inside(shown):
            raise OmkError(f'{shown}: {escape_reason(root, shown)}; remove the link')
        raw = read_if_exists(path, shown)
        return None if raw is None else cls.parse(root, raw, base_dir, guard=guard)

    @classmethod
    def parse(cls, root: Path, raw: bytes, base_dir: str = DEFAULT_BASE_DIR, *, guard: RootGuard | None = None) -> AssetManifest:
        """Validate manifest bytes read from anywhere (the disk, or git's index) against ``root``."""
        guard = guard or RootGuard(root)
        shown = f'{base_dir}/{MANIFEST_NAME}'
        try:
            data = json.loads(raw, object_pairs_hook=_no_duplicate_keys)
        except _DuplicateKey as e:
            raise OmkError(
                f'{shown}: the key {_show(str(e))} appears twice in one object, so which value counts is '
                f'ambiguous; restore it from git (git checkout -- {shown}) or delete the duplicate',
            ) from None
        except (ValueError, RecursionError) as e:
            raise OmkError(
                f'{shown}: not valid JSON ({e}); restore it from git '
                f'(git checkout -- {shown}) or delete it and run omk-kimi install',
            ) from None
        try:
            return _from_json(guard, base_dir, data)
        except _Invalid as e:
            raise OmkError(f'{shown}: {e}; {e.fix}') from None


class _DuplicateKey(Exception):
    """A JSON object names the same key twice (``json`` would keep the last silently)."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return data


class _Invalid(Exception):
    """Why a manifest is refused; ``fix`` says what to run about it."""

    def __init__(self, message: str, fix: str = 'restore it from git or delete it and run omk-kimi install') -> None:
        super().__init__(message)
        self.fix = fix


def _show(value: object) -> str:
    """``repr(value)`` cut to a length that keeps an error message on one readable line."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**40 else f'<{value.bit_length()}-bit integer>'
    return text if len(text) <= 80 else text[:77] + '...'


def _require(data: dict[str, Any], key: str, types: type | tuple[type, ...], default: Any = ...) -> Any:
    if key not in data:
        if default is ...:
            raise _Invalid(f'missing field {key!r}')
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, types):
        raise _Invalid(f'field {key!r} has the wrong type ({type(value).__name__})')
    if isinstance(value, str) and not _is_utf8(value):
        raise _Invalid(f'field {key!r} is not valid UTF-8 text')
    return value


def _is_utf8(text: str) -> bool:
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:  # lone surrogates: JSON allows them, file names and output do not
        return False
    return True


def _safe_path(guard: RootGuard, base_dir: str, rel: object, what: str) -> str:
    """``rel`` in canonical form, when it is a safe path under ``base_dir`` that stays in the root."""
    problem = path_problem(rel, base_dir)
    if problem is not None:
        raise _Invalid(f'unsafe {what} path: {problem}')
    assert isinstance(rel, str)
    if '//' in rel or '/.' in rel or rel.endswith('/'):  # else already canonical: no pathlib per entry
        rel = PurePosixPath(rel).as_posix()  # '.kimi//a/./b' and '.kimi/a/b' are one file
    if not guard.is_inside(rel):
        raise _Invalid(
            f'unsafe {what} path {_show(rel)}: {escape_reason(guard.root, rel)}',
            fix='remove the symlink',
        )
    return rel


def _proven_safe(guard: RootGuard, base_dir: str, values: list[object]) -> frozenset[str]:
    """``values`` when all of them are proven at once to be canonical safe paths that stay in the
    root (one pass over the joined text, the directories judged once); else none, and each path
    is checked on its own, which names the problem."""
    rels = [v for v in values if isinstance(v, str)]
    # all_safe's bulk test assumes what path_problem's plain shape also requires: ASCII, short.
    if len(rels) != len(values) or max(map(len, rels), default=0) > 4096 or not all_safe(rels, base_dir):
        return frozenset()
    joined = '\n'.join(rels)
    if not joined.isascii() or '//' in joined or '/.' in joined or '/\n' in joined or joined.endswith('/'):
        return frozenset()
    if not guard.all_inside(rels):
        return frozenset()
    return frozenset(rels)
def _bundle_ref(rel: str, data: object) -> BundleRef | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ('name', 'version')) \
            or not all(isinstance(data.get(k), (str, type(None))) for k in ('package', 'path')):
        raise _Invalid(f'file {_show(rel)} has a malformed "bundle" (an object with string name and version)')
    return BundleRef(data['name'], data['version'], data.get('package'), data.get('path'))


def _from_json(guard: RootGuard, base_dir: str, data: object) -> AssetManifest:
    if not isinstance(data, dict):
        raise _Invalid('top level must be a JSON object')
    version = _require(data, 'version', int)
    if version > MANIFEST_VERSION:
        raise _Invalid(
            f'manifest version {_show(version)} is newer than this omk-kimi supports ({MANIFEST_VERSION})',
            fix='upgrade omk-precommit',
        )
    if version < 0:
        raise _Invalid(f'unknown manifest version {_show(version)}')
    created_at = _require(data, 'created_at', str, None)
    if created_at is None:
        created_at = utc_now()
    omk_version = _require(data, 'omk_version', str, f'omk-precommit/{__version__}')
    _require(data, 'project_dir', (str, type(None)), None)
    manifest_rel = f'{base_dir}/{MANIFEST_NAME}'

    files: list[ManifestEntry] = []
    seen: set[str] = set()
    items = _require(data, 'files', list)
    proven = _proven_safe(guard, base_dir, [item.get('path') for item in items if isinstance(item, dict)])
    for item in items:
        if not isinstance(item, dict):
            raise _Invalid('each entry of "files" must be an object')
        rel = item.get('path')
        if not (isinstance(rel, str) and rel in proven):
            rel = _safe_path(guard, base_dir, rel, 'file')
        if rel in (base_dir, manifest_rel):
            raise _Invalid(f'file entry {_show(rel)} is not a file omk-kimi can manage')
        if rel in seen:
            raise _Invalid(f'duplicate file entry {_show(rel)}')
        seen.add(rel)
        kind_name = item.get('kind', 'other')
        kind = _KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            raise _Invalid(f'file {_show(rel)} has unknown kind {_show(kind_name)}')
        checksum = _checksum(item, 'checksum', rel)
        preexisting = item.get('preexisting', False)
        if not isinstance(preexisting, bool):
            raise _Invalid(f'file {_show(rel)} has a "preexisting" that is not true or false')
        files.append(ManifestEntry(rel, kind, checksum, _checksum(item, 'base_checksum', rel), preexisting=preexisting,
                                   bundle=_bundle_ref(rel, item.get('bundle'))))

    deleted: list[ManifestEntry] = []
    for item in _require(data, 'deleted', list, []):
        if not isinstance(item, dict):
            raise _Invalid('each entry of "deleted" must be an object')
        rel = _safe_path(guard, base_dir, item.get('path'), 'deleted file')
        if rel in seen:
            raise _Invalid(f'file {_show(rel)} is listed both as managed and as deleted')
        seen.add(rel)
        kind_name = item.get('kind', 'other')
        kind = _KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            raise _Invalid(f'deleted file {_show(rel)} has unknown kind {_show(kind_name)}')
        deleted.append(ManifestEntry(rel, kind, None, _checksum(item, 'base_checksum', rel)))
    forgotten = [_safe_path(guard, base_dir, p, 'forgotten file') for p in _require(data, 'forgotten', list, [])]

    directories = [
        _safe_path(guard, base_dir, d, 'directory')
        for d in _require(data, 'directories', list, [])
    ]

    backups: list[BackupEntry] = []
    backup_paths: set[str] = set()
    for item in _require(data, 'backups', (list, type(None)), None) or []:
        if not isinstance(item, dict):
            raise _Invalid('each entry of "backups" must be an object')
        managed = _safe_path(guard, base_dir, item.get('managed_path'), 'backup')
        backup = _safe_path(guard, base_dir, item.get('backup_path'), 'backup')
        # Rollback deletes a backup once restored: it must be the backup's own file, never the
        # managed file itself, another managed file, or another entry's backup.
        suffix = backup[len(managed):] if backup.startswith(managed) else ''
        if not suffix.startswith(BACKUP_MARKER) or suffix == BACKUP_MARKER or '/' in suffix:
            raise _Invalid(f'backup path {_show(backup)} is not named <managed path>{BACKUP_MARKER}<timestamp>')
        if backup in seen or backup in backup_paths:
            raise _Invalid(f'backup path {_show(backup)} is listed twice')
        backup_paths.add(backup)
        stamp = item.get('created_at', '')
        if not isinstance(stamp, str) or not _is_utf8(stamp) or not stamp.isprintable():
            raise _Invalid(f'backup of {_show(managed)} has a created_at that is not text')
        backups.append(BackupEntry(managed, backup, stamp))

    if version < MANIFEST_VERSION:  # only once it proved valid: a refused manifest gets one line, the error
        warnings.warn(OlderManifestWarning(
            f'{base_dir}/{MANIFEST_NAME}: manifest version {version} is older than the current {MANIFEST_VERSION}; '
            f'loaded as is, and the next omk-kimi sync or install rewrites it as version {MANIFEST_VERSION}',
        ), stacklevel=3)
    manifest = AssetManifest(base_dir=base_dir, created_at=created_at, omk_version=omk_version)
    return manifest.with_changes(files, directories, backups, deleted=deleted, forgotten=forgotten)


def _checksum(item: dict[str, Any], key: str, rel: str) -> str | None:
    """The checksum field ``key`` of a file entry, lowercased; None when absent or null."""
    checksum = item.get(key)
    if checksum is None:
        return None
    if not isinstance(checksum, str) or not _CHECKSUM_RE.fullmatch(checksum):
        raise _Invalid(f'file {_show(rel)} has a malformed {key} {_show(checksum)}')
    return checksum.lower()
