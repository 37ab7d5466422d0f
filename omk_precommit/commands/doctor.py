"""``doctor``: run every diagnostic of the project's assets and print the checklist (the omk-doctor hook)."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from omk_precommit.commands.base import EXIT_CLEAN, EXIT_FOUND, add_common, judges_staged, project_root, runtime_of

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
    from omk_precommit.render.doctor import render
    from omk_precommit.render.output import github_annotation, paint, print_json
    from omk_precommit.render.quote import one_line, quote_path

    staged = judges_staged(args)
    root, runtime = project_root(args), runtime_of(args)
    if _hook_without_manifest(args, root / runtime.manifest_path):
        hint = DiagResult(Severity.OK, 'no manifest, so omk manages nothing here; nothing checked in a hook '
                          f'(run {runtime.command("install")}, or {runtime.command("doctor")} by hand)',
                          path=runtime.manifest_path, check='manifest')
        if args.json:
            print_json([hint.to_json()])
        else:
            print(f'{quote_path(runtime.manifest_path)}: {one_line(hint.message)}')
        return EXIT_CLEAN
    results = diagnose_project(root, strict=args.strict, target=runtime, staged=staged)
    errors = [r for r in results if r.severity is Severity.ERROR]
    if args.json:
        print_json([r.to_json() for r in results])
    else:
        # A commit it blocks shows the problems only; by hand (or a passing run), the whole checklist.
        print('\n'.join(render(results, paint, show_ok=not (staged and errors))))
    for r in errors:
        if r.path and not args.json:  # stdout must stay parseable JSON
            github_annotation('error', r.path, f'omk-doctor: {r.message}')
    return EXIT_FOUND if errors else EXIT_CLEAN


def _hook_without_manifest(args: argparse.Namespace, manifest: Path) -> bool:
    """Whether this run is the omk-doctor hook (pre-commit and prek set PRE_COMMIT=1; a plain git
    hook names the index) in a project without a manifest: no hook judges a repository that never
    ran install; by hand, doctor still diagnoses everything."""
    from omk_precommit.engine.gitutil import in_commit_hook

    as_hook = os.environ.get('PRE_COMMIT') == '1' or (args.dir is None and not args.staged and in_commit_hook())
    return as_hook and not os.path.lexists(manifest)
