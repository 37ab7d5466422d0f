"""What every command module shares: the exit codes, the common options, the project root, the runtime.

A command module has ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``;
``cli`` builds the parser of the one command being run and calls ``run``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from omk_precommit.errors import OmkError
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime, runtime_names

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
USER_HELP = 'the user scope (default: the project scope): role agents and hook scripts in $OMK_KIMI_USER_DIR, ' \
            'else $KIMI_SHARE_DIR or ~/.kimi (Kimi Code: $KIMI_CODE_HOME or ~/.kimi-code)'


def add_common(parser: argparse.ArgumentParser) -> None:
    """``--dir``, ``--json`` and ``--target``, which every project command takes."""
    parser.add_argument('--dir', type=Path, help='project root (default: the git work tree containing the current directory)')
    parser.add_argument('--json', action='store_true', help='machine-readable output on stdout')
    add_target(parser, default=None)


def add_target(parser: argparse.ArgumentParser, *, default: object, help_text: str | None = None) -> None:
    products = '; '.join(f'{name}: {get_runtime(name).product}, {get_runtime(name).base_dir}/' for name in runtime_names())
    parser.add_argument('--target', choices=runtime_names(), default=default,
                        help=help_text or f'which runtime ({products}; default {DEFAULT_RUNTIME.name}); '
                                          'each has its own manifest')


def add_dry_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--dry-run', action='store_true', help='print the plan, change nothing')


def runtime_of(args: argparse.Namespace) -> Runtime:
    """The runtime ``--target`` names, else the default one."""
    target = getattr(args, 'target', None)
    return DEFAULT_RUNTIME if target is None else get_runtime(target)


def project_root(args: argparse.Namespace) -> Path:
    """``--dir`` (which must be a directory), else the root of the git work tree around the current directory."""
    if args.dir is not None:
        if not args.dir.is_dir():
            raise OmkError(f'{args.dir}: --dir is not a directory')
        return Path(args.dir).resolve()
    from omk_precommit.engine.gitutil import find_root

    return find_root(Path.cwd())


def judges_staged(args: argparse.Namespace) -> bool:
    """Whether to read the git index: ``--staged``, or inside a commit hook when ``--dir`` is not given
    (``GIT_INDEX_FILE`` belongs to the repository being committed, not to an explicit ``--dir``)."""
    from omk_precommit.engine.gitutil import in_commit_hook

    return bool(args.staged) or (args.dir is None and in_commit_hook())


def announce_user_scope(args: argparse.Namespace, runtime: Runtime) -> None:
    """With ``--user`` (and text output), name the user directory first, so every path below has a place."""
    if args.user and not args.json:
        from omk_precommit.render.quote import one_line, quote_path
        from omk_precommit.runtimes.user_scope import user_scope

        scope = user_scope(runtime)
        print(f'user scope: {quote_path(scope.directory)} ({one_line(scope.reason)}); '
              f'paths below are relative to {quote_path(scope.root)}')
