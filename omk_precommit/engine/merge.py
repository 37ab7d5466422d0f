"""The three-way merge sync does when the bundle changed under a locally edited or accepted file.

base = the bundled version the file was based on (its recorded ``base_checksum``, else its
``checksum``), found by checksum among the file's versions in git history; ours = the file;
theirs = the new bundled version. ``git merge-file`` does the merge: git is already required,
it is the merge every user of this tool knows (and its conflict markers), and it needs no new
dependency.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from omk_precommit.engine.checksum import fingerprint, normalize_eol
from omk_precommit.engine.gitutil import history_blobs, merge_file

# A git-style conflict: an opening, a separator and a closing marker, each at a line start.
_MARKERS = re.compile(rb'^<{7}(?: [^\n]*)?\r?\n.*?^={7}\r?\n.*?^>{7}(?: [^\n]*)?$', re.M | re.S)


def has_conflict_markers(data: bytes) -> bool:
    """True when ``data`` holds an unresolved git-style conflict (``<<<<<<<``, ``=======``, ``>>>>>>>``)."""
    return b'<<<<<<<' in data and _MARKERS.search(data) is not None


@dataclass(frozen=True)
class Merge:
    """The outcome of merging a bundle upgrade into a file: the bytes to write and how it went.

    ``conflicts`` counts the regions left with markers; ``reason`` says why there was no clean
    merge when that is not an overlap (no base found, binary content).
    """

    content: bytes | None
    conflicts: int
    reason: str = ''

    @property
    def clean(self) -> bool:
        return self.content is not None and self.conflicts == 0


def find_base(root: Path, rel: str, checksum: str | None) -> bytes | None:
    """The version of ``rel`` in git history whose FNV-1a is ``checksum``, None when none is."""
    if checksum is None:
        return None
    return next((blob for blob in history_blobs(root, rel) if fingerprint(blob).matches(checksum)), None)


def merge_upgrade(root: Path, rel: str, ours: bytes, base_checksum: str | None, theirs: bytes,
                  theirs_label: str) -> Merge:
    """Merge the new bundled ``theirs`` into the file ``ours`` at ``rel`` from its recorded base.

    Without a base every differing line conflicts (the whole file is one conflict, both sides
    shown), so nothing is lost and the reason is given.
    """
    base = find_base(root, rel, base_checksum)
    reason = '' if base is not None else (
        f'no base: the bundled version it was based on (checksum {base_checksum}) is not in git history'
        if base_checksum is not None else 'no base: the manifest records no checksum for it')
    crlf = b'\r\n' in ours and b'\r\n' not in theirs  # a CRLF checkout (autocrlf): merge in its line endings

    def eol(data: bytes) -> bytes:
        return normalize_eol(data).replace(b'\n', b'\r\n') if crlf else data

    merged = merge_file(ours, eol(base if base is not None else b''), eol(theirs),
                        (f'{rel} (yours)', 'base', f'{rel} ({theirs_label})'))
    if merged is None:
        return Merge(None, 1, 'binary content cannot be merged; the new version is written beside it')
    content, conflicts = merged
    return Merge(content, conflicts, reason if conflicts else '')
