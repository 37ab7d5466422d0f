"""What a doctor verdict depends on, for the verdict cache (``fastcheck.verdict``).

Two sources, so that a check added later is covered without being listed here: the files the
run opened or listed under the project, the staged tree or a Kimi home (recorded with an audit
hook while it runs), and the files some check only ``stat``s (a hook script's mode, whether a
home exists), defined from the runtime objects: the asset dir, what ``staged.staged_paths``
names, everything the files there point at, git's ignore files, and each user config, its omk
record and user hook scripts of the runtimes whose configs the doctor reads.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from omk_precommit.doctor.staged import follow_references, staged_paths
from omk_precommit.engine.fsutil import PROBE_EVENT
from omk_precommit.engine.gitutil import git_dir
from omk_precommit.errors import OmkError
from omk_precommit.kimi_config.records import RECORD_SUFFIX
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime
from omk_precommit.runtimes.user_scope import user_scope

_AUDITED = frozenset({'open', 'os.listdir', 'os.scandir'})
_recording: list[Recording] = []  # the open recordings; the audit hook, once added, stays for the process


class Recording:
    """What a doctor run looked at: the absolute paths it opened or listed, and those it
    ``probed`` (the places a program was looked for on PATH, a bundle's folder; found or not)."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.probed: list[str] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    # A relative path is one opened below a directory handle (shutil.rmtree of the staged tree),
    # not below the current directory: the checks read by absolute paths.
    if _recording and args and isinstance(path := args[0], (str, os.PathLike)) and os.path.isabs(path):
        if event in _AUDITED:
            _recording[-1].opened.append(os.path.abspath(os.fspath(path)))
        elif event == PROBE_EVENT:
            _recording[-1].probed.append(os.fspath(path))


@contextmanager
def recorded_paths() -> Iterator[Recording]:
    """What the code inside the ``with`` block (of this thread) opened, listed or probed."""
    if not getattr(sys, '_omk_audit_hook', False):
        sys.addaudithook(_audit)
        sys._omk_audit_hook = True  # type: ignore[attr-defined]
    seen = Recording()
    _recording.append(seen)
    try:
        yield seen
    finally:
        _recording.remove(seen)


def project_inputs(root: Path, base_dir: str) -> list[str]:
    """The project-relative paths the doctor reads on disk: ``staged_paths`` and what the files
    under them point at, transitively (as ``staged_tree`` checks them out for ``--staged``)."""
    wanted = staged_paths(base_dir)
    return follow_references(root, _files_under(root, wanted), wanted, lambda paths: _files_under(root, paths))


def _files_under(root: Path, rels: list[str]) -> list[str]:
    """``rels``, and every entry below those that are directories. One that does not exist is kept:
    its absence is an input too (a prompt's missing include, created later, changes the verdict)."""
    found = []
    for rel in rels:
        path = root / rel
        found.append(rel)
        if not os.path.lexists(path):
            continue
        if path.is_dir() and not path.is_symlink():
            for directory, dirs, files in os.walk(path):
                prefix = Path(directory).relative_to(root).as_posix()
                found += [f'{prefix}/{name}' for name in (*dirs, *files)]
    return found


def disk_inputs(root: Path, runtime: Runtime, project: list[str], opened: list[str],
                probed: Sequence[str] = ()) -> list[str]:
    """Absolute paths whose ``lstat`` the verdict depends on: ``project`` (relative to ``root``;
    directories walked), the opened or listed ``opened`` that belong to the project or a Kimi
    home, the places ``probed`` (found or not), git's ignore files and the user side of ``runtime``."""
    homes = _user_side(runtime)
    paths = [str(root / rel) for rel in _files_under(root, project)] + homes
    paths += [str(root / rel) for rel in _ignore_files(runtime.base_dir)]
    directory = git_dir(root)
    if directory is not None:
        paths.append(str(directory / 'info' / 'exclude'))
    paths += probed
    places = [str(root), *homes]
    paths += [p for p in opened if not _in_git_dir(p, directory) and
              any(p == place or p.startswith(place + os.sep) for place in places)]
    return paths


def staged_inputs(opened: list[str], pathspecs: list[str]) -> list[str]:
    """``pathspecs`` plus the project-relative paths opened or listed in a staged tree (``omk-staged-*``
    in the temp dir) that none of them covers: one pathspec per input, not one per file."""
    pattern = re.compile(re.escape(os.path.realpath(tempfile.gettempdir())) + r'[\\/]omk-staged-[^\\/]+[\\/](.+)')
    covered = set(pathspecs)
    extra = {m.group(1).replace(os.sep, '/') for p in opened if (m := pattern.match(p))}  # the tree is resolved
    return [*pathspecs, *sorted(rel for rel in extra if not _covered(rel, covered))]


def _covered(rel: str, pathspecs: set[str]) -> bool:
    parts = rel.split('/')
    return any('/'.join(parts[:i]) in pathspecs for i in range(1, len(parts) + 1))


def _ignore_files(base_dir: str) -> list[str]:
    """The ``.gitignore`` files of the root and of each folder on the way to ``base_dir``."""
    parts = base_dir.split('/')[:-1]
    return ['.gitignore'] + [f'{"/".join(parts[:i])}/.gitignore' for i in range(1, len(parts) + 1)]


def _user_side(runtime: Runtime) -> list[str]:
    """The homes, user configs with their omk records and user hook scripts the Kimi config check reads."""
    paths = []
    for reader in dict.fromkeys((runtime, DEFAULT_RUNTIME, *runtime.user_configs_considered())):
        config = reader.config_file()
        paths += [str(reader.home()), str(config), str(config) + RECORD_SUFFIX]
        try:
            hooks = user_scope(reader).directory / 'hooks'
        except OmkError:  # an unusable user dir is the doctor's to report, not the cache's
            continue
        paths += [str(hooks.parent), str(hooks)]
        if hooks.is_dir():
            paths += [str(hooks / name) for name in sorted(os.listdir(hooks))]
    return paths


def _in_git_dir(path: str, directory: Path | None) -> bool:
    return directory is not None and (path == str(directory) or path.startswith(f'{directory}{os.sep}'))
