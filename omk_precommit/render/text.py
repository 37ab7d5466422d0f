"""What each command prints without ``--json``: one ``path: what happened`` line per file, then a
summary line, and a GitHub annotation per finding when run in GitHub Actions.

The check path imports this module on every commit, so it stays light: report types are only
imported for type checking.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from omk_precommit.render.output import github_annotation, paint
from omk_precommit.render.quote import one_line, quote_path

if TYPE_CHECKING:
    from omk_precommit.commands.accept import AcceptReport
    from omk_precommit.commands.forget import ForgetReport
    from omk_precommit.commands.migrate import MigrateReport
    from omk_precommit.engine.reports import InstallReport, RollbackReport, SyncReport
    from omk_precommit.fastcheck.check import CheckResult
    from omk_precommit.kimi_config.enable import HooksReport


def print_lines(lines: list[tuple[str, str, str]]) -> None:
    """``path: message`` for each ``(path, message, colour)``, the path quoted, the message coloured."""
    for path, message, colour in lines:
        print(f'{quote_path(path)}: {paint(one_line(message), colour)}')


def _print_labelled(items: list[str], label: str, colour: str, *, split: str = ': ', joint: str = ' ') -> None:
    """Each ``head<split>tail`` item as ``head: <label><joint>tail``, the label coloured."""
    for item in items:
        head, _, tail = item.partition(split)
        print(f'{quote_path(head)}: {paint(label, colour)}{joint}{one_line(tail)}')


def print_check(result: CheckResult, *, staged: bool, base_dir: str,
                command: Callable[[str], str] = lambda args: f'omk-kimi {args}') -> None:
    """The check's lines; ``command`` gives the ``omk-kimi`` command line of the runtime checked."""
    install = command('install')
    where = 'in the index' if staged else 'on disk'
    states = {'modified': f'modified {where} (differs from the manifest)',
              'missing': 'missing from the index (deleted, or never staged)' if staged else 'missing (deleted)',
              'conflict': f'holds unresolved merge conflict markers {where}; resolve them, then {command("accept")}'}
    print_lines([(d.path, states[d.state.value], 'red') for d in result.drifted])
    print_lines([(p, 'skipped (ignored by git)', 'yellow') for p in result.skipped])
    if result.manifest_missing:
        print(f'{base_dir}/omk-manifest.json: no manifest {where}, nothing to check '
              + (f'(git add {base_dir}/ to have commits checked)' if staged else f'(run {install})'))
    elif result.drifted:
        one = result.drifted[0].path if len(result.drifted) == 1 else 'PATH'
        print(f'{len(result.drifted)} of {result.managed} managed files drifted {where}; '
              f'see it: {command("diff " + one)}; keep it: {command("accept " + one)}; drop it: {command("sync --force")}'
              + (' (then stage the result)' if staged else ''))
    else:
        skipped = f', {len(result.skipped)} skipped (ignored by git)' if result.skipped else ''
        sparse = f', {len(result.outside_sparse)} outside this sparse checkout' if result.outside_sparse else ''
        matching = result.managed - len(result.skipped) - len(result.outside_sparse)
        print(f'{matching} managed files match the manifest {where}{skipped}{sparse}')
    for d in result.drifted:
        github_annotation('error', d.path, f'omk-check: managed file {d.state.value}, it differs from '
                          f'{base_dir}/omk-manifest.json; run omk-kimi diff')


def _print_outside_sparse(paths: list[str]) -> None:
    if paths:
        base = paths[0].split('/', 1)[0]
        print(f'{base}/: {len(paths)} paths outside this sparse checkout, skipped '
              f'(git sparse-checkout add {base} to include them)')


def print_install(report: InstallReport) -> None:
    prefix = 'would ' if report.dry_run else ''
    for line in report.plan:
        path, action = line.rsplit(': ', 1)
        print(f'{quote_path(path)}: {prefix}{action}')
    _print_backups(report.backups_created)
    _print_outside_sparse(report.outside_sparse)
    print(f'{prefix}install {len(report.agents_installed)} agents, {len(report.hooks_installed)} hook files, '
          f'{len(report.skills_linked)} skills; {len(report.plan)} files to change' if report.dry_run else
          f'installed: {len(report.plan)} files changed, {len(report.backups_created)} backups')


def print_sync(report: SyncReport, *, fail_on_change: bool, manifest_shown: str = '.kimi/omk-manifest.json',
               install: str = 'omk-kimi install') -> None:
    if report.manifest_missing:
        print(f'{quote_path(manifest_shown)}: no manifest, so omk manages nothing here; nothing synced '
              f'(run {install} to install the Kimi assets)')
        return
    prefix = 'would be ' if report.dry_run else ''
    groups = (
        (report.created, 'created', 'green'), (report.updated, 'updated', 'green'),
        (report.removed, 'removed (no longer bundled)', 'green'),
        (report.merged, 'merged (the new bundled version into your edit; backup first)', 'green'),
        (report.recreated, 'recreated: your accepted deletion was overridden by --force', 'green'),
        (report.kept_local, 'kept your local edit', 'yellow'),
        (report.accepted, "kept: accepted, the project's own version", 'green'),
        (report.stays_deleted, 'stays deleted (accepted deletion; omk-kimi sync --force recreates it)', 'green'),
    )
    ignored = set(report.ignored)
    for paths, message, colour in groups:
        print_lines([(p, prefix + message + (' (ignored by git, not counted)' if p in ignored else ''), colour)
                     for p in paths])
    for path in report.conflicts:
        kind, _, reason = report.conflict_kinds.get(path, 'sidecar').partition(': ')
        print_lines([(path, _CONFLICTS[kind].format(prefix=prefix, path=quote_path(path))
                      + (f' ({one_line(reason)})' if reason else ''), 'red')])
    _print_backups(report.backups_created)
    for backup in report.backups_forgotten:
        print(f'{quote_path(backup)}: {"would be " if report.dry_run else ""}forgotten: the manifest listed this backup, '
              'but the file is gone')
    for preview in report.merge_previews.values():
        print(preview, end='' if preview.endswith('\n') or not preview else '\n')
    _print_outside_sparse(report.outside_sparse)
    print(f'sync: {len(report.created)} created, {len(report.updated)} updated, {len(report.merged)} merged, '
          f'{len(report.removed)} removed, {len(report.kept_local) + len(report.accepted)} kept, '
          f'{len(report.conflicts)} conflicts, {len(report.unchanged)} unchanged'
          + (f'; {len(ignored)} of the changes ignored by git, not counted' if ignored else '')
          + (' (dry run)' if report.dry_run else ''))
    for path in report.conflicts:
        kind = report.conflict_kinds.get(path, 'sidecar').partition(': ')[0]
        github_annotation('error', path, 'omk-sync: local edit conflicts with a newer bundled version; '
                          + _ANNOTATION_HINTS[kind].format(path=path))
    if fail_on_change and not report.dry_run:
        for paths, what in ((report.created, 'was missing and has been restored'),
                            (report.updated, 'was outdated and has been updated'),
                            (report.removed, 'is no longer bundled and has been removed')):
            for path in (p for p in paths if p not in ignored):
                github_annotation('error', path, f'omk-sync: managed file {what}; stage the change')


_CONFLICTS = {
    'sidecar': 'conflict: kept your edit, new version written beside it as .omk-new',
    'markers': '{prefix}conflict: your edit and the new bundled version change the same lines; conflict markers '
               'written into the file (backup first): resolve them, then run omk-kimi accept {path}',
    'unresolved': 'conflict: still holds conflict markers; resolve them, then run omk-kimi accept {path}',
}


def print_accept(report: AcceptReport) -> None:
    would = 'would be ' if report.dry_run else ''
    print_lines([(p, would + "accepted: the project's version now (check passes, sync keeps it)", 'green')
                 for p in report.accepted])
    print_lines([(p, would + 'accepted as deleted: sync will not bring it back (sync --force does)', 'green')
                 for p in report.deleted])
    print_lines([(p, 'already as recorded, nothing to accept', 'green') for p in report.unchanged])
    _print_labelled(report.refused, 'not accepted', 'red', joint=': ')
    print(f'accept: {len(report.accepted)} edits and {len(report.deleted)} deletions '
          f'{"to record" if report.dry_run else "recorded"}, {len(report.refused)} refused'
          + (' (dry run)' if report.dry_run else ''))


def print_forget(report: ForgetReport) -> None:
    would = 'would be ' if report.dry_run else ''
    print_lines([(p, would + 'forgotten: no longer managed, left on disk (omk-kimi install manages it again)',
                  'green') for p in report.forgotten])
    print_lines([(p, 'already not managed', 'green') for p in report.unchanged])
    print(f'forget: {len(report.forgotten)} files {"to forget" if report.dry_run else "forgotten"}'
          + (' (dry run)' if report.dry_run else ''))


_ANNOTATION_HINTS = {
    'sidecar': 'merge the .omk-new file beside it',
    'markers': 'resolve the conflict markers written into it, then run omk-kimi accept {path}',
    'unresolved': 'resolve the conflict markers in it, then run omk-kimi accept {path}',
}
def _print_backups(backups: list[str]) -> None:
    for backup in backups:
        print(f'{quote_path(backup)}: backup of the file it replaced')


def print_rollback(report: RollbackReport, *, manifest_shown: str) -> None:
    prefix = 'would be ' if report.dry_run else ''
    _print_labelled(report.hooks_removed, prefix + 'removed', 'green')
    _print_labelled(report.hooks_kept, 'kept', 'yellow')
    if report.manifest_missing:
        print(f'{quote_path(manifest_shown)}: no manifest, nothing to roll back')
        return
    print_lines([(p, prefix + 'restored from backup', 'green') for p in report.restored])
    print_lines([(p, prefix + 'removed', 'green') for p in report.removed])
    _print_labelled(report.skipped, 'kept', 'yellow', split=' (', joint=' (')
    for error in report.errors:
        print(f'error: {one_line(error)}')
    print(f'rollback: {len(report.restored)} restored, {len(report.removed)} removed, {len(report.skipped)} kept'
          + (f', {len(report.errors)} errors' if report.errors else '')
          + (' (dry run)' if report.dry_run else ''))


def print_migrate(report: MigrateReport) -> None:
    dry_run = report.dry_run
    prefix = 'would be ' if dry_run else ''
    bundle = report.bundle
    print_lines([(p, prefix + 'created (bundled)', 'green') for p in bundle.created])
    print_lines([(p, prefix + 'updated (bundled)', 'green') for p in bundle.updated])
    print_lines([(p, 'conflict: kept your edit, bundled version written beside it as .omk-new', 'red')
                 for p in bundle.conflicts])
    print_lines([(p, prefix + 'created (converted)', 'green') for p in report.created])
    print_lines([(p, prefix + 'updated with your edit from .kimi/ (omk-kimi check reports it as a local edit)',
                  'yellow') for p in report.carried_edits])
    print_lines([(p, 'conflict: kept the existing file, converted version written beside it as .omk-new', 'red')
                 for p in report.conflicts])
    print_lines([(p, 'backup of the earlier .omk-new copy it replaced', 'yellow') for p in report.backups_created])
    _print_labelled(report.skipped, 'not migrated', 'red', joint=': ')
    _print_labelled(report.notes, 'note', 'yellow', joint=': ')
    written = len(bundle.created) + len(bundle.updated) + len(report.created) + len(report.carried_edits)
    print(f'migrate: {written} files {"to write" if dry_run else "written"}, '
          f'{len(report.conflicts) + len(bundle.conflicts)} conflicts, {len(report.skipped)} not migrated, '
          f'{len(report.notes)} notes; .kimi/ was left unchanged' + (' (dry run)' if dry_run else ''))


def print_hooks(report: HooksReport, action: str) -> None:
    from omk_precommit.render.findings import finding_line  # here: the check path never renders findings

    config = quote_path(report.config)
    if report.reason:
        print(f'{config}: chosen because {one_line(report.reason)}')
    if report.no_record:
        print(f'{config}: no omk hooks record beside it, nothing to disable')
    would = 'would be ' if report.dry_run else ''
    groups = (
        (report.added, would + 'added', 'green'), (report.present, 'already present', None),
        (report.removed, would + 'removed', 'green'), (report.gone, 'already gone', None),
        (report.edited, 'kept: edited since hooks enable, it is yours now', 'yellow'),
        (report.stuck, 'kept: cannot be removed without reformatting the file; remove it by hand', 'red'),
    )
    for tables, message, colour in groups:
        for table in tables:
            print(f'{config}: {paint(message, colour) if colour else message} {one_line(table)}')
    for finding in report.findings:
        print(finding_line(finding, paint, path=report.config))
    for finding in report.preexisting:
        print(f'{config}: {paint("warning", "yellow")}: already in the file before hooks {action}, '
              f'left as it was: {finding_line(finding, path="")}')
    if action == 'enable':
        done = f'{len(report.added)} added, {len(report.present)} already present'
    else:
        done = f'{len(report.removed)} removed, {len(report.edited) + len(report.stuck)} kept'
    if report.created_file:
        done += ' (file created)'
    if report.deleted_file:
        done += ' (file deleted: enable had created it)'
    print(f'hooks {action}: {done}' + (' (dry run)' if report.dry_run else ''))
