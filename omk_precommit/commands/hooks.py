"""``hooks``: list the bundled hooks, or enable / disable them in a real Kimi ``config.toml``."""
from __future__ import annotations

import argparse
from pathlib import Path

from omk_precommit.commands.base import EXIT_CLEAN, EXIT_FOUND, add_common, add_target, project_root
from omk_precommit.commands.listing import print_rows
from omk_precommit.render.output import print_json

HELP = 'list the bundled hooks, or enable/disable them in a Kimi config.toml'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    # SUPPRESS: `hooks --json enable` must keep the --json given before the action.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--dir', type=Path, default=argparse.SUPPRESS, help='project root (default: the git work tree)')
    common.add_argument('--json', action='store_true', default=argparse.SUPPRESS, help='machine-readable output')
    add_target(common, default=argparse.SUPPRESS,
               help_text='whose config and rules (default for --user: the CLI you have, Kimi Code when '
                         '$KIMI_CODE_HOME exists; for --config: inferred from the file)')
    actions = parser.add_subparsers(dest='hooks_action', metavar='ACTION', parser_class=type(parser))
    actions.add_parser('list', parents=[common], help='list the bundled hooks (the default)')
    for name, help_text in (
        ('enable', 'add the bundled [[hooks]] tables to a Kimi config, keeping every other byte'),
        ('disable', 'remove exactly the [[hooks]] tables enable added'),
    ):
        p = actions.add_parser(name, parents=[common], help=help_text, description=help_text)
        where = p.add_mutually_exclusive_group(required=True)
        where.add_argument('--config', type=Path, metavar='PATH',
                           help='this config file (e.g. .kimi/config.toml, used as kimi --config-file); '
                                'commands run the project scripts in .kimi/hooks/')
        where.add_argument('--user', action='store_true',
                           help='the user config of the CLI you have: $KIMI_CODE_HOME/config.toml if that home exists, '
                                'else $KIMI_SHARE_DIR/config.toml (~/.kimi); commands run the scripts of install --user')
        p.add_argument('--dry-run', action='store_true', help='print what would change, change nothing')


def run(args: argparse.Namespace) -> int:
    if getattr(args, 'hooks_action', None) not in ('enable', 'disable'):
        return print_rows('hooks', args)
    from omk_precommit.kimi_config.enable import (
        disable_hooks,
        enable_hooks,
        project_hooks_target,
        user_hooks_target,
        user_recorded_configs,
    )
    from omk_precommit.kimi_config.files import user_config
    from omk_precommit.render import text
    from omk_precommit.runtimes.registry import get_runtime

    chosen = getattr(args, 'target', None)
    if args.hooks_action == 'enable':
        target = user_hooks_target(chosen) if args.user else project_hooks_target(project_root(args), args.config, chosen)
        reports = [enable_hooks(target, dry_run=args.dry_run)]
    elif args.user and chosen is not None:
        reports = [disable_hooks(get_runtime(chosen).config_file(), dry_run=args.dry_run)]
    else:
        # --user: every user config enable wrote to, even if the user has switched CLI since.
        configs = (user_recorded_configs() or [user_config().path]) if args.user else [args.config]
        reports = [disable_hooks(config, dry_run=args.dry_run) for config in configs]
    if args.json:
        print_json([r.to_json() for r in reports])
    else:
        for report in reports:
            text.print_hooks(report, args.hooks_action)
    failed = any(r.stuck or any(f.startswith('error') for f in r.findings) for r in reports)
    return EXIT_FOUND if failed else EXIT_CLEAN
