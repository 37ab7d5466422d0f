"""The hooks' hot path: ``check`` and ``doctor`` answered from their caches, in a few milliseconds.

Most commits change nothing omk judges, and then both hooks only compare identities: the stat
or blob cache vouches for every managed file (``fastcheck.warm``), the doctor's stored verdict
is still valid (``fastcheck.identity``). A working-tree ``check`` with no stat cache yet and no
drift is answered too (``fastcheck.cold``): every file is read then anyway, and only the full
check's manifest objects and imports are spared. ``answer`` does just that, importing only
``os``, ``sys`` and those modules (no argparse, pathlib, typing, subprocess; ``json`` only for a
cold check): it returns the exit status after printing exactly what the full command would
print, or None — for any other command or option, anything drifted or changed, no cache (but
for that cold check), no manifest, outside git, a redirected repository only GitPython can
locate — and then ``cli`` runs the command as usual, with nothing printed yet. Both paths
therefore give the same bytes and the same exit status.
"""
from __future__ import annotations

import os
import sys

from omk_precommit.engine.gitutil import git_output, searched_root
from omk_precommit.fastcheck.identity import context_of, stored_verdict, verdict_file
from omk_precommit.fastcheck.warm import clean_index, clean_worktree
from omk_precommit.runtimes.registry import RUNTIMES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omk_precommit.runtimes.registry import Runtime

_FLAGS = {'check': ('--staged', '--json'), 'doctor': ('--staged', '--strict', '--json')}


def answer(argv: list[str]) -> int | None:
    """The exit status of ``omk-kimi ARGV`` when the caches answer it (its output printed), else None."""
    options = _options(argv)
    if options is None:
        return None
    command, flags, directory, target = options
    root = _root(directory)
    if root is None:
        return None
    staged = '--staged' in flags or (directory is None and bool(os.environ.get('GIT_INDEX_FILE')))
    index: dict[str, str] = {}
    if target is not None:
        runtimes: tuple[Runtime, ...] = (RUNTIMES[target],)
        if staged and command == 'check':
            index = _stage0(root, [runtimes[0].base_dir])
    elif staged:
        # The runtimes whose manifest the commit holds (``commands.base.project_runtimes``); the
        # check needs the blob ids under their asset dirs too, so it lists those in the same run.
        listed = [r.base_dir for r in RUNTIMES.values()] if command == 'check' else \
            [r.manifest_path for r in RUNTIMES.values()]
        index = _stage0(root, listed)
        runtimes = tuple(r for r in RUNTIMES.values() if r.manifest_path in index)
    else:
        runtimes = tuple(r for r in RUNTIMES.values() if os.path.lexists(os.path.join(root, r.manifest_path)))
    if not runtimes:
        return None  # no manifest: the full command says so
    if command == 'check':
        return None if '--json' in flags else _check(root, runtimes, staged=staged, index=index)
    return _doctor(root, runtimes, flags, staged=staged, directory=directory)


def _options(argv: list[str]) -> tuple[str, set[str], str | None, str | None] | None:
    """``(command, flags, --dir, --target)`` when ``argv`` is a ``check``/``doctor`` run with only
    options the hot path knows, spelled out in full; None otherwise (argparse decides)."""
    if not argv or argv[0] not in _FLAGS:
        return None
    command, known = argv[0], _FLAGS[argv[0]]
    flags: set[str] = set()
    values: dict[str, str] = {}
    rest = iter(argv[1:])
    for arg in rest:
        name, eq, value = arg.partition('=')
        if arg in known:
            flags.add(arg)
        elif name in ('--dir', '--target'):
            value = value if eq else next(rest, '')
            if not value or value.startswith('-'):
                return None
            values[name] = value
        else:
            return None
    target = values.get('--target')
    if target is not None and target not in RUNTIMES:
        return None
    return command, flags, values.get('--dir'), target


def _root(directory: str | None) -> str | None:
    """The project root as ``commands.base.project_root`` finds it, when it is a git work tree."""
    if directory is not None:
        if not os.path.isdir(directory):
            return None
        root: str | None = os.path.realpath(directory)
    else:
        root = searched_root(os.getcwd())
    return root if root is not None and os.path.lexists(os.path.join(root, '.git')) else None


def _stage0(root: str, pathspecs: list[str]) -> dict[str, str]:
    """The blob id of every stage-0 index entry under ``pathspecs``, by path (as ``gitutil.staged_blob_ids``)."""
    code, out = git_output(root, '--literal-pathspecs', 'ls-files', '--stage', '-z', '--', *pathspecs)
    if code != 0:
        from omk_precommit.errors import OmkError

        raise OmkError('git ls-files failed')  # the full run says why
    blobs = {}
    for record in out.decode('utf-8', errors='surrogateescape').split('\0'):
        meta, _, path = record.partition('\t')
        fields = meta.split(' ')
        if len(fields) == 3 and fields[2] == '0':
            blobs[path] = fields[1]
    return blobs


def _check(root: str, runtimes: tuple[Runtime, ...], *, staged: bool, index: dict[str, str]) -> int | None:
    """``check``'s clean output when no managed file of any runtime drifted (``render.text.print_check``)."""
    counts = []
    for runtime in runtimes:
        if staged:
            count = clean_index(root, runtime.base_dir, index)
        else:  # no stat cache yet: every file is read anyway, without the full check's manifest objects
            count = clean_worktree(root, runtime.base_dir)
            if count is None:
                from omk_precommit.fastcheck.cold import clean_cold

                count = clean_cold(root, runtime.base_dir)
        if count is None:
            return None
        counts.append(count)
    where = 'in the index' if staged else 'on disk'
    lines = [f'{runtime.heading()}\n' if len(runtimes) > 1 else '' for runtime in runtimes]
    sys.stdout.write(''.join(f'{heading}{count} managed files match the manifest {where}\n'
                             for heading, count in zip(lines, counts)))
    return 0


def _doctor(root: str, runtimes: tuple[Runtime, ...], flags: set[str], *, staged: bool,
            directory: str | None) -> int | None:
    """The doctor's stored verdicts, printed as ``commands.doctor.run`` prints them, when all are valid."""
    as_json = '--json' in flags
    as_hook = os.environ.get('PRE_COMMIT') == '1' or (
        directory is None and '--staged' not in flags and bool(os.environ.get('GIT_INDEX_FILE')))
    if (as_json and len(runtimes) > 1) or (
            as_hook and not any(os.path.lexists(os.path.join(root, r.manifest_path)) for r in runtimes)):
        return None
    stdout = sys.stdout
    colour = 'NO_COLOR' not in os.environ and hasattr(stdout, 'isatty') and stdout.isatty()
    verdicts = []
    for runtime in runtimes:
        options = (runtime.name, staged, '--strict' in flags, as_json, colour)
        verdict = stored_verdict(verdict_file(root, runtime.base_dir, staged=staged), context_of(root, options), root,
                                 staged=staged)
        if verdict is None:
            return None
        verdicts.append(verdict)
    for runtime, (_, text, _) in zip(runtimes, verdicts):
        if len(runtimes) > 1 and not as_json:
            print(runtime.heading())
        stdout.write(text)
    for message in dict.fromkeys(message for _, _, warnings in verdicts for message in warnings):
        if not message.isprintable():  # every character one_line escapes is unprintable
            from omk_precommit.render.quote import one_line

            message = one_line(message)
        print(f'omk-kimi: warning: {message}', file=sys.stderr)
    return max(code for code, _, _ in verdicts)
