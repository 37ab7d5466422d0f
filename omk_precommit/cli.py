"""``omk-kimi``: argument parsing, output and exit codes over the Python API, nothing else.

Exit status: 0 clean; 1 the command ran and found something (drift, doctor errors,
conflicts, a hook run of sync that changed files); 2 it could not run.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from omk_precommit import __version__
from omk_precommit.errors import OmkError
from omk_precommit.output import github_annotation, paint, print_json

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f'{self.prog}: error: {message} (see {self.prog} --help)\n')


def _build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--dir', type=Path, help='project root (default: the git work tree containing the current directory)')
    common.add_argument('--json', action='store_true', help='machine-readable output on stdout')

    parser = _Parser(prog='omk-kimi', description='Install, sync, roll back and check the Kimi CLI assets of a project.')
    parser.add_argument('--version', action='version', version=f'omk-kimi {__version__}')
    sub = parser.add_subparsers(dest='command', metavar='COMMAND', parser_class=_Parser)
    sub.required = True

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help_text, description=help_text)

    p = add('install', 'write the bundled assets into .kimi/ and record them in the manifest')
    p.add_argument('--dry-run', action='store_true', help='print the plan, change nothing')
    p = add('sync', 'reconcile .kimi/ with the bundled assets (three-way; local edits are kept)')
    p.add_argument('--force', action='store_true', help='back up and overwrite local edits')
    p.add_argument('--dry-run', action='store_true', help='print the plan, change nothing')
    p.add_argument('--fail-on-change', action='store_true', help='exit 1 when files were created, updated or removed (for the omk-sync hook)')
    p = add('rollback', 'undo what the manifest says was installed and restore backups')
    p.add_argument('--dry-run', action='store_true', help='print the plan, change nothing')
    add('check', 'report managed files that were modified or deleted')
    p = add('diff', 'show a unified diff of each drifted file against what the manifest expects')
    p.add_argument('paths', nargs='*', metavar='PATH')
    p = add('migrate', 'write .kimi-code/ (Kimi Code CLI) from the Kimi CLI agents and skills in .kimi/')
    p.add_argument('--to', required=True, choices=('kimi-code',), help='the target to migrate to')
    p.add_argument('--dry-run', action='store_true', help='print the plan, change nothing')
    add('agents', 'list the bundled role agents')
    add('hooks', 'list the bundled hooks')
    add('skills', 'list the bundled skills')
    return parser


def _root(args: argparse.Namespace) -> Path:
    if args.dir is not None:
        if not args.dir.is_dir():
            raise OmkError(f'{args.dir}: --dir is not a directory')
        return args.dir.resolve()
    from omk_precommit.gitutil import find_root

    return find_root(Path.cwd())


def _print_lines(lines: list[tuple[str, str, str]]) -> None:
    for path, message, colour in lines:
        print(f'{path}: {paint(message, colour)}')


def _cmd_check(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.check import check_drift

    result = check_drift(root)
    if args.json:
        print_json(result.to_json())
    else:
        _print_lines([(d.path, f'{d.state.value} (differs from the manifest)', 'red') for d in result.drifted])
        _print_lines([(p, 'skipped (ignored by git)', 'yellow') for p in result.skipped])
        if result.manifest_missing:
            print('.kimi/omk-manifest.json: no manifest, nothing to check (run omk-kimi install)')
        elif result.drifted:
            print(f'{len(result.drifted)} of {result.managed} managed files drifted; '
                  'see omk-kimi diff, restore them or run omk-kimi sync --force')
        else:
            print(f'{result.managed} managed files match the manifest')
    for d in result.drifted:
        github_annotation('error', d.path, f'omk-check: {d.state.value} managed file differs from the manifest')
    return EXIT_FOUND if result.drifted else EXIT_CLEAN


def _cmd_diff(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.diff import unified_diffs

    diffs = unified_diffs(root, args.paths)
    if args.json:
        print_json({'diffs': diffs})
    else:
        sys.stdout.write(''.join(diffs))
    return EXIT_FOUND if diffs else EXIT_CLEAN


def _cmd_install(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.install import install_project_assets

    report = install_project_assets(root, dry_run=args.dry_run)
    if args.json:
        print_json(report.to_json())
        return EXIT_CLEAN
    prefix = 'would ' if args.dry_run else ''
    for line in report.plan:
        path, action = line.rsplit(': ', 1)
        print(f'{path}: {prefix}{action}')
    for backup in report.backups_created:
        print(f'{backup}: backup of the file it replaced')
    print(f'{prefix}install {len(report.agents_installed)} agents, {len(report.hooks_installed)} hook files, '
          f'{len(report.skills_linked)} skills; {len(report.plan)} files to change' if args.dry_run else
          f'installed: {len(report.plan)} files changed, {len(report.backups_created)} backups')
    return EXIT_CLEAN


def _cmd_sync(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.sync import sync_project_assets

    report = sync_project_assets(root, force=args.force, dry_run=args.dry_run)
    if args.json:
        print_json(report.to_json())
    else:
        prefix = 'would be ' if args.dry_run else ''
        groups = (
            (report.created, 'created', 'green'), (report.updated, 'updated', 'green'),
            (report.removed, 'removed (no longer bundled)', 'green'),
            (report.kept_local, 'kept your local edit', 'yellow'),
            (report.conflicts, 'conflict: kept your edit, new version written beside it as .omk-new', 'red'),
        )
        for paths, message, colour in groups:
            _print_lines([(p, prefix + message, colour) for p in paths])
        for backup in report.backups_created:
            print(f'{backup}: backup of the file it replaced')
        print(f'sync: {len(report.created)} created, {len(report.updated)} updated, {len(report.removed)} removed, '
              f'{len(report.kept_local)} kept, {len(report.conflicts)} conflicts, {len(report.unchanged)} unchanged'
              + (' (dry run)' if args.dry_run else ''))
    for path in report.conflicts:
        github_annotation('error', path, 'omk-sync: local edit conflicts with a newer bundled version')
    if report.conflicts or (args.fail_on_change and report.changed and not args.dry_run):
        return EXIT_FOUND
    return EXIT_CLEAN


def _cmd_rollback(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.rollback import rollback

    report = rollback(root, dry_run=args.dry_run)
    if args.json:
        print_json(report.to_json())
        return EXIT_CLEAN
    if report.manifest_missing:
        print('.kimi/omk-manifest.json: no manifest, nothing to roll back')
        return EXIT_CLEAN
    prefix = 'would be ' if args.dry_run else ''
    _print_lines([(p, prefix + 'restored from backup', 'green') for p in report.restored])
    _print_lines([(p, prefix + 'removed', 'green') for p in report.removed])
    for item in report.skipped:
        path, _, reason = item.partition(' (')
        print(f'{path}: {paint("kept", "yellow")} ({reason}')
    print(f'rollback: {len(report.restored)} restored, {len(report.removed)} removed, {len(report.skipped)} kept'
          + (' (dry run)' if args.dry_run else ''))
    return EXIT_CLEAN


def _cmd_list(args: argparse.Namespace) -> int:
    from omk_precommit.agents import default_role_agents
    from omk_precommit.assets import bundled_assets
    from omk_precommit.hookdefs import default_project_hooks

    rows: list[dict[str, object]]
    if args.command == 'agents':
        rows = [{'id': a.id, 'description': a.description, 'tools': list(a.tools)} for a in default_role_agents()]
    elif args.command == 'hooks':
        rows = [{'script': f'.kimi/hooks/{s.name}', 'event': h.event.value, 'matcher': h.matcher, 'timeout': h.timeout}
                for s in default_project_hooks().scripts for h in s.hooks]
    else:
        rows = [{'id': a.path.split('/')[2], 'path': a.path} for a in bundled_assets() if a.path.endswith('/SKILL.md')]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print('  '.join(str(v) if not isinstance(v, list) else ','.join(v) for v in row.values()))
    return EXIT_CLEAN


def _cmd_migrate(args: argparse.Namespace, root: Path) -> int:
    from omk_precommit.migrate import migrate_to_kimi_code

    report = migrate_to_kimi_code(root, dry_run=args.dry_run)
    if args.json:
        print_json(report.to_json())
    else:
        prefix = 'would be ' if args.dry_run else ''
        bundle = report.bundle
        _print_lines([(p, prefix + 'created (bundled)', 'green') for p in bundle.created])
        _print_lines([(p, prefix + 'updated (bundled)', 'green') for p in bundle.updated])
        _print_lines([(p, 'conflict: kept your edit, bundled version written beside it as .omk-new', 'red')
                      for p in bundle.conflicts])
        _print_lines([(p, prefix + 'created (converted)', 'green') for p in report.created])
        _print_lines([(p, prefix + 'updated with your edit from .kimi/ (omk-kimi check reports it as a local edit)',
                       'yellow') for p in report.carried_edits])
        _print_lines([(p, 'conflict: kept the existing file, converted version written beside it as .omk-new', 'red')
                      for p in report.conflicts])
        for line in report.skipped:
            path, _, why = line.partition(': ')
            print(f'{path}: {paint("not migrated", "red")}: {why}')
        for line in report.notes:
            path, _, note = line.partition(': ')
            print(f'{path}: {paint("note", "yellow")}: {note}')
        written = len(bundle.created) + len(bundle.updated) + len(report.created) + len(report.carried_edits)
        print(f'migrate: {written} files {"to write" if args.dry_run else "written"}, '
              f'{len(report.conflicts) + len(bundle.conflicts)} conflicts, {len(report.skipped)} not migrated, '
              f'{len(report.notes)} notes; .kimi/ was left unchanged' + (' (dry run)' if args.dry_run else ''))
    return EXIT_FOUND if report.conflicts or report.skipped or report.bundle.conflicts else EXIT_CLEAN


_COMMANDS = {
    'check': _cmd_check, 'diff': _cmd_diff, 'install': _cmd_install,
    'sync': _cmd_sync, 'rollback': _cmd_rollback, 'migrate': _cmd_migrate,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        if args.command in ('agents', 'hooks', 'skills'):
            return _cmd_list(args)
        return _COMMANDS[args.command](args, _root(args))
    except OmkError as e:
        print(f'omk-kimi: {e}', file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print('omk-kimi: interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    raise SystemExit(main())
