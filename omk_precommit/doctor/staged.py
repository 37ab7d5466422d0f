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
"""
from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from omk_precommit.doctor.project import agents_md_candidates
from omk_precommit.engine.findings import DiagResult, Findings
from omk_precommit.engine.fsutil import read_regular
from omk_precommit.engine.gitutil import checkout_index, untracked_files
from omk_precommit.errors import OmkError
from omk_precommit.kimi_config.records import RECORD_SUFFIX
from omk_precommit.runtimes.hook_commands import referenced_script
from omk_precommit.runtimes.hook_rules import load_hook_tables
from omk_precommit.runtimes.hooks import HOOK_CONFIG_FILES
from omk_precommit.runtimes.kimi_cli.agentspec import spec_references
from omk_precommit.runtimes.registry import RUNTIMES

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
def staged_tree(project: Path, base_dir: str) -> Iterator[StagedTree]:
    """The staged files the doctor reads, written to a temporary directory removed on exit."""
    try:
        root = Path(tempfile.mkdtemp(prefix='omk-staged-')).resolve()
    except OSError as e:
        raise OmkError(f'{tempfile.gettempdir()}: cannot create a temporary directory for the staged files '
                       f'({e.strerror}); set TMPDIR to a writable directory') from None
    try:
        wanted = staged_paths(base_dir)
        covered = follow_references(root, checkout_index(project, wanted, root), wanted,
                                    lambda paths: checkout_index(project, paths, root))
        yield StagedTree(root, project, base_dir, tuple(untracked_files(project, wanted)), tuple(covered))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def follow_references(root: Path, written: list[str], covered: list[str],
                      fetch: Callable[[list[str]], list[str]]) -> list[str]:
    """``covered`` plus what the ``written`` files under ``root`` point at outside it, and what
    those point at in turn; ``fetch(paths)`` makes them readable (checks them out from the index)
    and returns the files it wrote. A reference the index lacks stays missing, as in a clone."""
    covered = list(covered)
    for _ in range(MAX_ROUNDS):
        wanted = sorted({ref for rel in written for ref in _references(root, rel)
                         if not any(ref == c or ref.startswith(f'{c}/') for c in covered)})
        if not wanted:
            break
        covered += wanted
        written = fetch(wanted)
    return covered


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
