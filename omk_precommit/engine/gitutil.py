"""Every question omk-precommit asks git goes through here (GitPython is imported lazily)."""
from __future__ import annotations

import os

from omk_precommit.errors import OmkError

TYPE_CHECKING = False  # the hooks' hot path imports this module: no typing or pathlib at import
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import IO


def find_root(start: Path) -> Path:
    """The root of the git work tree containing ``start`` (worktrees included), else ``start``.

    A plain upward search for ``.git`` answers the common case without importing GitPython;
    when git's environment variables redirect the repository, GitPython decides — unless
    ``GIT_DIR`` merely names the git directory the search found, as git does for the hooks of
    a linked worktree (GitPython costs ~80 ms, on every such commit).
    """
    from pathlib import Path

    root = searched_root(str(start))
    return _find_root_with_gitpython(start) if root is None else Path(root)


def searched_root(start: str) -> str | None:
    """``find_root`` for an absolute path given as a string: the upward search's answer (``start``
    itself when no ``.git`` is found), None when git's environment redirects the repository
    somewhere only git can tell."""
    found: str | None = start
    while found is not None and not os.path.lexists(os.path.join(found, '.git')):
        parent = os.path.dirname(found)
        found = parent if parent != found else None
    redirected = os.environ.get('GIT_WORK_TREE') or os.environ.get('GIT_DIR')
    if redirected and not (found is not None and not os.environ.get('GIT_WORK_TREE') and _is_git_dir_of(found)):
        return None
    return found if found is not None else start


def _is_git_dir_of(root: str) -> bool:
    """True when ``GIT_DIR`` is the git directory of the work tree at ``root``."""
    directory = git_dir_of(root)
    try:
        return directory is not None and os.path.samefile(directory, os.environ['GIT_DIR'])
    except OSError:
        return False


def _find_root_with_gitpython(start: Path) -> Path:
    from pathlib import Path

    import git

    try:
        top = git.Git(start).rev_parse('--show-toplevel')
    except git.GitCommandError:
        return start
    return Path(top) if top else start


def git_dir(root: Path) -> Path | None:
    """The git directory of the work tree at ``root``, None when ``root`` is not one.

    ``.git`` is either the directory itself or, in a linked worktree or a submodule, a file
    ``gitdir: <path>`` naming it; read here rather than through git, which costs a process.
    """
    from pathlib import Path

    directory = git_dir_of(os.fspath(root))
    return Path(directory) if directory is not None else None


def git_dir_of(root: str) -> str | None:
    """``git_dir`` for a root given as a string (the hooks' hot path does without pathlib)."""
    dot_git = os.path.join(root, '.git')
    try:
        if os.path.isdir(dot_git):
            return dot_git
        with open(dot_git, 'rb') as f:
            first = f.readline(4096).decode(errors='surrogateescape').strip()
    except OSError:
        return None
    if not first.startswith('gitdir:'):
        return None
    target = os.path.join(root, first[len('gitdir:'):].strip())
    return target if os.path.isdir(target) else None


def git_output(root: str, *args: str) -> tuple[int, bytes]:
    """The exit status and stdout of ``git ARGS`` run in ``root`` (stderr dropped, no stdin);
    OSError when git cannot be run. On POSIX through ``os.posix_spawnp``: the hooks' hot path
    runs git without importing ``subprocess`` (which costs more than the git run itself)."""
    argv = ('git', '-C', root, *args)
    if not hasattr(os, 'posix_spawnp'):
        import subprocess

        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=False)
        return proc.returncode, proc.stdout
    read_end, write_end = os.pipe()  # both close on exec; the child gets the write end as its stdout
    try:
        pid = os.posix_spawnp('git', argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, write_end, 1),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ])
    finally:
        os.close(write_end)
    try:
        chunks = []
        while chunk := os.read(read_end, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b''.join(chunks)


def enclosing_git_dir(start: Path) -> Path | None:
    """The git directory ``start`` lies in (a bare repository, or the inside of a ``.git``),
    None when it is in none: git's own test, a ``HEAD`` file beside ``objects/`` and ``refs/``."""
    for directory in (start, *start.parents):
        if (directory / 'HEAD').is_file() and (directory / 'objects').is_dir() and (directory / 'refs').is_dir():
            return directory
        if os.path.lexists(directory / '.git'):
            return None  # a work tree: whatever lies above is not ours to judge
    return None


def sparse_excluded(root: Path, base_dir: str) -> frozenset[str]:
    """Paths under ``base_dir`` that a sparse checkout keeps out of the work tree: tracked,
    marked skip-worktree, and absent on disk. Empty (and no git process) without a sparse checkout."""
    directory = git_dir(root)
    if directory is None or not (directory / 'info' / 'sparse-checkout').is_file():
        return frozenset()
    import subprocess

    proc = subprocess.run(('git', 'ls-files', '-t', '-z', '--', base_dir), cwd=root, capture_output=True, check=False)
    if proc.returncode != 0:
        return frozenset()
    paths = (line[2:].decode(errors='surrogateescape') for line in proc.stdout.split(b'\0') if line.startswith(b'S '))
    return frozenset(p for p in paths if not os.path.lexists(root / p))


def ignored_paths(root: Path, paths: list[str]) -> set[str]:
    """The subset of ``paths`` (relative to ``root``) that git ignores; empty outside git."""
    if not paths or not os.path.lexists(root / '.git'):
        return set()
    import subprocess  # here, not at the top: a clean check never runs git

    proc = subprocess.run(
        ('git', 'check-ignore', '-z', '--stdin'),
        cwd=root, input='\0'.join(paths).encode(), capture_output=True, check=False,
    )
    if proc.returncode not in (0, 1):  # 1: none ignored; anything else: not a usable repo
        return set()
    return {p for p in proc.stdout.decode(errors='surrogateescape').split('\0') if p}


def in_commit_hook() -> bool:
    """True when git runs us from a commit hook: git then names the index being committed.

    ``git commit`` exports ``GIT_INDEX_FILE`` to its hooks (``.git/index``, ``index.lock`` for
    ``commit -a``, a temporary index for ``commit PATH``); pre-commit and prek pass it on.
    """
    return bool(os.environ.get('GIT_INDEX_FILE'))


class StagedFiles:
    """The staged content of files, read from git's index through one ``git cat-file --batch``.

    Staged blobs are what the commit will hold: unstaged edits are invisible here, and
    git's checkout conversions (``core.autocrlf``, ``eol=crlf``) have not been applied.
    ``GIT_INDEX_FILE`` is honoured, so inside a commit hook this is the index being committed.
    """

    def __init__(self, root: Path) -> None:
        import subprocess  # here, not at the top: a check of the working tree never runs git

        self._root = root
        try:
            self._proc = subprocess.Popen(
                ('git', 'cat-file', '--batch'), cwd=root, bufsize=0,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
        except OSError as e:
            raise OmkError(f'git: cannot run it ({e.strerror}); install git to check staged files') from None

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._proc.returncode is None:
            self._proc.kill()
            self._proc.wait()

    def read(self, rel: str) -> bytes | None:
        """The staged bytes of ``rel``, None when the index has no (stage 0) entry for it.

        One request, one answer: used for the manifest, whose content decides what to read next.
        """
        assert self._proc.stdin is not None and self._proc.stdout is not None
        try:
            self._proc.stdin.write(_request(rel))
        except BrokenPipeError:
            raise self._failure() from None
        header = _readline(self._proc.stdout)
        if not header:
            raise self._failure()
        size = _blob_size(header)
        if size is None:
            return None
        data = _read_exact(self._proc.stdout, size + 1)
        if len(data) != size + 1:
            raise self._failure()
        return data[:-1]

    def read_all(self, rels: list[str]) -> dict[str, bytes | None]:
        """The staged bytes of every path in ``rels`` (None when unstaged); ends the process.

        All requests are written at once and the answers read together, so many files cost
        one round trip rather than one each.
        """
        return self._read_batch(rels, [_request(rel) for rel in rels])

    def read_objects(self, names: list[str]) -> dict[str, bytes | None]:
        """The content of every object in ``names`` (blob ids; None when absent); ends the process."""
        return self._read_batch(names, [f'{name}\n'.encode() for name in names])

    def _read_batch(self, keys: list[str], requests: list[bytes]) -> dict[str, bytes | None]:
        out, err = self._proc.communicate(b''.join(requests))
        result: dict[str, bytes | None] = {}
        pos = 0
        for rel in keys:
            end = out.find(b'\n', pos)
            if end < 0:
                reason = err.decode(errors='replace').strip().splitlines() or ['git cat-file stopped']
                raise OmkError(f'{self._root}: cannot read the git index ({reason[-1]}); '
                               'run omk-kimi check without --staged')
            size = _blob_size(out[pos:end + 1])
            pos = end + 1
            if size is None:
                result[rel] = None
                continue
            result[rel] = out[pos:pos + size]
            pos += size + 1
        return result

    def _failure(self) -> OmkError:
        self.close()
        assert self._proc.stderr is not None
        message = self._proc.stderr.read().decode(errors='replace').strip().splitlines()
        reason = message[-1] if message else 'git cat-file stopped'
        return OmkError(f'{self._root}: cannot read the git index ({reason}); run omk-kimi check without --staged')


class IndexEntry:
    """A stage-0 entry of git's index: its mode (``100644``, ``100755``, ``120000``, ``160000``),
    blob id and path. A plain class: the hot path imports this module, and neither ``typing``
    nor ``collections``."""

    __slots__ = ('mode', 'blob', 'path')

    def __init__(self, mode: str, blob: str, path: str) -> None:
        self.mode, self.blob, self.path = mode, blob, path


REGULAR_MODES = frozenset({'100644', '100755'})  # a file, not a symlink or submodule


def index_entries(root: Path, pathspecs: Sequence[str], *, action: str = 'run it without --staged outside a commit',
                  ) -> list[IndexEntry]:
    """The stage-0 entries of git's index under ``pathspecs`` (the sides of an unresolved conflict
    are left out), from one ``git ls-files --stage``: far cheaper than reading the blobs, and
    enough to know which staged files are unchanged. ``GIT_INDEX_FILE`` is honoured, like
    everywhere in this module. ``action``: what the error tells the user to do when git fails.
    """
    listing = _git(root, '--literal-pathspecs', 'ls-files', '--stage', '-z', '--', *pathspecs, action=action)
    entries = []
    for record in listing.decode('utf-8', errors='surrogateescape').split('\0'):
        meta, _, path = record.partition('\t')
        fields = meta.split(' ')
        if len(fields) == 3 and fields[2] == '0':
            entries.append(IndexEntry(fields[0], fields[1], path))
    return entries


def staged_blob_ids(root: Path, base_dir: str) -> dict[str, str]:
    """The blob id of every stage-0 index entry under ``base_dir``, by path."""
    return {e.path: e.blob for e in index_entries(root, [base_dir], action='run omk-kimi check without --staged')}


def staged_paths(root: Path, paths: Sequence[str]) -> set[str]:
    """The subset of ``paths`` (files relative to ``root``) that have a stage-0 entry in git's index."""
    return {e.path for e in index_entries(root, paths)} & set(paths)


def checkout_index(root: Path, pathspecs: Sequence[str], dest: Path) -> list[str]:
    """Write the staged (stage-0) files matching ``pathspecs`` under ``dest``; return their paths."""
    return checkout_paths(root, index_entries(root, pathspecs), dest)


def checkout_paths(root: Path, entries: Sequence[IndexEntry], dest: Path) -> list[str]:
    """Write the staged files ``entries`` under ``dest``; return their paths.

    ``git checkout-index`` writes them as a checkout would (the mode git records, so the
    executable bit; symlinks as symlinks; eol conversion and filters) and leaves the index and
    the working tree alone. ``GIT_INDEX_FILE`` is honoured. A submodule is an empty folder, as
    in a clone that has not initialised it; only files are returned.
    """
    from omk_precommit.engine.fsutil import make_directory_within

    paths = [e.path for e in entries if e.mode != _GITLINK]
    if paths:
        _git(root, 'checkout-index', '-f', '-z', '--stdin', f'--prefix={dest}{os.sep}',
             stdin='\0'.join(paths).encode('utf-8', errors='surrogateescape'))
    for entry in entries:
        if entry.mode == _GITLINK:
            make_directory_within(dest, entry.path)
    return paths


def untracked_files(root: Path, pathspecs: Sequence[str]) -> list[str]:
    """The files matching ``pathspecs`` that git neither tracks (in the index) nor ignores."""
    listing = _git(root, '--literal-pathspecs', 'ls-files', '--others', '--exclude-standard', '-z', '--', *pathspecs)
    return sorted(p for p in listing.decode('utf-8', errors='surrogateescape').split('\0') if p)


_GITLINK = '160000'  # the mode of a submodule entry


def _git(root: Path, *args: str, stdin: bytes = b'', action: str = 'run it without --staged outside a commit') -> bytes:
    """The output of ``git ARGS`` run in ``root``; an ``OmkError`` naming git's reason and ``action`` when it fails."""
    import subprocess

    try:
        proc = subprocess.run(('git', *args), cwd=root, input=stdin, capture_output=True, check=False)
    except OSError as e:
        raise OmkError(f'git: cannot run it ({e.strerror}); install git to judge the staged files') from None
    if proc.returncode != 0:
        reason = proc.stderr.decode(errors='replace').strip().splitlines() or [f'git {args[-1]} exited {proc.returncode}']
        raise OmkError(f'{root}: cannot read the git index ({reason[-1]}); {action}')
    return proc.stdout


def _request(rel: str) -> bytes:
    if '\n' in rel:
        raise OmkError(f'{rel!r}: a newline in a managed path cannot be looked up in the git index; rename it')
    # ":0:" names the stage-0 index entry explicitly, so no path is mistaken for another rev syntax.
    return f':0:{rel}\n'.encode('utf-8', errors='surrogateescape')


def _blob_size(header: bytes) -> int | None:
    """The size from a ``<sha> <type> <size>`` answer, None for ``<name> missing``/``ambiguous``."""
    fields = header.rstrip(b'\n').rsplit(b' ', 2)
    if len(fields) != 3 or not fields[2].isdigit():
        return None
    return int(fields[2])


def _readline(stream: IO[bytes]) -> bytes:
    line = bytearray()
    while not line.endswith(b'\n'):
        byte = stream.read(1)
        if not byte:
            break
        line += byte
    return bytes(line)


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            break
        chunks += chunk
    return bytes(chunks)


def history_blobs(root: Path, rel: str) -> list[bytes]:
    """Every distinct content ``rel`` has had in git: the index, then each commit reachable
    from any ref, newest first. Empty outside git or when git cannot answer.

    One ``git log --raw`` names the blob ids, one ``git cat-file --batch`` reads them.
    """
    if not os.path.lexists(root / '.git'):
        return []
    import subprocess

    try:
        proc = subprocess.run(
            ('git', '--literal-pathspecs', 'log', '--all', '--format=', '--raw', '--no-abbrev', '--no-renames',
             '--', rel),
            cwd=root, capture_output=True, check=False,
        )
    except OSError:
        return []
    if proc.returncode != 0:
        return []
    names = [f':0:{rel}'] if '\n' not in rel else []
    for line in proc.stdout.decode(errors='surrogateescape').splitlines():
        fields = line.split('\t', 1)[0].split(' ')
        if line.startswith(':') and len(fields) >= 4:
            names.extend(blob for blob in (fields[3], fields[2]) if blob.strip('0'))
    names = list(dict.fromkeys(names))
    try:
        with StagedFiles(root) as reader:
            contents = reader.read_objects(names)
    except OmkError:
        return []
    return list(dict.fromkeys(data for data in contents.values() if data is not None))


def merge_file(ours: bytes, base: bytes, theirs: bytes, labels: tuple[str, str, str]) -> tuple[bytes, int] | None:
    """``git merge-file``: the three-way merge of ``ours`` and ``theirs`` from ``base``.

    Returns the merged bytes (git-style conflict markers labelled ``labels`` where the sides
    overlap) and the number of conflicts; None when git cannot merge them (binary content).
    """
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix='omk-merge-') as tmp:
        files = []
        for name, data in (('ours', ours), ('base', base), ('theirs', theirs)):
            path = Path(tmp) / name
            path.write_bytes(data)
            files.append(str(path))
        label_args = [arg for label in labels for arg in ('-L', label)]
        try:
            proc = subprocess.run(('git', 'merge-file', '-p', *label_args, *files), capture_output=True, check=False)
        except OSError as e:
            raise OmkError(f'git: cannot run it ({e.strerror}); install git to merge bundle upgrades') from None
    if not 0 <= proc.returncode < 127:
        return None
    return proc.stdout, proc.returncode
