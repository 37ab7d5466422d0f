"""Doctor checks for Kimi configs: are the bundled hooks enabled where Kimi reads them, and will it load the file?

Returns plain :class:`HookDiag` records the doctor wraps into its own results. A broken project
``.kimi/config.toml`` is an error (it is part of the commit); a broken user config is a
warning, because the machine's state must not block a team's commit. A machine without any
Kimi home (CI) is not asked to have hooks enabled.

The runtime decides which configs count: its project config if it reads one (the Kimi CLI's
``.kimi/config.toml``) and the user configs of ``Runtime.user_configs_considered`` (for Kimi Code
only ``$KIMI_CODE_HOME/config.toml``, the only one it reads), each judged by its reader's rules.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from omk_precommit.engine.fsutil import read_regular
from omk_precommit.errors import OmkError
from omk_precommit.kimi_config.enable import describe, user_hooks_target
from omk_precommit.kimi_config.files import target_for_config
from omk_precommit.kimi_config.records import HooksRecord
from omk_precommit.kimi_config.toml_hooks import existing_hooks, hook_identity
from omk_precommit.kimi_config.validate import config_findings
from omk_precommit.runtimes.hookdefs import bundled_hook_tables, default_project_hooks
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime
from omk_precommit.runtimes.user_scope import UserScope, user_scope


@dataclass(frozen=True)
class HookDiag:
    """One finding: severity ``ok`` / ``warning`` / ``error``, the file, the message, the command that fixes it."""

    severity: str
    path: str
    message: str
    fix: str | None = None


@dataclass(frozen=True)
class _Config:
    path: Path
    shown: str
    runtime: Runtime
    project: bool


def _configs(root: Path, runtime: Runtime) -> list[_Config]:
    configs = []
    if runtime.project_config is not None and (root / runtime.project_config).is_file():
        project = root / runtime.project_config
        configs.append(_Config(project, runtime.project_config, target_for_config(project), True))
    for reader in runtime.user_configs_considered():
        path = reader.config_file()
        if path.is_file():
            configs.append(_Config(path, str(path), reader, False))
    return configs


Identities = set[Optional[tuple[str, str, str]]]


def _in_dir(directory: str) -> Callable[[str], str]:
    return lambda name: f'{directory}/{name}'


def _bundled(config: _Config) -> list[tuple[UserScope | None, Identities]]:
    """(the user scope whose scripts it runs, or None; identities) of each table set that counts
    as "the bundled hooks" here. Kimi Code's config runs its own user scripts, or (written by an
    older ``hooks enable --user``) the Kimi CLI's: still counted, and reported by ``_foreign_scripts``."""
    runtime = config.runtime
    # Its own scripts first (a tie goes to the first), then the default runtime's.
    owners = list(dict.fromkeys((runtime, DEFAULT_RUNTIME)))
    relative = {hook_identity(t) for owner in owners for t in bundled_hook_tables(runtime, _in_dir(owner.hooks_dir))}
    if config.project:
        return [(None, relative)]
    scopes = [user_scope(owner) for owner in owners]
    return [(scope, {hook_identity(t) for t in bundled_hook_tables(runtime, scope.hook_command)})
            for scope in scopes] + [(None, relative)]


def diagnose_hooks_enabled(root: Path, target: Runtime | str = DEFAULT_RUNTIME) -> list[HookDiag]:
    """Validity of every config of the runtime ``target`` that applies to ``root``, and whether the bundled
    hooks are enabled in one."""
    runtime = get_runtime(target)
    results: list[HookDiag] = []
    best: _Best | None = None
    for config in _configs(root, runtime):
        try:
            text = read_regular(config.path).decode('utf-8')
        except (OSError, UnicodeDecodeError) as e:
            results.append(HookDiag('error' if config.project else 'warning', config.shown, f'cannot read as UTF-8 ({e})'))
            continue
        findings = config_findings(text, config.runtime, config.shown)
        for f in findings:
            severity = 'warning' if f.severity == 'warning' or not config.project else 'error'
            results.append(HookDiag(severity, config.shown, f'{config.runtime.product} would reject it: {f.message}'
                                    if f.severity == 'error' else f.message, 'fix the file, then run omk-kimi doctor'))
        if not findings:
            results.append(HookDiag('ok', config.shown, f'valid {config.runtime.product} config'))
        try:
            present = {hook_identity(h) for h in existing_hooks(text, config.shown)}
        except OmkError:
            continue
        for scope, wanted in _bundled(config):
            found = len(wanted & present)
            if best is None or found > best.found:
                best = _Best(found, len(wanted), config, scope)
        results += _record_findings(config, text)
    results += _enablement(best, runtime)
    if best is not None and best.found and best.scope is not None:
        owner = best.config.runtime if best.scope == user_scope(best.config.runtime) else DEFAULT_RUNTIME
        results += _user_scripts(best.scope, owner) + _foreign_scripts(best)
    return results


@dataclass(frozen=True)
class _Best:
    """The config holding the most bundled hooks."""

    found: int
    total: int
    config: _Config
    scope: UserScope | None  # the user scope whose scripts the hooks run, None for project scripts


def _enablement(best: _Best | None, runtime: Runtime) -> list[HookDiag]:
    if best is None or best.found == 0:
        readers = runtime.user_configs_considered()
        if best is None and not any(reader.home().is_dir() for reader in readers):
            products = ' or '.join(reader.product for reader in readers)
            return [HookDiag('ok', '-', f'no {products} config on this machine; hook enablement not checked')]
        # With several readers, the one the user has (hooks enable --user without --target picks it too).
        chosen = user_hooks_target(runtime if len(readers) == 1 else None)
        fix = chosen.runtime.command('hooks enable --user')
        return [HookDiag('warning', str(chosen.config), 'the bundled hooks are not enabled in any config '
                         f'{chosen.runtime.product} reads, so they never run', fix)]
    found, total, config = best.found, best.total, best.config
    where = (' (read when kimi is started with --config-file .kimi/config.toml)' if config.project else '')
    if found < total:
        fix = (f'omk-kimi hooks enable --config {config.shown}' if config.project
               else config.runtime.command('hooks enable --user'))
        return [HookDiag('warning', config.shown, f'only {found} of {total} bundled hooks are enabled{where}', fix)]
    return [HookDiag('ok', config.shown, f'the bundled hooks are enabled{where}')]


def _record_findings(config: _Config, text: str) -> list[HookDiag]:
    try:
        record = HooksRecord.load(config.path)
        hooks = existing_hooks(text, config.shown)
    except OmkError as e:
        return [HookDiag('warning', config.shown, str(e))]
    if record is None:
        return []
    results = []
    for insertion in record.insertions:
        table = insertion.table
        if table not in hooks and any(isinstance(h, dict) and (h.get('event'), h.get('command')) ==
                                      (table.get('event'), table.get('command')) for h in hooks):
            results.append(HookDiag('warning', config.shown, f'{describe(table)} was edited after omk-kimi hooks enable; '
                                    'hooks disable will leave it in place'))
    return results


def _user_scripts(scope: UserScope, runtime: Runtime) -> list[HookDiag]:
    fix = runtime.command('sync --user')
    return [
        HookDiag('warning', str(script), 'a user hook runs this script, but it is missing or not executable, '
                 'so the hook fails open', fix)
        for script in (scope.hook_script(s.name) for s in default_project_hooks().scripts)
        if not os.access(script, os.X_OK)
    ]


def _foreign_scripts(best: _Best) -> list[HookDiag]:
    """Kimi Code's config running the Kimi CLI's user scripts (what ``hooks enable --user`` wrote before
    it kept to one target): they work, but ``sync --user --target kimi-code`` does not update them."""
    runtime = best.config.runtime
    if best.scope is None or best.scope == user_scope(runtime):
        return []
    return [HookDiag('warning', best.config.shown, f'the bundled hooks here run the {DEFAULT_RUNTIME.product} user scripts '
                     f'in {best.scope.directory}/hooks, not {runtime.product}\'s',
                     ' && '.join(runtime.command(c) for c in ('hooks disable --user', 'install --user', 'hooks enable --user')))]
