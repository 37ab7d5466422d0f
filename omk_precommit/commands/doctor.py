"""``doctor``: run every diagnostic of the project's assets and print the checklist (the omk-doctor hook)."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from omk_precommit.commands.base import (
    EXIT_CLEAN,
    EXIT_FOUND,
    add_common,
    judges_staged,
    project_root,
    project_runtimes,
    runtime_heading,
)

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
    from omk_precommit.doctor import DiagResult, Severity, diagnose_project
    from omk_precommit.doctor.kimi_binary import query_kimi
    from omk_precommit.render.findings import render
    from omk_precommit.render.output import github_annotation, paint, print_json
    from omk_precommit.render.quote import one_line, quote_path

    root, staged = project_root(args), judges_staged(args)
    runtimes = project_runtimes(args, root, staged=staged)
    if _hook_without_manifest(args, [root / runtime.manifest_path for runtime in runtimes]):
        runtime = runtimes[0]
        hint = DiagResult(Severity.OK, runtime.manifest_path,
                          'no manifest, so omk manages nothing here; nothing checked in a hook '
                          f'(run {runtime.command("install")}, or {runtime.command("doctor")} by hand)',
                          check='manifest')
        if args.json:
            print_json([hint.to_json()])
        else:
            print(f'{quote_path(runtime.manifest_path)}: {one_line(hint.message)}')
        return EXIT_CLEAN
    kimi = query_kimi()  # once, whatever the number of runtimes
    reports = [(runtime, diagnose_project(root, strict=args.strict, target=runtime, staged=staged, kimi=kimi))
               for runtime in runtimes]
    errors = [r for _, results in reports for r in results if r.severity is Severity.ERROR]
    if args.json:
        # A flat list as with one runtime; each result names its runtime.
        print_json([{**r.to_json(), 'runtime': runtime.name} for runtime, results in reports for r in results])
    else:
        for runtime, results in reports:
            runtime_heading(runtime, runtimes)
            # A commit it blocks shows the problems only; by hand (or a passing run), the whole checklist.
            print('\n'.join(render(results, paint, show_ok=not (staged and errors))))
    for r in errors:
        if r.path and not args.json:  # stdout must stay parseable JSON
            github_annotation('error', r.path, f'omk-doctor: {r.message}')
    return EXIT_FOUND if errors else EXIT_CLEAN


def _hook_without_manifest(args: argparse.Namespace, manifests: list[Path]) -> bool:
    """Whether this run is the omk-doctor hook (pre-commit and prek set PRE_COMMIT=1; a plain git
    hook names the index) in a project without a manifest: no hook judges a repository that never
    ran install; by hand, doctor still diagnoses everything."""
    from omk_precommit.engine.gitutil import in_commit_hook

    as_hook = os.environ.get('PRE_COMMIT') == '1' or (args.dir is None and not args.staged and in_commit_hook())
    return as_hook and not any(os.path.lexists(manifest) for manifest in manifests)
