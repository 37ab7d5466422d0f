"""``hooks enable`` / ``hooks disable``: the bundled ``[[hooks]]`` in a real Kimi config, reversibly.

``enable`` splices the missing bundled tables into the config (every other byte kept) and
records each splice beside it (``hooks_record``); ``disable`` undoes exactly the recorded
splices whose tables are still as added, reports the ones the user edited, and deletes the
file (and the directories) enable created. Both hold a lock on the config's directory and
write atomically, record first on enable, config first on disable, so a crash leaves at worst a
record naming tables that are not there, which the next run reports as gone.

Commands: a project config (``--config``) runs the project's scripts by relative path, as in
``.kimi/hooks.toml.example`` (Kimi runs hooks from the session's work dir, the project root when
started with ``kimi --config-file .kimi/config.toml``). A user config applies to every project,
so it runs the user's own copies (``install --user``) by absolute path: never a script that
whatever repository you opened happens to contain, and never a silently missing safety gate.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from omk_precommit.engine.findings import Finding
from omk_precommit.engine.fsutil import atomic_write, fsync_dir, project_lock, read_if_exists
from omk_precommit.engine.gitutil import find_root
from omk_precommit.engine.paths import is_inside_root
from omk_precommit.errors import OmkError
from omk_precommit.kimi_config.files import ConfigChoice, target_for_config, user_config
from omk_precommit.kimi_config.records import RECORD_SUFFIX, HooksRecord, record_path
from omk_precommit.kimi_config.toml_hooks import Removal, add_tables, hook_identity, remove_tables
from omk_precommit.kimi_config.validate import config_findings
from omk_precommit.runtimes.hookdefs import HookTable, bundled_hook_tables, default_project_hooks
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, RUNTIMES, Runtime, get_runtime
from omk_precommit.runtimes.user_scope import user_scope


@dataclass(frozen=True)
class HooksTarget:
    """A config to enable the bundled hooks in: which runtime reads it, the tables, the scripts they run."""

    config: Path
    runtime: Runtime
    tables: tuple[HookTable, ...]
    scripts: tuple[Path, ...]
    reason: str
    install_hint: str


def user_hooks_target(target: Runtime | str | None = None) -> HooksTarget:
    """The user config of ``target``'s CLI (without one: of the CLI this user has), with commands
    running the user's hook scripts (those ``install --user [--target T]`` put in place)."""
    if target is None:
        # One target throughout: the scripts, matcher and install hint are those of the CLI whose config this is.
        choice = user_config()
        why = f'{choice.reason}, so target {choice.target.name} (its hook scripts, matchers and install hint)'
        choice = replace(choice, reason=why)
    else:
        runtime = get_runtime(target)
        choice = ConfigChoice(runtime, runtime.config_file(), f'--target {runtime.name}: {runtime.product} reads user '
                                                              f'hooks only from ${runtime.home_env}/config.toml')
    name = choice.target.name
    scope = user_scope(name)
    hint = f'omk-kimi install --user --target {name}' if target is not None else choice.target.command('install --user')
    scripts = tuple(scope.hook_script(s.name) for s in default_project_hooks().scripts)
    return HooksTarget(choice.path, choice.target, tuple(bundled_hook_tables(choice.target.name, scope.hook_command)),
                       scripts, choice.reason, hint)


def project_hooks_target(root: Path, config: Path, target: Runtime | str | None = None) -> HooksTarget:
    """``config`` (e.g. ``.kimi/config.toml``) with commands running the project's scripts, relative to its root.

    Without ``target`` the CLI is inferred from the file (Kimi Code's own config, else Kimi CLI).
    """
    runtime = target_for_config(config) if target is None else get_runtime(target)
    hooks_dir = (DEFAULT_RUNTIME if target is None else runtime).hooks_dir
    hint = 'omk-kimi install' + (f' --target {runtime.name}' if target is not None else '')
    scripts = tuple(root / hooks_dir / s.name for s in default_project_hooks().scripts)
    reason = 'named with --config; kimi reads it when started as `kimi --config-file PATH`'
    if target is not None and runtime.project_config is None:
        reason = (f'named with --config; {runtime.product} reads hooks only from ${runtime.home_env}/config.toml '
                  '(see --user)')
    tables = bundled_hook_tables(runtime.name, lambda name: f'{hooks_dir}/{name}')
    return HooksTarget(config.absolute(), runtime, tuple(tables), scripts, reason, hint)


def describe(table: HookTable) -> str:
    matcher = f' {table["matcher"]}' if table.get('matcher') else ''
    return f'[[hooks]] {table.get("event")}{matcher}: {table.get("command")}'


@dataclass(frozen=True)
class HooksReport:
    """What enable or disable did to one config (with ``dry_run``: would do)."""

    config: str
    cli: str
    reason: str = ''
    added: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    created_file: bool = False
    deleted_file: bool = False
    no_record: bool = False
    findings: list[Finding] = field(default_factory=list)       # problems the edit introduced (never expected)
    preexisting: list[Finding] = field(default_factory=list)    # problems the file already had: warnings only
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        """Every field; each finding as the doctor's ``--json`` writes one."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**data, 'findings': [f.to_json() for f in self.findings],
                'preexisting': [f.to_json() for f in self.preexisting]}


def _read_config(path: Path) -> tuple[str, bool]:
    if path.suffix.lower() == '.json':
        raise OmkError(f'{path}: a JSON config; omk-kimi edits TOML only (convert it to config.toml)')
    raw = read_if_exists(path, path)
    if raw is None:
        return '', False
    try:
        return raw.decode('utf-8'), True
    except UnicodeDecodeError:
        raise OmkError(f'{path}: not UTF-8 text; Kimi reads its config as UTF-8, fix the encoding first') from None


def _write_config(path: Path, text: str, existed: bool) -> None:
    # Through a symlink (dotfiles), update the file it points to instead of replacing the link.
    target = Path(os.path.realpath(path))
    atomic_write(target, text.encode('utf-8'), mode=None if existed else 0o600)


def _missing_parents(directory: Path) -> list[Path]:
    missing = []
    while not directory.exists() and directory.parent != directory:
        missing.append(directory)
        directory = directory.parent
    return missing


def split_findings(before: str, after: str, target: str, name: str) -> tuple[list[Finding], list[Finding]]:
    """(problems our edit introduced, problems the file already had) in ``after``.

    A problem that was in the file before the edit is the user's, not ours: it is reported but
    must not fail the command (doctor only warns about a broken user config, too). Problems are
    matched by ``Finding.identity``, which does not change when removing a table renumbers the
    ones after it (``hooks[3]`` before may be ``hooks[2]`` after).
    """
    old = [f.identity for f in config_findings(before, target, name)] if before else []
    ours, already = [], []
    for finding in config_findings(after, target, name):
        if finding.identity in old:
            old.remove(finding.identity)
            already.append(finding)
        else:
            ours.append(finding)
    return ours, already


def enable_hooks(target: HooksTarget, *, dry_run: bool = False) -> HooksReport:
    """Add the bundled tables missing from ``target.config``; a second run changes nothing."""
    unusable = [s for s in target.scripts if not os.access(s, os.X_OK)]
    if unusable:
        raise OmkError(f'{unusable[0]}: hook script missing or not executable; run {target.install_hint} first')
    config = target.config
    if dry_run:
        return _enable(target, created_dirs=0, dry_run=True)
    missing = _missing_parents(config.parent)
    with _os_errors(config):
        config.parent.mkdir(parents=True, exist_ok=True)
        # Only directories inside the config's own tree are recorded: disable removes no others.
        created = min(len(missing), len(_created_dir_candidates(config, config_tree(config))))
        with project_lock(config.parent):
            return _enable(target, created_dirs=created, dry_run=False)


def _enable(target: HooksTarget, *, created_dirs: int, dry_run: bool) -> HooksReport:
    config, name = target.config, str(target.config)
    text, existed = _read_config(config)
    new_text, insertions, present = add_tables(text, list(target.tables), name)
    if insertions and not dry_run:
        old = HooksRecord.load(config)
        added = {hook_identity(i.table) for i in insertions}
        kept = [i for i in old.insertions if hook_identity(i.table) not in added] if old else []
        record = HooksRecord(
            cli=target.runtime.name,
            insertions=tuple(kept + insertions),
            created_file=not existed or bool(old and old.created_file),
            created_parent_dirs=max(created_dirs, old.created_parent_dirs if old else 0),
        )
        record.save(config)
        _write_config(config, new_text, existed)
    findings, preexisting = split_findings(text, new_text, target.runtime.name, name)
    return HooksReport(
        config=name, cli=target.runtime.name, reason=target.reason,
        added=[describe(i.table) for i in insertions], present=[describe(t) for t in present],
        created_file=not existed and bool(insertions), findings=findings, preexisting=preexisting,
        dry_run=dry_run,
    )


def disable_hooks(config: Path, *, dry_run: bool = False, tree: Path | None = None) -> HooksReport:
    """Remove the tables the record beside ``config`` says enable added and that are still as added.

    Directories the record says enable created are removed only inside ``tree``, the config's
    own tree (default: see ``config_tree``), never ``tree`` itself, and only when empty.
    """
    config = config.absolute()
    record = HooksRecord.load(config)
    if record is None:
        return HooksReport(config=str(config), cli=target_for_config(config).name, no_record=True, dry_run=dry_run)
    tree = tree or config_tree(config)
    _check_created_dirs(config, record, tree)
    if dry_run or not config.parent.is_dir():
        return _disable(config, record, dry_run=dry_run, tree=tree)
    with _os_errors(config), project_lock(config.parent):
        return _disable(config, record, dry_run=False, tree=tree)


def config_tree(config: Path) -> Path:
    """The tree a config belongs to, which ``hooks disable`` never removes directories above:
    for a user config, the user's home directory when the CLI's home lies in it, else the
    directory holding the CLI's home; otherwise the git work tree the config lies in."""
    for runtime in RUNTIMES.values():
        if config == runtime.config_file().absolute():
            home, user_home = runtime.home().absolute(), Path.home().absolute()
            return user_home if home.is_relative_to(user_home) and home != user_home else home.parent
    start = next((d for d in config.parents if d.is_dir()), config.parent)
    return find_root(start).absolute()


def _created_dir_candidates(config: Path, tree: Path) -> list[Path]:
    """The config's directory and its ancestors strictly inside ``tree``, nearest first."""
    real_tree = os.path.realpath(tree)
    candidates = []
    for directory in (config.parent, *config.parent.parents):
        real = os.path.realpath(directory)
        if not real.startswith(real_tree.rstrip(os.sep) + os.sep):
            break
        candidates.append(directory)
    return candidates


def _check_created_dirs(config: Path, record: HooksRecord, tree: Path) -> None:
    available = len(_created_dir_candidates(config, tree))
    if record.created_parent_dirs > available:
        raise OmkError(
            f'{record_path(config)}: says hooks enable created {record.created_parent_dirs} directories above '
            f'the config, but only {available} lie inside {tree}; the record is not trustworthy: delete it and '
            'remove the omk [[hooks]] tables from the config by hand',
        )


@contextlib.contextmanager
def _os_errors(config: Path) -> Iterator[None]:
    """A permission or disk problem while writing is one line naming the config, not a traceback."""
    try:
        yield
    except OSError as e:
        raise OmkError(f'{e.filename or config}: cannot write ({e.strerror}); check its permissions') from None


def _disable(config: Path, record: HooksRecord, *, dry_run: bool, tree: Path) -> HooksReport:
    name = str(config)
    text, existed = _read_config(config)
    if existed:
        removal = remove_tables(text, list(record.insertions), name)
    else:
        removal = Removal('', gone=[i.table for i in record.insertions])
    delete_file = existed and record.created_file and removal.text == ''
    if not dry_run:
        if removal.text != text and not delete_file:
            _write_config(config, removal.text, existed)
        if delete_file:
            _unlink(Path(os.path.realpath(config)))
        stuck = [i for i in record.insertions if i.table in removal.stuck]
        if stuck:
            HooksRecord(record.cli, tuple(stuck), record.created_file, record.created_parent_dirs).save(config)
        else:
            _unlink(record_path(config))
            if delete_file or not existed:  # made for the file: while it stays, so do they
                _remove_created_dirs(config, record.created_parent_dirs, tree)
    rules = record.cli if record.cli in RUNTIMES else target_for_config(config).name
    findings, preexisting = ([], []) if delete_file else split_findings(text, removal.text, rules, name)
    return HooksReport(
        config=name, cli=record.cli,
        removed=[describe(t) for t in removal.removed], edited=[describe(t) for t in removal.edited],
        gone=[describe(t) for t in removal.gone], stuck=[describe(t) for t in removal.stuck],
        deleted_file=delete_file, findings=findings, preexisting=preexisting,
        dry_run=dry_run,
    )


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
        fsync_dir(path.parent)


def _remove_created_dirs(config: Path, count: int, tree: Path) -> None:
    """Remove the ``count`` directories enable created, nearest first, stopping at the first that
    is not empty, is a symlink, or is not strictly inside ``tree``."""
    for directory in _created_dir_candidates(config, tree)[:count]:
        if os.path.islink(directory):
            return
        try:
            os.rmdir(directory)
        except OSError:
            return
        fsync_dir(directory.parent)


def recorded_configs(directory: Path, root: Path | None = None) -> list[Path]:
    """Configs in ``directory`` that have a hooks record (if ``root`` is given: only when
    ``directory`` lies inside it and config and record inside ``directory``, symlinks followed)."""
    if not directory.is_dir() or (root is not None and not is_inside_root(root, directory)):
        return []  # not even listed when a link takes it out of the root
    configs = [p.with_name(p.name[:-len(RECORD_SUFFIX)]) for p in sorted(directory.glob('*' + RECORD_SUFFIX))]
    # Inside the asset dir itself: a link such as .kimi/config.toml -> ../README.md is not a config of ours.
    return [c for c in configs
            if root is None or (is_inside_root(directory, c) and is_inside_root(directory, record_path(c)))]


def user_recorded_configs() -> list[Path]:
    """The user configs of both CLIs that have a hooks record."""
    return [t.config_file() for t in RUNTIMES.values() if record_path(t.config_file()).is_file()]
