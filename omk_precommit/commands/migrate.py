"""``migrate --to kimi-code``: write the project's Kimi CLI agents and skills as Kimi Code ones.

First the kimi-code bundle is synced (as ``sync --target kimi-code``: created where missing,
recorded in ``.kimi-code/omk-manifest.json``). Then every ``.kimi/agents/<id>/agent.yaml`` is
converted to ``.kimi-code/agents/<id>.md`` and every user skill under ``.kimi/skills`` is copied.

- A bundled role converts to exactly the bundled kimi-code file unless it was edited under
  ``.kimi/``; then the edit is carried over onto the managed file, so it shows as a local edit
  (``omk-kimi check`` reports it, ``sync`` keeps it) just as it did under ``.kimi/``.
- The user's own agents and skills are written but not recorded in the manifest: they are
  the user's files, so check, sync and rollback leave them alone, as they did under ``.kimi/``.
- Nothing under ``.kimi/`` is changed. A file already in ``.kimi-code/`` with other content is
  kept; the converted version is written beside it as ``<file>.omk-new`` (a conflict, exit 1).
"""
from __future__ import annotations

import argparse
import enum
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from omk_precommit.bundle.agents import default_role_agents
from omk_precommit.commands.base import EXIT_CLEAN, EXIT_FOUND, add_common, add_dry_run, project_root
from omk_precommit.commands.sync import sync_project_assets
from omk_precommit.engine.backup import backup_path_for, write_backup
from omk_precommit.engine.fsutil import TMP_MARKER, NotRegularFileError, atomic_write, project_lock, read_regular
from omk_precommit.engine.manifest import read_managed
from omk_precommit.engine.paths import is_inside_asset_dir, is_inside_root, resolve_managed
from omk_precommit.engine.plan import CONFLICT_SUFFIX
from omk_precommit.engine.reports import SyncReport
from omk_precommit.errors import OmkError
from omk_precommit.render import text
from omk_precommit.render.output import print_json
from omk_precommit.runtimes.bundled import bundled_by_path
from omk_precommit.runtimes.kimi_cli.agentspec import resolve_agent_spec
from omk_precommit.runtimes.kimi_code.convert import complete_skill_frontmatter, convert_agent, read_prompt
from omk_precommit.runtimes.kimi_code.rules import check_agent_file, check_skill_file
from omk_precommit.runtimes.kimi_code.runtime import RUNTIME as KIMI_CODE
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, get_runtime

SOURCE, DEST = get_runtime(KIMI_CODE.migrates_from or '').base_dir, KIMI_CODE.base_dir
_NOT_COPIED = ('.omk-backup-', CONFLICT_SUFFIX, TMP_MARKER)


class StepKind(str, enum.Enum):
    CREATE = 'create'
    UNCHANGED = 'unchanged'
    CARRY_EDIT = 'carry-edit'  # a bundled role edited under .kimi/: the edit goes onto the managed file
    CONFLICT = 'conflict'      # the destination holds something else: keep it, write .omk-new beside


@dataclass(frozen=True)
class Step:
    kind: StepKind
    path: str
    source: str
    content: bytes
    mode: int = 0o644


@dataclass(frozen=True)
class MigrateReport:
    """What migrate wrote (or, with ``dry_run``, would write) and what did not carry over."""

    created: list[str] = field(default_factory=list)
    carried_edits: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # 'source: why it could not be converted'
    backups_created: list[str] = field(default_factory=list)  # earlier .omk-new copies, kept before replacing
    notes: list[str] = field(default_factory=list)     # 'path: what did not carry over'
    bundle: SyncReport = field(default_factory=SyncReport)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data['bundle'] = self.bundle.to_json()
        return data


def _disk(root: Path, rel: str, overlay: dict[str, bytes]) -> bytes | None:
    return overlay[rel] if rel in overlay else read_managed(root, rel)


def _step(root: Path, rel: str, source: str, content: bytes, overlay: dict[str, bytes], mode: int = 0o644) -> Step:
    disk = _disk(root, rel, overlay)
    if disk is None:
        kind = StepKind.CREATE
    elif disk == content:
        kind = StepKind.UNCHANGED
    elif (bundled := bundled_by_path(KIMI_CODE).get(rel)) is not None and disk == bundled.content:
        kind = StepKind.CARRY_EDIT
    else:
        kind = StepKind.CONFLICT
    return Step(kind, rel, source, content, mode)


class _Conversion(NamedTuple):
    """A file migrate will write: where, from which source, with which bytes and mode."""

    path: str
    source: str
    content: bytes
    mode: int = 0o644


def _require_utf8_name(rel: str) -> None:
    try:
        rel.encode('utf-8')
    except UnicodeEncodeError:
        shown = rel.encode('utf-8', 'surrogateescape').decode('utf-8', 'backslashreplace')
        raise OmkError(f'{shown}: name is not valid UTF-8, so Kimi Code cannot load it; '
                       'rename it, then run omk-kimi migrate again (nothing was written)') from None


def _agent_conversions(root: Path, report: MigrateReport) -> list[_Conversion]:
    roles = {role.id: role for role in default_role_agents()}
    agents_dir = root / SOURCE / 'agents'
    conversions = []
    for spec_path in sorted(agents_dir.glob('*/agent.yaml')):
        agent_id = spec_path.parent.name
        source = f'{SOURCE}/agents/{agent_id}/agent.yaml'
        _require_utf8_name(source)
        if not is_inside_asset_dir(root, source):
            report.skipped.append(f'{source}: resolves outside {SOURCE}/ through a symlink; not read')
            continue
        try:
            spec = resolve_agent_spec(spec_path, root, lenient=True)
            if spec.prompt_file is not None and not is_inside_root(root, spec.prompt_file):
                raise OmkError(f'{source}: its system prompt lies outside the project root; not read')
            prompt = read_prompt(spec)
        except OmkError as e:
            report.skipped.append(str(e))
            continue
        except (OSError, UnicodeDecodeError) as e:
            report.skipped.append(f'{source}: cannot read its system prompt ({e})')
            continue
        conversion = convert_agent(agent_id, spec, prompt, roles.get(agent_id))
        rel = f'{DEST}/agents/{agent_id}.md'
        report.notes.extend(f'{rel}: {note}' for note in conversion.notes)
        report.notes.extend(str(p) for p in check_agent_file(rel, conversion.content))
        conversions.append(_Conversion(rel, source, conversion.content))
    return conversions


def _skill_files(root: Path, skills: Path) -> list[Path]:
    """Regular files of the user's skills (directories and flat ``.md``), symlinks left out.

    Everything is judged before migrate writes anything: a directory that cannot be listed, a
    name that is not UTF-8, or a FIFO, socket or device among the files is a one-line OmkError.
    """
    def cannot_list(e: OSError) -> None:
        raise OmkError(f'{_safe_text(_shown(root, Path(e.filename)))}: cannot list ({e.strerror}); fix its permissions, '
                       'then run omk-kimi migrate again (nothing was written)')

    files = []
    for dirpath, dirnames, filenames in os.walk(skills, onerror=cannot_list):
        dirnames[:] = sorted(d for d in dirnames if not os.path.islink(os.path.join(dirpath, d)))
        for name in sorted(filenames) + dirnames:
            _require_utf8_name(_shown(root, Path(dirpath, name)))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if not path.is_symlink() and not any(marker in name for marker in _NOT_COPIED):
                files.append(path)
    return files


def _shown(root: Path, path: Path) -> str:
    return os.path.relpath(path, root)


def _read_skill_file(root: Path, path: Path) -> bytes:
    try:
        return read_regular(path)
    except NotRegularFileError as e:
        raise OmkError(f'{_safe_text(_shown(root, path))}: {e.strerror}; a skill holds regular files only, move it '
                       'aside and run omk-kimi migrate again (nothing was written)') from None
    except OSError as e:
        raise OmkError(f'{_safe_text(_shown(root, path))}: cannot read ({e.strerror}); fix its permissions, '
                       'then run omk-kimi migrate again (nothing was written)') from None


def _safe_text(text: str) -> str:
    return text.encode('utf-8', 'surrogateescape').decode('utf-8', 'backslashreplace')


def _skill_conversions(root: Path, report: MigrateReport) -> list[_Conversion]:
    skills = root / SOURCE / 'skills'
    if not skills.is_dir() or not is_inside_asset_dir(root, f'{SOURCE}/skills'):
        return []
    bundled = {p.split('/')[2] for p in bundled_by_path(KIMI_CODE) if p.startswith(f'{DEST}/skills/')}
    conversions = []
    for path in _skill_files(root, skills):
        sub = path.relative_to(skills).as_posix()
        top = sub.split('/')[0]
        if top in bundled or (path.parent == skills and path.suffix != '.md'):
            continue
        rel = f'{DEST}/skills/{sub}'
        content = _read_skill_file(root, path)
        if path.name == 'SKILL.md' and path.parent.parent == skills:
            try:
                text, notes = complete_skill_frontmatter(content.decode('utf-8'), path.parent.name)
            except UnicodeDecodeError:
                text, notes = '', ()
            if notes:
                content = text.encode()
                report.notes.extend(f'{rel}: {note}' for note in notes)
        if path.name == 'SKILL.md' or path.parent == skills:
            report.notes.extend(str(p) for p in check_skill_file(rel, content))
        mode = 0o755 if os.access(path, os.X_OK) else 0o644
        conversions.append(_Conversion(rel, f'{SOURCE}/skills/{sub}', content, mode))
    return conversions


def migrate_to_kimi_code(root: Path, *, dry_run: bool = False) -> MigrateReport:
    """Write ``.kimi-code/`` from ``.kimi/`` under ``root`` (see the module docstring).

    Every source is read and judged before anything is written: an unreadable skill, a FIFO
    in one, or a name that is not UTF-8 is one OmkError (exit 2) with the project untouched.
    """
    if not (root / SOURCE / 'agents').is_dir() and not (root / SOURCE / 'skills').is_dir():
        raise OmkError(f'{SOURCE}/agents: not found, so there is nothing to migrate; '
                       f'run {KIMI_CODE.command("install")} for the bundled assets')
    report = MigrateReport(dry_run=dry_run)
    conversions = _agent_conversions(root, report) + _skill_conversions(root, report)
    bundle = sync_project_assets(root, target=KIMI_CODE, dry_run=dry_run, sidecar=True,  # never merges into .kimi-code/
                                 require_manifest=False)
    report = replace(report, bundle=bundle)
    # In a dry run the bundle was not written; plan as if it had been.
    overlay = {}
    if dry_run:
        assets = bundled_by_path(KIMI_CODE)
        overlay = {p: assets[p].content for p in bundle.created + bundle.updated}
    steps = [_step(root, c.path, c.source, c.content, overlay, c.mode) for c in conversions]
    for step in steps:
        {StepKind.CREATE: report.created, StepKind.UNCHANGED: report.unchanged,
         StepKind.CARRY_EDIT: report.carried_edits, StepKind.CONFLICT: report.conflicts}[step.kind].append(step.path)
    if not dry_run:
        _apply(root, steps, report)
    return report


def _apply(root: Path, steps: list[Step], report: MigrateReport) -> None:
    with project_lock(root):
        for step in steps:
            target = resolve_managed(root, step.path, DEST)
            if step.kind in (StepKind.CREATE, StepKind.CARRY_EDIT):
                atomic_write(target, step.content, mode=step.mode)
            elif step.kind is StepKind.CONFLICT:
                copy = resolve_managed(root, step.path + CONFLICT_SUFFIX, DEST)
                current = read_managed(root, step.path + CONFLICT_SUFFIX)
                if current == step.content:
                    continue  # written by an earlier migrate: nothing to do
                if current is not None:
                    # An earlier copy, perhaps edited by the user: kept before it is replaced.
                    backup = backup_path_for(copy)
                    write_backup(copy, backup)
                    report.backups_created.append(backup.relative_to(root).as_posix())
                atomic_write(copy, step.content, mode=step.mode)


HELP = f'write {DEST}/ ({KIMI_CODE.product}) from the {SOURCE}/ agents and skills'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument('--to', choices=(KIMI_CODE.name,),
                        help=f'the runtime to migrate to (the same as --target {KIMI_CODE.name})')
    add_dry_run(parser)


def run(args: argparse.Namespace) -> int:
    destination = get_runtime(args.to or args.target or DEFAULT_RUNTIME)
    if destination.migrates_from is None:
        raise OmkError(f'migrate: say where to, with --to {KIMI_CODE.name} (the only runtime migrate writes)')
    report = migrate_to_kimi_code(project_root(args), dry_run=args.dry_run)
    if args.json:
        print_json(report.to_json())
    else:
        text.print_migrate(report)
    return EXIT_FOUND if report.conflicts or report.skipped or report.bundle.conflicts else EXIT_CLEAN
