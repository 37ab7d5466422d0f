"""omk-precommit: install, sync, roll back and check the Kimi CLI assets of a project.

The public API is re-exported here lazily, so that ``omk-kimi check`` pays only for the
modules it uses.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported: the hooks' hot path pays for every module
if TYPE_CHECKING:
    from typing import Any

__version__ = '0.1.0'

_EXPORTS = {
    'commands.install': ('install_project_assets', 'install_user_assets'),
    'commands.sync': ('sync_project_assets', 'sync_user_assets'),
    'commands.rollback': ('rollback', 'rollback_user_assets'),
    'commands.accept': ('accept_project_assets', 'accept_user_assets', 'AcceptReport'),
    'commands.forget': ('forget_project_assets', 'forget_user_assets', 'ForgetReport'),
    'kimi_config.enable': ('enable_hooks', 'disable_hooks'),
    'kimi_config.status': ('diagnose_hooks_enabled',),
    'doctor': ('diagnose_project', 'DiagResult', 'Finding', 'Severity'),
    'bundle.agents': ('AgentSpec', 'RoleAgent', 'default_role_agents', 'write_agent_to_dir'),
    'runtimes.hookdefs': ('HookEvent', 'HookConfig', 'ProjectHookDefs', 'default_project_hooks'),
    'bundle.role_packs': ('RolePack',),
    'engine.manifest': ('AssetManifest', 'EntryKind'),
    'engine.checksum': ('compute_checksum', 'is_identical'),
    'engine.backup': ('maybe_backup',),
    'engine.reports': ('InstallReport', 'SyncReport', 'SyncScope', 'RollbackReport'),
    'errors': ('OmkError',),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    import importlib

    value = getattr(importlib.import_module(f'{__name__}.{module}'), name)
    # Bind it here, so that a submodule named like it (importing ``omk_precommit.rollback`` would
    # set that attribute to the module) cannot shadow it later, and the next lookup is direct.
    globals()[name] = value
    return value
