"""The bundle format: a directory with ``omk-bundle.toml`` and one folder per runtime.

``read_bundle`` reads and checks the metadata; ``bundle_files`` reads one runtime folder. Both
refuse a hostile bundle in one line (``OmkError``): a symlink, a FIFO or other non-file, a file
over ``MAX_FILE_BYTES``, more than ``MAX_FILES`` files, a path outside the layout, bad TOML.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from omk_precommit.engine.manifest import EntryKind
from omk_precommit.errors import OmkError

BUNDLE_TOML = 'omk-bundle.toml'
MAX_FILE_BYTES = 1 << 20
MAX_FILES = 2000
# What a runtime folder may hold, mirroring the asset dir: nothing else is ever written.
LAYOUT_TOPS = ('agents', 'hooks', 'skills', 'hooks.toml.example')
_KEYS = {'name', 'version', 'description', 'extends', 'remove'}


@dataclass(frozen=True)
class BundleInfo:
    """One bundle directory: its metadata, where it is, and how it was found (``origin``)."""

    name: str
    version: str
    directory: Path
    origin: str
    description: str = ''
    extends: str | None = None
    remove: tuple[str, ...] = ()
    package: str | None = None  # the distribution that ships it, for a bundle found by name
    path: str | None = None     # the directory relative to the project root, for a path bundle


@dataclass(frozen=True)
class BundleFile:
    """One file of a runtime folder: its path under the folder, bytes, manifest kind."""

    rel: str
    content: bytes
    kind: EntryKind

    @property
    def executable(self) -> bool:
        return self.kind is EntryKind.HOOK_SCRIPT


def entry_kind(rel: str) -> EntryKind:
    """The manifest kind of the file at ``rel`` in a runtime folder."""
    parts = rel.split('/')
    if parts[0] == 'agents':
        return EntryKind.AGENT_PROMPT if len(parts) == 3 and parts[2].endswith('.md') else EntryKind.AGENT_SPEC
    if parts[0] == 'hooks':
        return EntryKind.HOOK_SCRIPT if rel.endswith('.sh') else EntryKind.OTHER
    if rel == 'hooks.toml.example':
        return EntryKind.HOOK_CONFIG
    return EntryKind.SKILL


def bundle_path_problem(rel: object) -> str | None:
    """Why ``rel`` is not a bundle path (``kimi-cli/agents/explore``), or None."""
    if not isinstance(rel, str) or not rel or rel.startswith('/') or '\\' in rel or '\0' in rel:
        return 'is not a relative POSIX path'
    parts = rel.split('/')
    if any(p in ('', '.', '..') for p in parts):
        return 'has an empty, "." or ".." part'
    return None


def read_bundle(directory: Path, origin: str, *, package: str | None = None, path: str | None = None) -> BundleInfo:
    """The bundle in ``directory``; a missing or malformed ``omk-bundle.toml`` raises OmkError."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    toml = directory / BUNDLE_TOML
    shown = f'{origin}: {BUNDLE_TOML}'
    try:
        mode = os.lstat(toml).st_mode
    except OSError:
        raise OmkError(f'{origin}: no {BUNDLE_TOML} in {directory}; a bundle is a directory holding one') from None
    if not stat.S_ISREG(mode):
        raise OmkError(f'{shown}: not a regular file (a symlink, FIFO or directory); make it a file')
    raw = _read_file(toml, shown)
    try:
        data = tomlkit.parse(raw.decode()).unwrap()
    except (UnicodeDecodeError, TOMLKitError) as e:
        raise OmkError(f'{shown}: not valid TOML ({e}); fix the file') from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise OmkError(f'{shown}: unknown key {unknown[0]!r}; allowed: {", ".join(sorted(_KEYS))}')
    for key in ('name', 'version'):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise OmkError(f'{shown}: "{key}" must be a non-empty string')
    for key in ('description', 'extends'):
        if key in data and not isinstance(data[key], str):
            raise OmkError(f'{shown}: "{key}" must be a string')
    remove = data.get('remove', [])
    if not isinstance(remove, list) or not all(isinstance(r, str) for r in remove):
        raise OmkError(f'{shown}: "remove" must be a list of bundle paths such as "kimi-cli/agents/explore"')
    for rel in remove:
        problem = bundle_path_problem(rel)
        if problem:
            raise OmkError(f'{shown}: remove entry {rel!r} {problem}')
    if 'remove' in data and 'extends' not in data:
        raise OmkError(f'{shown}: "remove" needs "extends" (the bundle to remove from)')
    return BundleInfo(
        name=data['name'], version=data['version'], directory=directory, origin=origin,
        description=data.get('description', ''), extends=data.get('extends') or None,
        remove=tuple(remove), package=package, path=path,
    )


def _read_file(path: Path, shown: str) -> bytes:
    flags = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise OmkError(f'{shown}: cannot open ({e.strerror}); make it a readable file') from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OmkError(f'{shown}: not a regular file; bundles hold only files and folders')
        with os.fdopen(fd, 'rb', closefd=False) as f:
            data = f.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise OmkError(f'{shown}: larger than {MAX_FILE_BYTES} bytes; a bundle holds agents, hooks and skills, not data')
    return data


def bundle_files(bundle: BundleInfo, folder: str) -> dict[str, BundleFile] | None:
    """Every file of ``bundle``'s runtime folder ``folder`` (None when it has no such folder), by path."""
    top = bundle.directory / folder
    try:
        mode = os.lstat(top).st_mode
    except FileNotFoundError:
        return None
    except OSError as e:
        raise OmkError(f'{bundle.origin}: {folder}: cannot read ({e.strerror})') from None
    if not stat.S_ISDIR(mode):
        raise OmkError(f'{bundle.origin}: {folder}: not a folder (a symlink or file); make it a real folder')
    files: dict[str, BundleFile] = {}
    _walk(bundle, folder, top, '', files)
    return files


def _walk(bundle: BundleInfo, folder: str, directory: Path, prefix: str, files: dict[str, BundleFile]) -> None:
    with os.scandir(directory) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            rel = prefix + entry.name
            shown = f'{bundle.origin}: {folder}/{rel}'
            if not prefix and entry.name not in LAYOUT_TOPS:
                raise OmkError(f'{shown}: not part of a bundle (a runtime folder holds only '
                               f'{", ".join(LAYOUT_TOPS)}); remove it')
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISLNK(mode):
                raise OmkError(f'{shown}: a symlink; bundles hold only real files (copy the target in)')
            if stat.S_ISDIR(mode):
                _walk(bundle, folder, Path(entry.path), rel + '/', files)
            elif stat.S_ISREG(mode):
                if len(files) >= MAX_FILES:
                    raise OmkError(f'{shown}: more than {MAX_FILES} files in {folder}/; a bundle is not an archive')
                files[rel] = BundleFile(rel, _read_file(Path(entry.path), shown), entry_kind(rel))
            else:
                raise OmkError(f'{shown}: not a regular file (a FIFO, socket or device); remove it')


def removed(rel: str, removals: tuple[str, ...]) -> bool:
    """True when bundle path ``rel`` is one of ``removals`` or under one of them."""
    return any(rel == r or rel.startswith(r.rstrip('/') + '/') for r in removals)


def is_inside(directory: Path, root: Path) -> bool:
    """True when ``directory`` (resolved) is ``root`` or under it."""
    return PurePosixPath(directory.resolve()).is_relative_to(PurePosixPath(root.resolve()))
