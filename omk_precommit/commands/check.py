"""``check``: report managed files that were modified or deleted (the omk-check hook).

The work is ``fastcheck.check.check_drift``; this module is its command line. It runs on every
commit, so it imports only what the clean path needs.
"""
from __future__ import annotations

import argparse

from omk_precommit.commands.base import EXIT_CLEAN, EXIT_FOUND, add_common, judges_staged, project_root, runtime_of

HELP = 'report managed files that were modified or deleted'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument('--staged', action='store_true',
                        help='judge the staged content (git index) instead of the working tree; '
                             'the default inside a git commit hook when --dir is not given')


def run(args: argparse.Namespace) -> int:
    from omk_precommit.fastcheck.check import check_drift
    from omk_precommit.render import text

    root, runtime, staged = project_root(args), runtime_of(args), judges_staged(args)
    result = check_drift(root, staged=staged, base_dir=runtime.base_dir)
    if args.json:
        from omk_precommit.render.output import print_json

        print_json(result.to_json())
    else:
        text.print_check(result, staged=staged, base_dir=runtime.base_dir, install=runtime.command('install'))
    return EXIT_FOUND if result.drifted else EXIT_CLEAN
