"""``doctor``: run every diagnostic of the project's assets and print the checklist (the omk-doctor hook)."""
from __future__ import annotations

import argparse

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
    from omk_precommit.doctor import Severity, diagnose_project
    from omk_precommit.render.doctor import render
    from omk_precommit.render.output import github_annotation, paint, print_json

    staged = judges_staged(args)
    results = diagnose_project(project_root(args), strict=args.strict, target=runtime_of(args), staged=staged)
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
