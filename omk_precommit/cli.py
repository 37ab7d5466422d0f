"""``omk-kimi``: argument parsing, output and exit codes over the Python API, nothing else.

Each command calls the API, prints its report (``--json``, or the text lines of ``report_text``)
and returns the exit status.

Exit status: 0 clean; 1 the command ran and found something (drift, doctor errors,
conflicts, a hook run of sync that changed files); 2 it could not run.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Callable, TypeVar

from omk_precommit import __version__
from omk_precommit.errors import OmkError
from omk_precommit.render import text as report_text
from omk_precommit.render.output import github_annotation, paint, print_json
from omk_precommit.render.quote import one_line, quote_path
from omk_precommit.runtimes.registry import BASE_DIRS, KIMI_CLI, KIMI_CODE, MANIFEST_NAME, TARGETS

R = TypeVar('R')
EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f'{self.prog}: error: {message} (see {self.prog} --help)\n')


def _build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument('--dir', type=Path, help='project root (default: the git work tree containing the current directory)')
    common.add_argument('--json', action='store_true', help='machine-readable output on stdout')
    common.add_argument('--target', choices=TARGETS, default=None,
                        help='kimi-cli (default): the Python Kimi CLI, .kimi/; '
                             'kimi-code: the Kimi Code CLI, .kimi-code/ (each target has its own manifest)')

    parser = _Parser(prog='omk-kimi', description='Install, sync, roll back and check the Kimi CLI assets of a project.')
    parser.add_argument('--version', action='version', version=f'omk-kimi {__version__}')
    # An explicit prog spares argparse from building a help formatter (and importing shutil).
    sub = parser.add_subparsers(dest='command', metavar='COMMAND', parser_class=_Parser, prog='omk-kimi')
    sub.required = True

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help_text, description=help_text)

    user_help = 'the user scope: role agents and hook scripts in $OMK_KIMI_USER_DIR, else $KIMI_SHARE_DIR or ~/.kimi'
    p = add('install', 'write the bundled assets into .kimi/ and record them in the manifest')
    p.add_argument('--dry-run', action='store_true', help='print the plan, change nothing')
    p.add_argument('--user', action='store_true', help=user_help)
    p = add('sync', 'reconcile .kimi/ with the bundled assets (three-way; local edits are kept)')
    p.add_argument('--force', action='store_true', help='back up and overwrite local edits')
    p.add_argument('--dry-run', action='store_true', help='print the plan, change nothing')
    p.add_argument('--fail-on-change', action='store_true',
                   help='exit 1 when files were created, updated or removed (for the omk-sync hook); '
                        'changes to files git ignores are not counted, they can never be committed')
    p.add_argument('--user', action='store_true', help=user_help)
    p = add('rollback', 'undo what the manifest says was installed and restore backups')
    p.add_argument('--dry-run', action='store_true', help='print the plan, change nothing')
    p.add_argument('--user', action='store_true', help=user_help + ' (and the hooks enable --user tables)')
    p = add('check', 'report managed files that were modified or deleted')
    p.add_argument('--staged', action='store_true',
                   help='judge the staged content (git index) instead of the working tree; '
                        'the default inside a git commit hook when --dir is not given')
    p = add('doctor', 'run every diagnostic: agents, hooks, skills, manifest, the kimi command')
    p.add_argument('--strict', action='store_true',
                   help="fail on warnings about the project's files too (never on this machine's kimi command or user config)")
    p.add_argument('--staged', action='store_true',
                   help='judge the staged files (git index), skipping untracked ones; '
                        'the default inside a git commit hook when --dir is not given')
    p = add('diff', 'show a unified diff of each drifted file against what the manifest expects')
    p.add_argument('paths', nargs='*', metavar='PATH',
                   help='managed files to diff (default: every drifted one), relative to the current directory, '
                        'absolute, or relative to the project root (e.g. .kimi/hooks/notify.sh)')
    p = add('migrate', 'write .kimi-code/ (Kimi Code CLI) from the Kimi CLI agents and skills in .kimi/')
    p.add_argument('--to', choices=(KIMI_CODE,), help='the target to migrate to (the same as --target kimi-code)')
    p.add_argument('--dry-run', action='store_true', help='print the plan, change nothing')
    add('agents', 'list the bundled role agents')
    _add_hooks_parser(add('hooks', 'list the bundled hooks, or enable/disable them in a Kimi config.toml'))
    add('skills', 'list the bundled skills')
    return parser


def _add_hooks_parser(hooks: argparse.ArgumentParser) -> None:
    # SUPPRESS: `hooks --json enable` must keep the --json given before the action.
    common = _Parser(add_help=False)
    common.add_argument('--dir', type=Path, default=argparse.SUPPRESS, help='project root (default: the git work tree)')
    common.add_argument('--json', action='store_true', default=argparse.SUPPRESS, help='machine-readable output')
    common.add_argument('--target', choices=TARGETS, default=argparse.SUPPRESS,
                        help='whose config and rules: kimi-cli or kimi-code (default for --user: the CLI you have, '
                             'Kimi Code when $KIMI_CODE_HOME exists; for --config: inferred from the file)')
    actions = hooks.add_subparsers(dest='hooks_action', metavar='ACTION', parser_class=_Parser)
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


def _target(args: argparse.Namespace) -> str:
    return args.target or KIMI_CLI


def _root(args: argparse.Namespace) -> Path:
    if args.dir is not None:
        if not args.dir.is_dir():
            raise OmkError(f'{args.dir}: --dir is not a directory')
        return args.dir.resolve()
    from omk_precommit.engine.gitutil import find_root

    return find_root(Path.cwd())


def _cmd_check(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.engine.gitutil import in_commit_hook
    from omk_precommit.fastcheck.check import check_drift

    # GIT_INDEX_FILE belongs to the repository being committed, not to an explicit --dir.
    staged = args.staged or (args.dir is None and in_commit_hook())
    result = check_drift(root, staged=staged, target=_target(args))
    if args.json:
        print_json(result.to_json())
    else:
        install = 'omk-kimi install' + (f' --target {args.target}' if args.target else '')
        report_text.print_check(result, staged=staged, base_dir=BASE_DIRS[_target(args)], install=install)
    return EXIT_FOUND if result.drifted else EXIT_CLEAN


def _cmd_diff(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.commands.diff import unified_diffs

    diffs = unified_diffs(root, args.paths, target=_target(args), cwd=Path.cwd())
    if args.json:
        print_json({'diffs': diffs})
    else:
        sys.stdout.write(''.join(diffs))
    return EXIT_FOUND if diffs else EXIT_CLEAN


def _user_or_project(args: argparse.Namespace, root: Path, for_user: Callable[..., R], for_project: Callable[..., R],
                     **options: object) -> R:
    """The user-scope form of a command with ``--user`` (the scope is named first), else the project's."""
    if not args.user:
        return for_project(root, target=_target(args), **options)
    from omk_precommit.runtimes.user_scope import user_scope

    scope = user_scope(_target(args))
    if not args.json:
        print(f'user scope: {quote_path(scope.directory)} ({one_line(scope.reason)}); '
              f'paths below are relative to {quote_path(scope.root)}')
    return for_user(target=_target(args), **options)


def _cmd_install(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.commands.install import install_project_assets, install_user_assets

    report = _user_or_project(args, root, install_user_assets, install_project_assets, dry_run=args.dry_run)
    if args.json:
        print_json(report.to_json())
    else:
        report_text.print_install(report)
    return EXIT_CLEAN


def _cmd_sync(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.commands.sync import sync_project_assets, sync_user_assets

    report = _user_or_project(args, root, sync_user_assets, sync_project_assets, force=args.force,
                              dry_run=args.dry_run)
    if args.json:
        print_json(report.to_json())
    else:
        report_text.print_sync(report, fail_on_change=args.fail_on_change, manifest_shown=_manifest_shown(args),
                               install=_install_command(args))
    if report.conflicts or (args.fail_on_change and report.counted_changes and not args.dry_run):
        return EXIT_FOUND
    return EXIT_CLEAN


def _manifest_shown(args: argparse.Namespace) -> str:
    if args.user:
        from omk_precommit.runtimes.user_scope import user_scope

        return str(user_scope(_target(args)).directory / MANIFEST_NAME)
    return f'{BASE_DIRS[_target(args)]}/{MANIFEST_NAME}'


def _install_command(args: argparse.Namespace) -> str:
    return ' '.join(['omk-kimi install', *(['--user'] if args.user else []),
                     *([f'--target {args.target}'] if args.target else [])])


def _cmd_rollback(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.commands.rollback import rollback, rollback_user_assets

    report = _user_or_project(args, root, rollback_user_assets, rollback, dry_run=args.dry_run)
    if args.json:
        print_json(report.to_json())
    elif args.user:
        from omk_precommit.runtimes.user_scope import user_scope

        report_text.print_rollback(report, manifest_shown=str(user_scope(_target(args)).directory / MANIFEST_NAME))
    else:
        report_text.print_rollback(report, manifest_shown=f'{BASE_DIRS[_target(args)]}/{MANIFEST_NAME}')
    return EXIT_CLEAN


def _cmd_list(args: argparse.Namespace) -> int:
    from omk_precommit.bundle.agents import default_role_agents
    from omk_precommit.bundle.hookdefs import default_project_hooks
    from omk_precommit.runtimes.bundled import bundled_assets
    from omk_precommit.runtimes.kimi_code.agents import kimi_code_agent

    target = _target(args)
    rows: list[dict[str, object]]
    if args.command == 'agents':
        rows = [{'id': a.id, 'description': a.description,
                 'tools': list(a.tools) if target == KIMI_CLI else list(kimi_code_agent(a).tools or ())}
                for a in default_role_agents()]
    elif args.command == 'hooks':
        rows = [{'script': h.command, 'event': h.event.value, 'matcher': h.matcher, 'timeout': h.timeout}
                for s in default_project_hooks(target=target).scripts for h in s.hooks]
    else:
        rows = [{'id': a.path.split('/')[2], 'path': a.path} for a in bundled_assets(target)
                if a.path.endswith('/SKILL.md')]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print('  '.join(one_line(v if not isinstance(v, list) else ','.join(v)) for v in row.values()))
    return EXIT_CLEAN


def _cmd_migrate(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.commands.migrate import migrate_to_kimi_code

    if (args.to or args.target) != KIMI_CODE:
        raise OmkError('migrate: say where to, with --to kimi-code (the only target migrate writes)')
    report = migrate_to_kimi_code(root, dry_run=args.dry_run)
    if args.json:
        print_json(report.to_json())
    else:
        report_text.print_migrate(report)
    return EXIT_FOUND if report.conflicts or report.skipped or report.bundle.conflicts else EXIT_CLEAN


def _cmd_doctor(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.doctor import Severity, diagnose_project
    from omk_precommit.engine.gitutil import in_commit_hook
    from omk_precommit.render.doctor import render

    # As for check: GIT_INDEX_FILE belongs to the repository being committed, not to an explicit --dir.
    staged = args.staged or (args.dir is None and in_commit_hook())
    results = diagnose_project(root, strict=args.strict, target=_target(args), staged=staged)
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


_COMMANDS = {
    'check': _cmd_check, 'diff': _cmd_diff, 'doctor': _cmd_doctor, 'install': _cmd_install,
    'sync': _cmd_sync, 'rollback': _cmd_rollback, 'migrate': _cmd_migrate,
}


def _cmd_hooks(args: argparse.Namespace) -> int:
    from omk_precommit.kimi_config.enable import (
        disable_hooks,
        enable_hooks,
        project_hooks_target,
        user_hooks_target,
        user_recorded_configs,
    )
    from omk_precommit.kimi_config.files import user_config
    from omk_precommit.runtimes.registry import get_target

    chosen = getattr(args, 'target', None)
    if args.hooks_action == 'enable':
        target = user_hooks_target(chosen) if args.user else project_hooks_target(_root(args), args.config, chosen)
        reports = [enable_hooks(target, dry_run=args.dry_run)]
    elif args.user and chosen is not None:
        reports = [disable_hooks(get_target(chosen).config_file(), dry_run=args.dry_run)]
    else:
        # --user: every user config enable wrote to, even if the user has switched CLI since.
        configs = (user_recorded_configs() or [user_config().path]) if args.user else [args.config]
        reports = [disable_hooks(config, dry_run=args.dry_run) for config in configs]
    if args.json:
        print_json([r.to_json() for r in reports])
    else:
        for report in reports:
            report_text.print_hooks(report, args.hooks_action)
    failed = any(r.stuck or any(f.startswith('error') for f in r.findings) for r in reports)
    return EXIT_FOUND if failed else EXIT_CLEAN


def _plain_check(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments of ``check`` in the plain forms the omk-check hook uses, without building
    the whole parser (every subcommand, and a gettext lookup per help string: ~5 ms on every
    commit); None for anything else, which the parser handles."""
    flags = list(argv[1:])
    target = None
    if '--target' in flags:  # the kimi-code hooks pass [--target, kimi-code]
        at = flags.index('--target')
        target = flags[at + 1] if at + 1 < len(flags) else None
        if target not in TARGETS:
            return None
        del flags[at:at + 2]
    if argv[:1] != ['check'] or not set(flags) <= {'--json', '--staged'} or len(set(flags)) != len(flags):
        return None
    return argparse.Namespace(command='check', dir=None, json='--json' in flags, staged='--staged' in flags, target=target)


def main(argv: Sequence[str] | None = None) -> int:
    from omk_precommit.render.edge import run_guarded

    return run_guarded(_dispatch, argv)


def _dispatch(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _plain_check(argv) or _build_parser().parse_args(argv)
    try:
        if args.command == 'hooks' and getattr(args, 'hooks_action', None) in ('enable', 'disable'):
            return _cmd_hooks(args)
        if args.command in ('agents', 'hooks', 'skills'):
            return _cmd_list(args)
        return _COMMANDS[args.command](args, _root(args))
    except OmkError as e:
        print(f'omk-kimi: {one_line(e)}', file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print('omk-kimi: interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    raise SystemExit(main())
