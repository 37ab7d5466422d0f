"""omk-precommit: install, sync, roll back and check the Kimi CLI assets of a project.

The public API is re-exported here lazily, so that ``omk-kimi check`` pays only for the
modules it uses.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = '0.1.0'

_EXPORTS = {
    'install_project_assets': 'install', 'install_user_assets': 'install',
    'sync_project_assets': 'sync', 'sync_user_assets': 'sync',
    'rollback': 'rollback', 'rollback_user_assets': 'rollback',
    'enable_hooks': 'hooks_config', 'disable_hooks': 'hooks_config', 'diagnose_hooks_enabled': 'hooks_diag',
    'diagnose_project': 'doctor',
    'AgentSpec': 'agents', 'RoleAgent': 'agents', 'default_role_agents': 'agents', 'write_agent_to_dir': 'agents',
    'HookEvent': 'hookdefs', 'HookConfig': 'hookdefs', 'ProjectHookDefs': 'hookdefs',
    'default_project_hooks': 'hookdefs',
    'AssetManifest': 'manifest', 'EntryKind': 'manifest',
    'compute_checksum': 'checksum', 'is_identical': 'checksum',
    'maybe_backup': 'backup',
    'RolePack': 'role_packs',
    'DiagResult': 'doctor', 'Severity': 'doctor',
    'InstallReport': 'reports', 'SyncReport': 'reports', 'SyncScope': 'reports', 'RollbackReport': 'reports',
    'OmkError': 'errors',
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    return getattr(importlib.import_module(f'{__name__}.{module}'), name)
