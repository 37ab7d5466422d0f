"""``doctor``: run every diagnostic of the project's assets and print the checklist (the omk-doctor hook).

It runs on every commit, and most commits change nothing it judges, so a verdict is cached in
the git dir per runtime (``fastcheck.verdict``): when nothing it depends on changed, the stored
output is printed again without importing the doctor (no PyYAML, tomlkit or dataclasses).
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from omk_precommit.commands.base import (
    EXIT_CLEAN,
    EXIT_FOUND,
    add_common,
    judges_staged,
    project_root,
    project_runtimes,
    runtime_heading,
)

if TYPE_CHECKING:
    from omk_precommit.doctor.kimi_binary import KimiQuery
    from omk_precommit.fastcheck.verdict import Inputs, Verdict
    from omk_precommit.runtimes.registry import Runtime

HELP = 'run every diagnostic: agents, hooks, skills, manifest, the kimi command'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument('--strict', action='store_true',
                        help="fail on warnings about the project's files too (never on this machine's kimi command "
                             'or user config)')
    parser.add_argument('--staged', action='store_true',
                        help='judge the staged files (git index), skipping untracked ones; '
                             'the default inside a git commit hook when --dir is not given')


def run(args: argparse.Namespace) -> int:
    from omk_precommit.errors import OmkWarning
    from omk_precommit.fastcheck.verdict import VerdictCache
    from omk_precommit.render.output import use_colour

    root, staged = project_root(args), judges_staged(args)
    runtimes = project_runtimes(args, root, staged=staged)
    if _hook_without_manifest(args, [root / runtime.manifest_path for runtime in runtimes]):
        return _no_manifest_hint(args, runtimes[0])
    colour = use_colour()
    asked: list[KimiQuery] = []  # `kimi --version` once, and only when a verdict is computed

    def kimi() -> KimiQuery:
        if not asked:
            from omk_precommit.doctor.kimi_binary import query_kimi

            asked.append(query_kimi())
        return asked[0]

    verdicts = []
    for runtime in runtimes:
        options = (runtime.name, staged, bool(args.strict), bool(args.json), colour)
        cache = VerdictCache(root, runtime.base_dir, options, staged=staged)
        verdict = cache.lookup()
        if verdict is None:
            verdict, inputs = _judge(args, root, runtime, staged=staged, colour=colour, kimi=kimi)
            cache.store(verdict, inputs)
        verdicts.append((runtime, verdict))
    if args.json and len(verdicts) > 1:
        import json

        from omk_precommit.render.output import print_json

        print_json([item for _, verdict in verdicts for item in json.loads(verdict.stdout)])
    else:
        for runtime, verdict in verdicts:
            if not args.json:
                runtime_heading(runtime, runtimes)
            sys.stdout.write(verdict.stdout)
    for _, verdict in verdicts:
        for message in verdict.warnings:
            warnings.warn(message, OmkWarning, stacklevel=1)
    return max(verdict.code for _, verdict in verdicts)


def _judge(args: argparse.Namespace, root: Path, runtime: Runtime, *, staged: bool, colour: bool,
           kimi: Callable[[], KimiQuery]) -> tuple[Verdict, Inputs]:
    """Run the doctor: its verdict (what it prints, returns and warns) and what it was computed from."""
    import contextlib

    from omk_precommit.doctor import Severity, diagnose_project
    from omk_precommit.doctor.inputs import disk_inputs, recorded_paths, staged_inputs
    from omk_precommit.errors import OmkWarning
    from omk_precommit.fastcheck.verdict import Inputs, Verdict
    from omk_precommit.render.findings import render
    from omk_precommit.render.output import github_annotation, paint, print_json

    project: list[str] = []
    out = _Capture(colour)
    with recorded_paths() as recording, warnings.catch_warnings(record=True) as caught, \
            contextlib.redirect_stdout(out):
        warnings.simplefilter('always', OmkWarning)
        results = diagnose_project(root, strict=args.strict, target=runtime, staged=staged, kimi=kimi(),
                                   inputs=project)
        errors = [r for r in results if r.severity is Severity.ERROR]
        if args.json:
            # Each result names its runtime, so the lists of several runtimes make one flat list.
            print_json([{**r.to_json(), 'runtime': runtime.name} for r in results])
        else:
            # A commit it blocks shows the problems only; by hand (or a passing run), the whole checklist.
            print('\n'.join(render(results, paint, show_ok=not (staged and errors))))
        for r in errors:
            if r.path and not args.json:  # stdout must stay parseable JSON
                github_annotation('error', r.path, f'omk-doctor: {r.message}')
    messages = tuple(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, OmkWarning)))
    verdict = Verdict(EXIT_FOUND if errors else EXIT_CLEAN, out.getvalue(), messages)
    opened, probed = recording.opened, recording.probed
    if staged:
        return verdict, Inputs(tuple(disk_inputs(root, runtime, [], opened, probed)),
                               tuple(staged_inputs(opened, project)))
    return verdict, Inputs(tuple(disk_inputs(root, runtime, project, opened, probed)), ())


def _no_manifest_hint(args: argparse.Namespace, runtime: Runtime) -> int:
    """The one line a hook prints in a project without a manifest (exit 0: no hook judges it)."""
    from omk_precommit.engine.findings import DiagResult, Severity
    from omk_precommit.render.output import print_json
    from omk_precommit.render.quote import one_line, quote_path

    hint = DiagResult(Severity.OK, runtime.manifest_path,
                      'no manifest, so omk manages nothing here; nothing checked in a hook '
                      f'(run {runtime.command("install")}, or {runtime.command("doctor")} by hand)',
                      check='manifest')
    if args.json:
        print_json([hint.to_json()])
    else:
        print(f'{quote_path(runtime.manifest_path)}: {one_line(hint.message)}')
    return EXIT_CLEAN


def _hook_without_manifest(args: argparse.Namespace, manifests: list[Path]) -> bool:
    """Whether this run is the omk-doctor hook (pre-commit and prek set PRE_COMMIT=1; a plain git
    hook names the index) in a project without a manifest: no hook judges a repository that never
    ran install; by hand, doctor still diagnoses everything."""
    from omk_precommit.engine.gitutil import in_commit_hook

    as_hook = os.environ.get('PRE_COMMIT') == '1' or (args.dir is None and not args.staged and in_commit_hook())
    return as_hook and not any(os.path.lexists(manifest) for manifest in manifests)


class _Capture(io.StringIO):
    """What the doctor prints, kept for the cache; a TTY when stdout is one, so colour is decided as for stdout."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty
