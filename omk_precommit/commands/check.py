"""``check``: report managed files that were modified or deleted (the omk-check hook).

The work is ``fastcheck.check.check_drift``; this module is its command line. It runs on every
commit, so it imports only what the clean path needs.
"""
from __future__ import annotations

import argparse

from omk_precommit.commands.base import (
    EXIT_CLEAN,
    EXIT_FOUND,
    add_common,
    json_of_runtimes,
    judges_staged,
    project_root,
    project_runtimes,
    runtime_heading,
)

HELP = 'report managed files that were modified or deleted'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument('--staged', action='store_true',
                        help='judge the staged content (git index) instead of the working tree; '
                             'the default inside a git commit hook when --dir is not given')


def run(args: argparse.Namespace) -> int:
    from omk_precommit.fastcheck.check import check_drift
    from omk_precommit.render import text

    root, staged = project_root(args), judges_staged(args)
    runtimes = project_runtimes(args, root, staged=staged)
    results = [(runtime, check_drift(root, staged=staged, base_dir=runtime.base_dir)) for runtime in runtimes]
    if args.json:
        from omk_precommit.render.output import print_json

        print_json(json_of_runtimes([(runtime, result.to_json()) for runtime, result in results]))
    else:
        for runtime, result in results:
            runtime_heading(runtime, runtimes)
            text.print_check(result, staged=staged, base_dir=runtime.base_dir, command=runtime.command)
    return EXIT_FOUND if any(result.drifted for _, result in results) else EXIT_CLEAN
