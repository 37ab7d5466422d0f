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
from omk_precommit.engine.fsutil import make_directory_within, read_regular
from omk_precommit.engine.gitutil import (
    REGULAR_MODES,
    IndexEntry,
    checkout_index,
    checkout_paths,
    index_entries,
    untracked_files,
)
from omk_precommit.engine.gitutil import staged_paths as entries_among
from omk_precommit.errors import OmkError
from omk_precommit.fastcheck.check import staged_fingerprints
from omk_precommit.kimi_config.records import RECORD_SUFFIX
from omk_precommit.runtimes.hook_commands import referenced_script
from omk_precommit.runtimes.hook_rules import load_hook_tables
from omk_precommit.runtimes.hooks import HOOK_CONFIG_FILES
from omk_precommit.runtimes.kimi_cli.agentspec import spec_references
from omk_precommit.runtimes.kimi_cli.prompts import included_templates
from omk_precommit.runtimes.registry import RUNTIMES, Runtime

MAX_ROUNDS = 40  # of following references: as many links as the system follows in one path
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
                make_directory_within(root, directory)  # listings still show them
            loaded = load_manifest(root, runtime.base_dir)
            left_out, managed_folders = judged_by_blob(project, runtime.base_dir, unseen,
                                                       {e.path: e.blob for e in entries}, loaded)
            for directory in managed_folders:  # a managed path that is a folder in the commit: drift, not missing
                make_directory_within(root, directory)
            if len(left_out) < len(unseen) or managed_folders:
                written += checkout_paths(project, [e for rel, e in unseen.items() if rel not in left_out], root)
                loaded = None  # it listed the directories before these were made

        def fetch(paths: list[str]) -> list[str]:
            """Check out ``paths``: left-out files by name on stdin (there may be thousands), the rest as pathspecs."""
            rest = [rel for rel in paths if rel not in unseen]
            return (checkout_paths(project, [unseen[rel] for rel in paths if rel in unseen], root)
                    + (checkout_index(project, rest, root) if rest else []))

        covered = follow_references(root, written, wanted, fetch, absent=left_out,
                                    entries=lambda paths: sorted(entries_among(project, paths)))
        yield StagedTree(root, project, runtime.base_dir, tuple(untracked_files(project, wanted)), tuple(covered),
                         left_out, loaded)
    finally:
        shutil.rmtree(root, ignore_errors=True)


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
                   loaded: LoadedManifest) -> tuple[frozenset[str], frozenset[str]]:
    """Of the staged files ``unseen``, which no check looks at (``Runtime.doctor_looks_at``), those
    the staged tree can leave out, and the managed paths that are folders holding some of them.

    Left out: the files the staged manifest (``loaded``) does not manage and those it records as
    they are staged (judged from their blob ids, as ``check --staged`` judges them), unless the
    manifest names them as backups or a managed path lies below one. A managed file that differs
    is written, so the drift check reads it as before; so is every file when the manifest cannot
    be used (the doctor reports why). ``blobs``: the blob id of every staged file, by path.
    """
    if loaded.error is not None:
        return frozenset(), frozenset()
    manifest = loaded.manifest
    recorded = {e.path: e.checksum for e in manifest.files} if manifest is not None else {}
    try:  # every managed file's blob, not only those left out: the cache then keeps what check --staged keeps
        known = staged_fingerprints(project, base_dir, {blobs[rel] for rel in recorded if rel in blobs})
    except OmkError:  # git cannot read the blobs: the managed files are written, as before
        known = {}
    kept = {b.backup_path for b in manifest.backups} if manifest is not None else set()  # the drift check asks for them
    for rel in recorded:  # and for what is on the way to a managed path (a file there blocks it)
        directory = rel.rpartition('/')[0]
        while directory and directory not in kept:
            kept.add(directory)
            directory = directory.rpartition('/')[0]
    left_out = frozenset(rel for rel, entry in unseen.items() if rel not in kept and (
        rel not in recorded or (entry.blob in known and known[entry.blob].matches(recorded[rel]))))
    parents = {rel.rpartition('/')[0] for rel in left_out}
    folders = parents | {directory for parent in parents for directory in _ancestors(parent)}
    return left_out, frozenset(folders & recorded.keys())


def _ancestors(rel: str) -> Iterator[str]:
    while '/' in rel:
        rel = rel.rpartition('/')[0]
        yield rel


SPEC, HOOKS = 'spec', 'hooks'  # how a file is read: what it points at depends on it
PROMPT = 'prompt:'  # + the folder its includes are found in


def follow_references(root: Path, written: list[str], covered: list[str],
                      fetch: Callable[[list[str]], list[str]], absent: frozenset[str] = frozenset(),
                      entries: Callable[[list[str]], list[str]] | None = None) -> list[str]:
    """``covered`` plus what the ``written`` files under ``root`` point at outside it, and what
    those point at in turn; ``fetch(paths)`` makes them readable (checks them out from the index)
    and returns the files it wrote. A reference the index lacks stays missing, as in a clone.
    ``absent``: covered files left out of ``root``, fetched too when something points at them
    (or at a folder holding them).

    A file is read in the roles its name gives it (a ``.yaml`` is an agent spec, a
    ``config.toml`` a hook config) and in those it is referenced in (an ``extend`` target is a
    spec whatever its name, a symlink's target is read as the link is); a file met in a new role
    is read again in it. A reference that leads to nothing in ``root`` may run through a link
    not written yet: ``entries(paths)`` names those of the folders on its way that are files in
    the index (links, when it runs through them); they are fetched, and the file that pointed
    there is read again, through them.
    """
    covered = list(covered)
    left_out = sorted(absent)
    roles: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}
    todo = set(written)
    read: set[str] = set()
    tried: set[str] = set()
    for _ in range(MAX_ROUNDS):
        found: dict[str, set[str]] = {}
        for rel in sorted(todo):
            read.add(rel)
            for ref, role in _references(root, rel, roles.get(rel, set()) | _roles_by_name(rel)):
                found.setdefault(ref, set()).update((role,) if role else ())
                sources.setdefault(ref, set()).add(rel)
        todo = set()
        for ref, found_roles in found.items():
            if not found_roles <= roles.get(ref, set()):
                roles.setdefault(ref, set()).update(found_roles)
                if ref in read:
                    todo.add(ref)  # read before, in fewer roles
        outside = {ref for ref in found if not any(ref == c or ref.startswith(f'{c}/') for c in covered)}
        wanted = sorted(outside | _under(set(found), left_out))
        covered += sorted(outside)
        fetched = set(wanted)
        left_out = [rel for rel in left_out if rel not in fetched]
        new = set(fetch(wanted)) if wanted else set()
        missing = {ref for ref in found if not os.path.lexists(os.path.join(root, ref))}
        if entries is not None and missing - tried:
            on_the_way = {folder for ref in missing - tried for folder in _ancestors(ref)
                          if not os.path.lexists(os.path.join(root, folder))}
            tried |= missing
            on_the_way_in_index = entries(sorted(on_the_way)) if on_the_way else []
            covered += on_the_way_in_index  # inputs too: restaging such a link changes where the path leads
            new |= set(fetch(on_the_way_in_index)) if on_the_way_in_index else set()
        links = [rel for rel in new if os.path.islink(os.path.join(root, rel))]
        if links:  # a path that ran into one of them (or to it, before a '..') may lead elsewhere now
            todo |= {source for ref, of in sources.items()
                     if any(ref == link or ref.startswith(f'{link}/') for link in links) for source in of}
        todo |= new
        if not todo:
            break
    return covered


def _roles_by_name(rel: str) -> set[str]:
    if rel.endswith(('.yaml', '.yml')):
        return {SPEC}
    return {HOOKS} if posixpath.basename(rel) in HOOK_CONFIG_FILES else set()


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


def _references(root: Path, rel: str, roles: set[str]) -> list[tuple[str, str | None]]:
    """The project-relative paths the written file ``rel``, read in ``roles``, points at, each with
    the role it is read in there: a symlink's target (in the link's roles), the parent and subagent
    files (specs) and prompt of an agent spec, the scripts of ``[[hooks]]`` commands, and what a
    prompt includes (by its loader's folder: that of the path the spec names, link or not)."""
    name = os.path.join(root, rel)  # a plain string: this runs for every written file
    if os.path.islink(name):
        targets = _within(root, posixpath.dirname(rel), os.readlink(name))
        in_roles: list[str | None] = [*sorted(roles)] or [None]
        return [(ref, role) for ref in targets for role in in_roles]
    found: list[tuple[str, str | None]] = []
    if not roles:
        return found
    text = _text(root / rel) or ''
    directory = posixpath.dirname(rel)
    if SPEC in roles:
        refs = spec_references(text)
        for value in (refs.extend, *refs.subagent_paths):
            if value and value != 'default':
                found += [(ref, SPEC) for ref in _within(root, directory, value)]
        if refs.system_prompt_path:
            found += [(ref, PROMPT + posixpath.dirname(ref)) for ref in _within(root, directory, refs.system_prompt_path)]
    if HOOKS in roles:
        tables, _ = load_hook_tables(rel, text)
        scripts = [referenced_script(t['command']) for t in tables
                   if isinstance(t, dict) and isinstance(t.get('command'), str)]
        found += [(ref, None) for script in scripts if script for ref in _within(root, '', script.path)]
    for role in roles:
        if role.startswith(PROMPT):  # its includes resolve in the loader's folder, nested ones too
            folder = role[len(PROMPT):]
            names = included_templates(text)
            if names is None:  # named by an expression: anything in the folder (the project root's: not followed)
                found += [(folder, None)] if folder else []
            else:
                found += [(ref, role) for included in names for ref in _within(root, folder, included)]
    return found


def _within(root: Path, directory: str, target: str) -> set[str]:
    """``target`` relative to ``directory`` as a project-relative path; none when it leaves the
    project. Through a symlink a path leads where the link leads (a ``..`` after it does not go
    back where the text says): so it is resolved in ``root`` too, through the links written so
    far, and a folder before a ``..`` that may be a link not written yet counts as well, so that
    it is followed on the next round. An absolute ``target`` counts only when it lies in ``root``
    (the project on disk; never a staged tree, which a clone's absolute paths do not reach either)."""
    if not target:
        return set()
    base = os.path.realpath(root)
    if os.path.isabs(target):
        inside = [p for p in (os.path.normpath(target), os.path.realpath(target)) if p.startswith(os.path.join(base, ''))]
        return {os.path.relpath(p, base).replace(os.sep, '/') for p in inside}
    joined = posixpath.join(directory, target)
    paths = {posixpath.normpath(joined)}
    resolved = os.path.realpath(os.path.join(base, joined))  # through the links written so far
    if resolved.startswith(os.path.join(base, '')):
        paths.add(os.path.relpath(resolved, base).replace(os.sep, '/'))
    parts = joined.split('/')
    if '..' in parts:
        before = {posixpath.normpath('/'.join(parts[:i])) for i, part in enumerate(parts) if part == '..' and i}
        paths |= {p for p in before if os.path.islink(os.path.join(root, p)) or not os.path.isdir(os.path.join(root, p))}
    return {p for p in paths if p != '.' and p != '..' and not p.startswith('../')}


def _text(path: Path) -> str | None:
    try:
        return read_regular(path).decode('utf-8')
    except (OSError, UnicodeDecodeError):
        return None
