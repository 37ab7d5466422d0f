"""``omk-kimi``: the argument parser and the dispatch to one ``commands/`` module, nothing else.

Each command module has ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``. Only the
module of the command being run is imported and only its parser is built, so the ``omk-check``
hook does not pay for every other command on each commit; ``omk-kimi --help`` builds them all.
Before any of that, ``commands.fast`` may answer the hooks' common case (a warm check, a cached
doctor verdict) from the caches alone; whatever it does not answer runs here as usual.

Exit status: 0 clean; 1 the command ran and found something (drift, doctor errors,
conflicts, a hook run of sync that changed files); 2 it could not run.
"""
from __future__ import annotations

import sys

from omk_precommit.errors import EXIT_ERROR, OmkError

TYPE_CHECKING = False  # the hooks' hot path (commands.fast) imports no typing, argparse or re
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from types import ModuleType

COMMANDS = ('install', 'sync', 'rollback', 'check', 'doctor', 'diff', 'accept', 'forget', 'migrate', 'agents', 'hooks',
            'skills', 'bundles', 'bundle')


def _module(name: str) -> ModuleType:
    import importlib

    return importlib.import_module(f'omk_precommit.commands.{name}')


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The parser of ``omk-kimi`` with the subcommands ``commands`` (all of them by default)."""
    import argparse

    from omk_precommit import __version__

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            self.exit(EXIT_ERROR, f'{self.prog}: error: {message} (see {self.prog} --help)\n')

    parser = _Parser(prog='omk-kimi', description='Install, sync, roll back and check the Kimi CLI assets of a project.')
    parser.add_argument('--version', action='version', version=f'omk-kimi {__version__}')
    # An explicit prog spares argparse from building a help formatter (and importing shutil).
    sub = parser.add_subparsers(dest='command', metavar='COMMAND', parser_class=_Parser, prog='omk-kimi')
    sub.required = True
    for name in commands:
        module = _module(name)
        module.add_arguments(sub.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from omk_precommit.render.edge import run_guarded

    return run_guarded(_dispatch, argv)


def _dispatch(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from omk_precommit.commands.fast import answer

    try:
        answered = answer(argv)
    except OmkError:  # the full run below reports it properly
        answered = None
    except KeyboardInterrupt:
        print('omk-kimi: interrupted', file=sys.stderr)
        return 130
    if answered is not None:
        return answered
    import warnings

    from omk_precommit.errors import OmkWarning
    from omk_precommit.render.quote import one_line

    command = argv[0] if argv and argv[0] in COMMANDS else None
    args = build_parser([command] if command else COMMANDS).parse_args(argv)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', OmkWarning)
        code = _run(args)
    if code != EXIT_ERROR:  # a run that could not run says one thing only: why
        # Our warnings (an older manifest version) are one line each on stderr, once per run.
        for message in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, OmkWarning)):
            print(f'omk-kimi: warning: {one_line(message)}', file=sys.stderr)
    return code


def _run(args: argparse.Namespace) -> int:
    from omk_precommit.render.quote import one_line

    try:
        return int(_module(args.command).run(args))
    except OmkError as e:
        print(f'omk-kimi: {one_line(e)}', file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print('omk-kimi: interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    raise SystemExit(main())
