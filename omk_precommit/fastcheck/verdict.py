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

import time
from pathlib import Path
from typing import Any, NamedTuple

from omk_precommit.fastcheck.cachefile import write_record
from omk_precommit.fastcheck.identity import (
    KIND,
    context_of,
    identities_of,
    index_listing,
    kimi_on_path,
    stored_entries,
    stored_verdict,
    verdict_file,
)

KEPT = 4  # contexts whose verdicts are kept

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
    path = verdict_file(str(root), base_dir, staged=staged)
    return Path(path) if path is not None else None


class VerdictCache:
    """The stored verdict of one kind of doctor run. Create it before the run: its creation time
    is the racy cut-off."""

    def __init__(self, root: Path, base_dir: str, options: tuple[Any, ...], *, staged: bool) -> None:
        self.started_ns = time.time_ns()
        self.root = root
        self.staged = staged
        self.path = cache_path(root, base_dir, staged=staged)
        self.context = context_of(str(root), options)

    def lookup(self) -> Verdict | None:
        """The stored verdict for this run's context when every input is as it was when it was
        stored, else None."""
        found = stored_verdict(str(self.path) if self.path else None, self.context, str(self.root), staged=self.staged)
        return Verdict(*found) if found is not None else None

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
        listing = index_listing(str(self.root), index) if self.staged else b''
        entry = (disk, identities, index, listing, kimi, (verdict.code, verdict.stdout), verdict.warnings)
        others = [(c, e) for c, e in self._entries().items() if c != self.context][:KEPT - 1]
        write_record(self.path, KIND, tuple((c, *e) for c, e in [(self.context, entry), *others]))
        return True

    def _entries(self) -> dict[Any, tuple[Any, ...]]:
        return stored_entries(str(self.path) if self.path is not None else None)


def _flat(identity: Any) -> list[Identity]:
    """The stats inside one identity: none (missing), a plain one, or a symlink's (link, target) pair."""
    if identity is None:
        return []
    return [st for st in identity if st is not None] if isinstance(identity[0], tuple) else [identity]
