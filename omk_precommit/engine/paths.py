"""Project-relative path validation: nothing is read, written or deleted outside the root."""
from __future__ import annotations

import os
import stat

from omk_precommit.errors import OmkError

TYPE_CHECKING = False  # the drift check imports this module on every commit: no typing, re or pathlib
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

MANIFEST_NAME = 'omk-manifest.json'  # in each runtime's asset directory
DEFAULT_BASE_DIR = '.kimi'  # the asset directory of omk 0.5.0 and of the seed API's defaults


def is_inside_root(root: Path, path: Path) -> bool:
    """True when ``path``, symlinks followed, lies inside ``root`` (symlinks followed)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def is_inside_asset_dir(root: Path, rel: str) -> bool:
    """True when ``root/rel``, symlinks followed, lies inside the asset dir ``rel`` starts with
    (its first component), and that dir inside ``root``: a link such as ``.kimi/up -> ..``
    must not lead a managed path to the project's own files."""
    top = rel.split('/', 1)[0]
    if not is_inside_root(root, root / top):
        return False
    return is_inside_root(root / top, root / rel)


def escape_reason(root: Path, rel: str) -> str:
    """How ``rel`` (which failed ``is_inside_asset_dir``) escapes, for a one-line message."""
    top = rel.split('/', 1)[0]
    if is_inside_root(root, root / rel) and rel != top:
        return f'resolves outside {top}/ through a symlink'
    return 'resolves outside the project root through a symlink'


def _has_control(text: str) -> bool:
    """True when ``text`` holds a control character (C0, DEL, C1): a path holding one could start a
    line of its own in a log. Every control character is unprintable, so printable text needs no regex."""
    if text.isprintable():
        return False
    import re

    return re.search('[\x00-\x1f\x7f-\x9f]', text) is not None


def _shown(rel: str) -> str:
    """``repr(rel)`` cut short enough for a one-line error message."""
    text = repr(rel)
    return text if len(text) <= 80 else text[:77] + '...'


def path_problem(rel: object, base_dir: str) -> str | None:
    """Why ``rel`` is not a safe project-relative path under ``base_dir``, or None."""
    if (
        isinstance(rel, str) and rel.startswith(base_dir + '/') and rel.isascii() and rel.isprintable()
        and len(rel) <= 4096 and '/.' not in rel and '//' not in rel and '\\' not in rel and '\0' not in rel
    ):
        return None  # the plain shape omk writes, cheap to recognise since manifests can be long
    if not isinstance(rel, str):
        return f'path must be a string, got {type(rel).__name__}'
    if not rel:
        return 'empty path'
    if len(rel) > 4096:
        return f'{_shown(rel)}: path longer than 4096 characters'
    if '\0' in rel or '\\' in rel:
        return f'{_shown(rel)}: path contains a NUL or backslash'
    if _has_control(rel):
        return f'{_shown(rel)}: path contains a newline or another control character'
    try:
        rel.encode('utf-8')
    except UnicodeEncodeError:  # lone surrogates: no file can have that name
        return f'{_shown(rel)}: path is not valid UTF-8'
    if rel.startswith('/') or (len(rel) > 1 and rel[1] == ':'):
        return f'{_shown(rel)}: absolute path'
    # The parts PurePosixPath would give, without building one per manifest entry.
    parts = [part for part in rel.split('/') if part and part != '.']
    if '..' in parts:
        return f'{_shown(rel)}: contains ".."'
    if not parts or parts[0] != base_dir:
        return f'{_shown(rel)}: outside {base_dir}/'
    return None


def all_safe(rels: Sequence[str], base_dir: str) -> bool:
    """True when ``path_problem`` finds nothing wrong with any path in ``rels``.

    Checked on all paths at once when they all have the plain shape (a space joins them,
    and none of the patterns looked for contains one, so no match can span two paths).
    """
    prefix = base_dir + '/'
    try:
        joined = '\n'.join(rels)
    except TypeError:  # not all strings
        return all(path_problem(rel, base_dir) is None for rel in rels)
    # Only the separators are newlines when the rest holds no control character, so counting
    # '\n' + prefix counts the paths that start with it; the base dir itself (among the
    # directories) is plain too.
    if (joined.count('\n') == len(rels) - 1 and '/.' not in joined and '//' not in joined and '\\' not in joined
            and '\0' not in joined and not _has_control(joined.replace('\n', ' '))
            and f'\n{joined}'.count(f'\n{prefix}') + sum(1 for rel in rels if rel == base_dir) == len(rels)
            and all(len(rel) <= 4096 for rel in rels)):
        try:
            joined.encode('utf-8')
        except UnicodeEncodeError:
            return False
        return True
    return all(path_problem(rel, base_dir) is None for rel in rels)


def resolve_managed(root: Path, rel: str, base_dir: str) -> Path:
    """The absolute path of a managed ``rel`` path, refusing anything that escapes ``root``."""
    problem = path_problem(rel, base_dir)
    if problem is not None:
        raise OmkError(f'unsafe path {problem}')
    path = root / rel
    if not is_inside_asset_dir(root, rel):
        raise OmkError(f'unsafe path {_shown(rel)}: {escape_reason(root, rel)}')
    return path


class RootGuard:
    """``is_inside_root`` for many project-relative paths, at the cost of one ``lstat`` each.

    A path whose every component below the root is a plain directory or file (no symlink)
    cannot leave the root, so only paths with a symlink on the way pay for a full
    ``os.path.realpath``. Directory verdicts, ``lstat`` results and file types are remembered,
    so the drift check that follows the manifest's validation stats each file only once.

    With ``by_listing``, a file's type comes from one ``os.scandir`` of its directory instead
    of an ``lstat`` of its own: for a run that will open every file anyway (a check with an
    empty stat cache), which then needs no stat before reading.
    """

    def __init__(self, root: Path, *, by_listing: bool = False) -> None:
        self.root = root
        self._prefix = os.path.join(str(root), '')
        self._by_listing = by_listing
        self._stats: dict[str, os.stat_result | None] = {}
        self._kinds: dict[str, int | None] = {}
        self._listings: dict[str, dict[str, os.DirEntry[str]] | None] = {}
        self._plain_dirs: dict[str, bool] = {}
        self._inside: dict[str, bool] = {}

    def abspath(self, rel: str) -> str:
        return self._prefix + rel

    def lstat(self, rel: str) -> os.stat_result | None:
        """``os.lstat`` of ``rel``, None when it does not exist; other errors raise OSError."""
        st = self._stats.get(rel, _UNKNOWN)
        if st is _UNKNOWN:
            try:
                st = os.lstat(self._prefix + rel)
            except (FileNotFoundError, NotADirectoryError):
                st = None
            self._stats[rel] = st
        return st  # type: ignore[return-value]

    def lstat_many(self, rels: Sequence[str]) -> list[os.stat_result | None]:
        """``lstat`` of every path in ``rels``, remembered for later calls; None for a missing
        path, and for one that could not be stat'ed (``lstat`` raises that error when asked).

        One C-level pass over the paths: a check of ten thousand files spends most of its time
        here, so the per-path Python work is kept out of the loop.
        """
        prefix = self._prefix
        results = map(os.lstat, [prefix + rel for rel in rels])
        stats: list[os.stat_result | None] = []
        failed: set[str] = set()
        while True:
            try:
                stats.extend(results)
                break
            except (FileNotFoundError, NotADirectoryError):
                stats.append(None)
            except OSError:
                failed.add(rels[len(stats)])
                stats.append(None)
        self._stats.update(zip(rels, stats))
        for rel in failed:
            del self._stats[rel]
        return stats

    def kind(self, rel: str) -> int | None:
        """The file type of ``rel`` (``stat.S_IFREG``, ``S_IFDIR``, ``S_IFLNK``, ...; symlinks
        not followed), None when it does not exist; errors raise OSError."""
        if rel in self._kinds:
            return self._kinds[rel]
        head, _, name = rel.rpartition('/')
        listing = self._listing(head) if self._by_listing else None
        kind: int | None
        if listing is not None:
            entry = listing.get(name)
            kind = None if entry is None else _entry_kind(entry)
        else:
            st = self.lstat(rel)
            kind = None if st is None else stat.S_IFMT(st.st_mode)
        self._kinds[rel] = kind
        return kind

    def _listing(self, rel_dir: str) -> dict[str, os.DirEntry[str]] | None:
        """The entries of directory ``rel_dir`` by name (none when it does not exist); None
        when it cannot be listed, e.g. searchable but not readable (lstat still works then)."""
        if rel_dir in self._listings:
            return self._listings[rel_dir]
        listing: dict[str, os.DirEntry[str]] | None
        try:
            with os.scandir(self._prefix + rel_dir) as entries:
                listing = {entry.name: entry for entry in entries}
        except (FileNotFoundError, NotADirectoryError):
            listing = {}
        except OSError:
            listing = None
        self._listings[rel_dir] = listing
        return listing

    def is_inside(self, rel: str) -> bool:
        """True when the root-relative ``rel`` (already free of ``..``) resolves inside the root
        and inside its own first component, the asset dir (see ``is_inside_asset_dir``)."""
        inside = self._inside.get(rel)
        if inside is None:
            inside = self._inside[rel] = self._resolve_inside(rel)
        return inside

    def all_inside(self, rels: Sequence[str]) -> bool:
        """``all(map(self.is_inside, rels))``, in bulk: cheapest after ``lstat_many(rels)``.

        Each directory is judged once; a file only needs to be known not to be a link.
        """
        if all(map(self._inside.get, rels)):
            return True
        try:
            if not all(map(self._is_plain_dir, {rel.rpartition('/')[0] for rel in rels} - {''})):
                return all(map(self.is_inside, rels))
        except OSError:
            return all(map(self.is_inside, rels))
        stats = self._stats
        try:
            modes = [stats[rel].st_mode for rel in rels]  # type: ignore[union-attr]
        except (KeyError, AttributeError):  # not stat'ed yet, or missing
            if not (self._by_listing and self._none_is_a_link(rels)):
                return all(map(self.is_inside, rels))  # one by one
            modes = []
        if any(map(stat.S_ISLNK, modes)):
            return all(map(self.is_inside, rels))
        self._inside.update(dict.fromkeys(rels, True))
        return True

    def _none_is_a_link(self, rels: Sequence[str]) -> bool:
        """True when the directory listings show that none of ``rels`` is a symlink (a missing
        one is none); False when one is, or a directory cannot be listed. In bulk: one set of
        link names per directory, for a cold check of ten thousand files."""
        links: dict[str, frozenset[str] | None] = {}
        for rel in rels:
            head, _, name = rel.rpartition('/')
            found = links.get(head, _UNKNOWN)
            if found is _UNKNOWN:
                listing = self._listing(head)
                found = links[head] = None if listing is None else \
                    frozenset(n for n, entry in listing.items() if entry.is_symlink())
            if found is None or name in found:  # type: ignore[operator]
                return False
        return True

    def _resolve_inside(self, rel: str) -> bool:
        head = rel.rpartition('/')[0]
        try:
            if (not head or self._plain_dirs.get(head) or self._is_plain_dir(head)) and self.kind(rel) != stat.S_IFLNK:
                return True
        except OSError:
            pass  # e.g. a directory we may not search: let realpath decide
        return is_inside_asset_dir(self.root, rel)

    def _is_plain_dir(self, rel_dir: str) -> bool:
        """True when no existing component of ``rel_dir`` is a symlink (missing ones are fine)."""
        known = self._plain_dirs.get(rel_dir)
        if known is None:
            head = rel_dir.rpartition('/')[0]
            st = self.lstat(rel_dir)  # directories are few: an lstat each, never a listing of their parent
            known = (not head or self._is_plain_dir(head)) and (st is None or not stat.S_ISLNK(st.st_mode))
            self._plain_dirs[rel_dir] = known
        return known


_UNKNOWN: object = object()


def _entry_kind(entry: os.DirEntry[str]) -> int:
    if entry.is_symlink():
        return stat.S_IFLNK
    if entry.is_file(follow_symlinks=False):
        return stat.S_IFREG
    if entry.is_dir(follow_symlinks=False):
        return stat.S_IFDIR
    return stat.S_IFMT(entry.stat(follow_symlinks=False).st_mode)
