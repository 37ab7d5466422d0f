"""The doctor's verdict cache: an unchanged project on an unchanged machine is not judged again.

A verdict (exit status, the printed output, the warnings) is stored in the git dir next to the
identity of everything it was computed from: the options and environment that shape it (runtime,
``--staged``, ``--strict``, ``--json``, colour, GitHub annotations, ``PATH``, ``HOME``, the ``KIMI*``
and ``OMK_*`` variables), this install of omk (version, package location, interpreter), the
``lstat`` of every file and directory the doctor read on disk (symlinks: of their targets too),
what ``PATH`` finds as ``kimi``, and for ``--staged`` the index entries (mode and blob id) of the
paths it read from the index plus the untracked files there. The next run recomputes these —
one ``lstat`` per input, one ``git ls-files`` for ``--staged`` — and prints the stored verdict
when all of them are equal.

Correctness first, as in ``statcache``: a missing, damaged or foreign cache is a miss, and a
verdict is not stored when any input on disk changed within ``statcache.RACY_WINDOW_NS`` of
the run's start (a rewrite inside the timestamp granularity could leave its stat unchanged).
This module imports only what that comparison needs; the doctor itself is imported on a miss.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import omk_precommit
from omk_precommit.errors import OmkError
from omk_precommit.fastcheck.cachefile import cache_file, read_record, write_record

_KIND = b'verdict/2'  # the record's layout; bump it when the fields change
KEPT = 4  # contexts whose verdicts are kept
_ENVIRONMENT = frozenset({'PATH', 'PATHEXT', 'HOME', 'USERPROFILE', 'XDG_CONFIG_HOME', 'GITHUB_ACTIONS', 'NO_COLOR'})
_ENVIRONMENT_PREFIXES = ('KIMI', 'OMK_')

Identity = tuple[int, int, int, int, int]  # mode, size, mtime, ctime, inode


class Verdict(NamedTuple):
    """What a doctor run printed and returned."""

    code: int
    stdout: str
    warnings: tuple[str, ...]


class Inputs(NamedTuple):
    """What a verdict was computed from: files on disk (absolute) and, for ``--staged``, index pathspecs."""

    disk: tuple[str, ...]
    index_paths: tuple[str, ...]


def cache_path(root: Path, base_dir: str, *, staged: bool) -> Path | None:
    """Where the verdict of the doctor on ``base_dir`` (staged or on disk) lives; None outside a git work tree."""
    return cache_file(root, f'omk-doctor-cache{base_dir}{".staged" if staged else ""}')


class VerdictCache:
    """The stored verdict of one kind of doctor run. Create it before the run: its creation time
    is the racy cut-off."""

    def __init__(self, root: Path, base_dir: str, options: tuple[Any, ...], *, staged: bool) -> None:
        self.started_ns = time.time_ns()
        self.root = root
        self.staged = staged
        self.path = cache_path(root, base_dir, staged=staged)
        self.context = (str(root), options, _environment(), _install())

    def lookup(self) -> Verdict | None:
        """The stored verdict for this run's context when every input is as it was when it was
        stored, else None."""
        entry = self._entries().get(self.context)
        if entry is None:
            return None
        try:
            disk, identities, index, listing, kimi, verdict, warnings = entry
            if (identities != identities_of(disk) or kimi != kimi_on_path()
                    or (self.staged and listing != index_listing(self.root, index))):
                return None
            code, stdout = verdict
            return Verdict(code, stdout, tuple(warnings))
        except (TypeError, ValueError, OmkError):  # a record of the right kind but the wrong shape
            return None

    def store(self, verdict: Verdict, inputs: Inputs) -> bool:
        """Remember ``verdict`` as computed from ``inputs``; False (nothing stored) when an input
        is racy or there is no git dir. A failed write is ignored.

        The verdicts of the ``KEPT`` most recent contexts are kept side by side: a commit hook
        runs with git's exec dir on ``PATH``, a run by hand without, and neither evicts the other.
        """
        if self.path is None:
            return False
        disk = tuple(sorted(set(inputs.disk)))
        identities = identities_of(disk)
        kimi = kimi_on_path()
        from omk_precommit.fastcheck import statcache  # one racy window for both caches

        cutoff = self.started_ns - statcache.RACY_WINDOW_NS
        stats = [st for identity in (*identities, *(probe[1] for probe in kimi)) for st in _flat(identity)]
        if any(st[2] >= cutoff or st[3] >= cutoff for st in stats):
            return False
        index = tuple(sorted(set(inputs.index_paths))) if self.staged else ()
        listing = index_listing(self.root, index) if self.staged else b''
        entry = (disk, identities, index, listing, kimi, (verdict.code, verdict.stdout), verdict.warnings)
        others = [(c, e) for c, e in self._entries().items() if c != self.context][:KEPT - 1]
        write_record(self.path, _KIND, tuple((c, *e) for c, e in [(self.context, entry), *others]))
        return True

    def _entries(self) -> dict[Any, tuple[Any, ...]]:
        """The stored verdicts by context, most recent first; none when the file is missing or damaged."""
        fields = read_record(self.path, _KIND) if self.path is not None else None
        try:
            return {entry[0]: tuple(entry[1:]) for entry in fields or () if len(entry) == 8}
        except TypeError:  # a record of the right kind but the wrong shape (an unhashable context)
            return {}


def _flat(identity: Any) -> list[Identity]:
    """The stats inside one identity: none (missing), a plain one, or a symlink's (link, target) pair."""
    if identity is None:
        return []
    return [st for st in identity if st is not None] if isinstance(identity[0], tuple) else [identity]


def _stat_key(st: os.stat_result) -> Identity:
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


def index_listing(root: Path, pathspecs: Sequence[str]) -> bytes:
    """The stage entries (mode, blob id, stage, path) of ``pathspecs`` in git's index, and the
    untracked files under them, in one ``git ls-files``; ``GIT_INDEX_FILE`` is honoured."""
    if not pathspecs:
        return b''
    import subprocess

    try:
        proc = subprocess.run(('git', '--literal-pathspecs', 'ls-files', '--stage', '--others', '--exclude-standard',
                               '-z', '--', *pathspecs), cwd=root, capture_output=True, check=False)
    except OSError as e:
        raise OmkError(f'git: cannot run it ({e.strerror}); install git to check staged files') from None
    if proc.returncode != 0:
        raise OmkError(f'{root}: cannot read the git index (git ls-files exited {proc.returncode})')
    return proc.stdout


def _environment() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items()
                        if k in _ENVIRONMENT or k.startswith(_ENVIRONMENT_PREFIXES)))


def _install() -> tuple[str, ...]:
    # Read at call time: another release, or the same version installed elsewhere, judges afresh.
    return (omk_precommit.__version__, os.path.dirname(omk_precommit.__file__ or ''), sys.executable)
