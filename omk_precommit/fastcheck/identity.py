"""The lean half of the doctor's verdict cache: what a stored verdict is keyed by, and its lookup.

A stored verdict is valid while the identities of its inputs are unchanged (see ``verdict``).
Everything needed to decide that lives here and imports only ``os``, ``sys``, ``time`` and the
cache file, so a commit whose verdict is cached (``commands.fast``) pays for no more than these
comparisons; ``verdict`` adds storing and the typed records.
"""
from __future__ import annotations

import os
import sys

import omk_precommit
from omk_precommit.engine.gitutil import git_dir_of, git_output
from omk_precommit.errors import OmkError
from omk_precommit.fastcheck.cachefile import read_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

KIND = b'verdict/2'  # the record's layout; bump it when the fields change
_ENVIRONMENT = frozenset({'PATH', 'PATHEXT', 'HOME', 'USERPROFILE', 'XDG_CONFIG_HOME', 'GITHUB_ACTIONS', 'NO_COLOR'})
_ENVIRONMENT_PREFIXES = ('KIMI', 'OMK_')


def verdict_file(root: str, base_dir: str, *, staged: bool) -> str | None:
    """Where the verdict of the doctor on ``base_dir`` (staged or on disk) lives; None outside a git work tree."""
    directory = git_dir_of(root)
    name = f'omk-doctor-cache{base_dir}{".staged" if staged else ""}'
    return os.path.join(directory, name) if directory is not None else None


def context_of(root: str, options: tuple[Any, ...]) -> tuple[Any, ...]:
    """What a verdict is stored under besides its inputs: the root, the options, the environment
    that shapes the output, and this install of omk."""
    return (root, options, environment(), install())


def stored_entries(path: str | None) -> dict[Any, tuple[Any, ...]]:
    """The stored verdicts by context, most recent first; none when the file is missing or damaged."""
    fields = read_record(path, KIND) if path is not None else None
    try:
        return {entry[0]: tuple(entry[1:]) for entry in fields or () if len(entry) == 8}
    except TypeError:  # a record of the right kind but the wrong shape (an unhashable context)
        return {}


def stored_verdict(path: str | None, context: tuple[Any, ...], root: str, *,
                   staged: bool) -> tuple[int, str, tuple[str, ...]] | None:
    """``(code, stdout, warnings)`` stored for ``context`` when every input is as it was when it
    was stored, else None."""
    entry = stored_entries(path).get(context)
    if entry is None:
        return None
    try:
        disk, identities, index, listing, kimi, verdict, warnings = entry
        if (identities != identities_of(disk) or kimi != kimi_on_path()
                or (staged and listing != index_listing(root, index))):
            return None
        code, stdout = verdict
        return code, stdout, tuple(warnings)
    except (TypeError, ValueError, OmkError):  # a record of the right kind but the wrong shape
        return None


def _stat_key(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def identity_of(path: str) -> Any:
    """The ``lstat`` identity of ``path`` (a symlink: the link's and its target's); None when missing."""
    try:
        st = os.lstat(path)
    except (OSError, ValueError):
        return None
    key = _stat_key(st)
    if (st.st_mode & 0o170000) != 0o120000:
        return key
    try:
        return (key, _stat_key(os.stat(path)))
    except (OSError, ValueError):
        return (key, None)


def identities_of(paths: Iterable[str]) -> tuple[Any, ...]:
    return tuple(map(identity_of, paths))


def kimi_on_path() -> tuple[tuple[Any, ...], ...]:
    """Every place ``PATH`` is searched for ``kimi`` up to the first executable one, with its identity:
    a ``kimi`` installed, replaced or removed anywhere on the way changes it."""
    names = ['kimi']
    if os.name == 'nt':
        names += [f'kimi{ext.lower()}' for ext in os.environ.get('PATHEXT', '.COM;.EXE;.BAT;.CMD').split(';') if ext]
    probes = []
    for directory in os.environ.get('PATH', os.defpath).split(os.pathsep):
        for name in names:
            candidate = os.path.join(directory or os.curdir, name)
            identity = identity_of(candidate)
            probes.append((candidate, identity))
            if identity is not None and os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
                return tuple(probes)
    return tuple(probes)


def index_listing(root: str, pathspecs: Sequence[str]) -> bytes:
    """The stage entries (mode, blob id, stage, path) of ``pathspecs`` in git's index, and the
    untracked files under them, in one ``git ls-files``; ``GIT_INDEX_FILE`` is honoured."""
    if not pathspecs:
        return b''
    try:
        code, out = git_output(root, '--literal-pathspecs', 'ls-files', '--stage', '--others', '--exclude-standard',
                               '-z', '--', *pathspecs)
    except OSError as e:
        raise OmkError(f'git: cannot run it ({e.strerror}); install git to check staged files') from None
    if code != 0:
        raise OmkError(f'{root}: cannot read the git index (git ls-files exited {code})')
    return out


def environment() -> tuple[tuple[str, str], ...]:
    found = [(k, v) for k, v in os.environ.items() if k in _ENVIRONMENT or k.startswith(_ENVIRONMENT_PREFIXES)]
    if any(not os.path.isabs(d) for d in os.environ.get('PATH', '').split(os.pathsep)):
        found.append(('', os.getcwd()))  # a relative PATH entry finds programs from here
    return tuple(sorted(found))


def install() -> tuple[Any, ...]:
    # Read at call time: another release, or the same version installed elsewhere, judges afresh;
    # sys.path is where bundle packages are found (PYTHONPATH, a .pth file).
    return (omk_precommit.__version__, os.path.dirname(omk_precommit.__file__ or ''), sys.executable, tuple(sys.path))
