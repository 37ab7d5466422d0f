"""The bundled asset set of each runtime: every file omk-precommit installs, as data.

Every runtime gets the same roles, prompts, hook scripts and skills from ``bundle/``; the
runtime object decides how an agent is written (``Runtime.agent_files``) and which tools the
hooks match.
"""
from __future__ import annotations

import functools

from omk_precommit.bundle.agents import default_role_agents
from omk_precommit.bundle.resources import asset_bytes, asset_names
from omk_precommit.engine.asset import BundledAsset
from omk_precommit.engine.manifest import EntryKind
from omk_precommit.runtimes.hookdefs import default_project_hooks
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime


@functools.cache
def _bundled(runtime: Runtime) -> tuple[BundledAsset, ...]:
    base = runtime.base_dir
    assets = [BundledAsset(f'{base}/{rel}', kind, content)
              for agent in default_role_agents() for rel, kind, content in runtime.agent_files(agent)]
    hooks = default_project_hooks(runtime=runtime)
    for script in hooks.scripts:
        assets.append(BundledAsset(f'{base}/hooks/{script.name}', EntryKind.HOOK_SCRIPT,
                                   script.content.encode(), executable=True))
    assets.append(BundledAsset(f'{base}/hooks.toml.example', EntryKind.HOOK_CONFIG, hooks.to_toml().encode()))
    for skill in asset_names('skills'):
        assets.append(BundledAsset(f'{base}/skills/{skill}/SKILL.md', EntryKind.SKILL,
                                   asset_bytes(f'skills/{skill}/SKILL.md')))
    return tuple(sorted(assets, key=lambda a: a.path))


def bundled_assets(runtime: Runtime | str = DEFAULT_RUNTIME) -> tuple[BundledAsset, ...]:
    """Every bundled file of ``runtime``, sorted by path."""
    return _bundled(get_runtime(runtime))


def bundled_by_path(runtime: Runtime | str = DEFAULT_RUNTIME) -> dict[str, BundledAsset]:
    return {asset.path: asset for asset in bundled_assets(runtime)}
