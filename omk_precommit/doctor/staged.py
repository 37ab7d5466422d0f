"""What a commit holds, written out where the doctor can read it: the staged ``.kimi/``.

Inside a commit hook the doctor judges the commit, not the working tree. pre-commit and prek
stash the unstaged edits of tracked files but leave untracked files in place, and a plain git
hook stashes nothing, so the working tree can hold a half-written agent that is not being
committed. ``git checkout-index`` writes the staged files under the base dir (plus the few
files outside it the checks read) into a temporary directory, as a checkout of the commit would
have them: the mode git records (the executable bit of hook scripts), symlinks as symlinks,
and none of the untracked or ignored files. What staged files point at outside those paths (a
hook's ``scripts/x.sh``, a prompt in ``docs/``, a symlink's target) is checked out from the
index too, until nothing new is referenced; what the index lacks is missing, as in a clone.

Files no check looks at are left out (``judged_by_blob``): a large skill's scripts, references
and assets are most of a big asset dir, and creating thousands of files costs far more than
the checks. Their directories are still made, so listings show them; a managed one is judged
from its blob id as ``check --staged`` judges it, and written when it differs; and one that
something written points at (an ``extend``, a hook's script, a symlink) is fetched like any
reference. ``tests/staged_tree_test.py`` holds the verdict to the doctor's on a clone.
"""
from __future__ import annotations

import bisect
import os
import posixpath
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from omk_precommit.doctor.manifest import LoadedManifest, load_manifest
from omk_precommit.doctor.project import agents_md_candidates
from omk_precommit.engine.findings import DiagResult, Findings
from omk_precommit.engine.fsutil import read_regular
from omk_precommit.engine.gitutil import REGULAR_MODES, IndexEntry, checkout_index, checkout_paths, index_entries, untracked_files
from omk_precommit.errors import OmkError
from omk_precommit.fastcheck.check import staged_fingerprints
from omk_precommit.kimi_config.records import RECORD_SUFFIX
from omk_precommit.runtimes.hook_commands import referenced_script
from omk_precommit.runtimes.hook_rules import load_hook_tables
from omk_precommit.runtimes.hooks import HOOK_CONFIG_FILES
from omk_precommit.runtimes.kimi_cli.agentspec import spec_references
from omk_precommit.runtimes.registry import RUNTIMES, Runtime

MAX_ROUNDS = 8  # of following references out of the base dir: an extend chain is rarely longer
SHOWN_SKIPPED = 3  # untracked files named in the summary; the rest are counted


@dataclass(frozen=True)
class StagedTree:
    """The staged files written out under ``root``, taken from the work tree at ``project``."""

    root: Path
    project: Path
    base_dir: str
    untracked: tuple[str, ...]
    pathspecs: tuple[str, ...] = ()  # what was asked of the index: the doctor's inputs (the verdict cache's key)
    left_out: frozenset[str] = frozenset()  # staged files not written: unread, and clean when managed (``judged_by_blob``)
    manifest: LoadedManifest | None = None  # the staged manifest, when loaded to judge those

    def as_project(self, results: list[DiagResult]) -> list[DiagResult]:
        """A summary of what was judged, then ``results`` with ``root`` read as ``project`` throughout."""
        return self._summary() + [
            replace(r, message=self._mapped(r.message), path=r.path and self._mapped(r.path),
                    fix=r.fix and self._mapped(r.fix))
            for r in results
        ]

    def _mapped(self, text: str) -> str:
        return text.replace(str(self.root), str(self.project))

    def _summary(self) -> list[DiagResult]:
        findings = Findings('project')
        where = f'{self.base_dir}/'
        findings.ok(where, 'checked as staged in the git index, which is what is being committed')
        if self.untracked:
            count = len(self.untracked)
            shown = ', '.join(self.untracked[:SHOWN_SKIPPED])
            more = f' and {count - SHOWN_SKIPPED} more' if count > SHOWN_SKIPPED else ''
            noun = 'file' if count == 1 else 'files'
            findings.ok(where, f'skipped {count} untracked {noun}, not part of the commit: {shown}{more}')
        return findings.results


def staged_paths(base_dir: str) -> list[str]:
    """What the doctor reads of a project: the base dir, the project Kimi configs and their omk
    records (read for any runtime), and the instruction files beside the base dir."""
    configs = [r.project_config for r in RUNTIMES.values() if r.project_config is not None]
    wanted = (base_dir, *configs, *(c + RECORD_SUFFIX for c in configs), *agents_md_candidates(base_dir))
    return [p for p in dict.fromkeys(wanted) if p == base_dir or not p.startswith(f'{base_dir}/')]


@contextmanager
def staged_tree(project: Path, runtime: Runtime) -> Iterator[StagedTree]:
    """The staged files the doctor of ``runtime`` reads, written to a temporary directory removed on exit."""
    try:
        root = Path(tempfile.mkdtemp(prefix='omk-staged-')).resolve()
    except OSError as e:
        raise OmkError(f'{tempfile.gettempdir()}: cannot create a temporary directory for the staged files '
                       f'({e.strerror}); set TMPDIR to a writable directory') from None
    try:
        wanted = staged_paths(runtime.base_dir)
        entries = index_entries(project, wanted)
        prefix = f'{runtime.base_dir}/'
        unseen = {e.path: e for e in entries
                  if e.mode in REGULAR_MODES and e.path.startswith(prefix) and not runtime.doctor_looks_at(e.path)}
        written = checkout_paths(project, [e for e in entries if e.path not in unseen], root)
        left_out: frozenset[str] = frozenset()
        loaded = None
        if unseen:
            for directory in _seen_directories(runtime, {rel.rpartition('/')[0] for rel in unseen}):
                make_directory(root, directory)  # listings still show them
            loaded = load_manifest(root, runtime.base_dir)
            left_out = judged_by_blob(project, runtime.base_dir, unseen, {e.path: e.blob for e in entries}, loaded)
            if len(left_out) < len(unseen):
                written += checkout_paths(project, [e for rel, e in unseen.items() if rel not in left_out], root)
                loaded = None  # it listed the directories before these files were written
        covered = follow_references(root, written, wanted, lambda paths: checkout_index(project, paths, root),
                                    absent=left_out)
        yield StagedTree(root, project, runtime.base_dir, tuple(untracked_files(project, wanted)), tuple(covered),
                         left_out, loaded)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def make_directory(root: Path, rel: str) -> None:
    """``root/rel`` and the folders on the way, unless that leaves ``root`` (a ``..``, or a symlink on
    the way: git keeps a symlink and files below it out of one index, but a forged index may not)."""
    path = os.path.join(root, rel)
    if path.startswith(os.path.join(root, '')) and os.path.realpath(path) == path:
        os.makedirs(path, exist_ok=True)


def _seen_directories(runtime: Runtime, directories: set[str]) -> set[str]:
    """For each of ``directories``, itself or its nearest ancestor the checks look at: what the
    tree must hold for the checks' listings to show what the commit holds (a skill's
    ``scripts/`` holding only left-out files they never see)."""
    found = set()
    for directory in directories:
        while not runtime.doctor_looks_at(directory):
            directory = directory.rpartition('/')[0]
        found.add(directory)
    return found


def judged_by_blob(project: Path, base_dir: str, unseen: dict[str, IndexEntry], blobs: dict[str, str],
                   loaded: LoadedManifest) -> frozenset[str]:
    """Of the staged files ``unseen``, which no check looks at (``Runtime.doctor_looks_at``), those
    the staged tree can leave out: the files the staged manifest (``loaded``) does not manage and
    those it records as they are staged (judged from their blob ids, as ``check --staged`` judges
    them), unless a managed path lies below one. A managed file that differs is written, so the
    drift check reads it as before; so is every file when the manifest cannot be used (the doctor
    reports why). ``blobs``: the blob id of every staged file, by path."""
    if loaded.error is not None:
        return frozenset()
    recorded = {e.path: e.checksum for e in loaded.manifest.files} if loaded.manifest is not None else {}
    try:  # every managed file's blob, not only those left out: the cache then keeps what check --staged keeps
        known = staged_fingerprints(project, base_dir, {blobs[rel] for rel in recorded if rel in blobs})
    except OmkError:  # git cannot read the blobs: the managed files are written, as before
        known = {}
    on_the_way: set[str] = set()
    for rel in recorded:
        directory = rel.rpartition('/')[0]
        while directory and directory not in on_the_way:
            on_the_way.add(directory)
            directory = directory.rpartition('/')[0]
    return frozenset(rel for rel, entry in unseen.items() if rel not in on_the_way and (
        rel not in recorded or (entry.blob in known and known[entry.blob].matches(recorded[rel]))))


def follow_references(root: Path, written: list[str], covered: list[str],
                      fetch: Callable[[list[str]], list[str]], absent: frozenset[str] = frozenset()) -> list[str]:
    """``covered`` plus what the ``written`` files under ``root`` point at outside it, and what
    those point at in turn; ``fetch(paths)`` makes them readable (checks them out from the index)
    and returns the files it wrote. A reference the index lacks stays missing, as in a clone.
    ``absent``: covered files left out of ``root``, fetched too when something points at them
    (or at a directory holding them)."""
    covered = list(covered)
    left_out = sorted(absent)
    for _ in range(MAX_ROUNDS):
        refs = {ref for rel in written for ref in _references(root, rel)}
        outside = {ref for ref in refs if not any(ref == c or ref.startswith(f'{c}/') for c in covered)}
        wanted = sorted(outside | _under(refs, left_out))
        if not wanted:
            break
        covered += sorted(outside)
        fetched = set(wanted)
        left_out = [rel for rel in left_out if rel not in fetched]
        written = fetch(wanted)
    return covered


def _under(refs: set[str], paths: list[str]) -> set[str]:
    """The ``paths`` (sorted) that are one of ``refs`` or lie under one of them."""
    found = set()
    for ref in refs:
        start = bisect.bisect_left(paths, ref)
        if start < len(paths) and paths[start] == ref:
            found.add(ref)
        below = f'{ref}/'
        for i in range(bisect.bisect_left(paths, below), len(paths)):
            if not paths[i].startswith(below):
                break
            found.add(paths[i])
    return found


def _references(root: Path, rel: str) -> set[str]:
    """The project-relative paths the written file ``rel`` points at: a symlink's target, the
    parent, prompt and subagent files of an agent spec, the scripts of ``[[hooks]]`` commands."""
    name = os.path.join(root, rel)  # a plain string: this runs for every staged file
    if os.path.islink(name):
        return _within(posixpath.dirname(rel), os.readlink(name))
    if rel.endswith(('.yaml', '.yml')):
        return {ref for value in _spec_paths(root / rel) for ref in _within(posixpath.dirname(rel), value)}
    if posixpath.basename(rel) in HOOK_CONFIG_FILES:
        tables, _ = load_hook_tables(rel, _text(root / rel) or '')
        scripts = [referenced_script(t['command']) for t in tables
                   if isinstance(t, dict) and isinstance(t.get('command'), str)]
        return {ref for script in scripts if script for ref in _within('', script.path)}
    return set()


def _spec_paths(path: Path) -> list[str]:
    """The file paths an agent spec names (``extend``, ``system_prompt_path``, subagent ``path``), read leniently."""
    refs = spec_references(_text(path) or '')
    values = [refs.extend, refs.system_prompt_path, *refs.subagent_paths]
    return [v for v in values if v and v != 'default']


def _within(directory: str, target: str) -> set[str]:
    """``target`` relative to ``directory`` as a project-relative path; none when it leaves the project."""
    if not target or os.path.isabs(target):
        return set()  # absolute: outside the checkout, in a clone as here
    joined = posixpath.normpath(posixpath.join(directory, target))
    return set() if joined == '.' or joined == '..' or joined.startswith('../') else {joined}


def _text(path: Path) -> str | None:
    try:
        return read_regular(path).decode('utf-8')
    except (OSError, UnicodeDecodeError):
        return None
