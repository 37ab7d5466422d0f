"""The bundled asset set of each target: every file omk-precommit installs, as data."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from omk_precommit.bundle.agents import default_role_agents
from omk_precommit.bundle.hookdefs import default_project_hooks
from omk_precommit.bundle.resources import asset_bytes, asset_names
from omk_precommit.engine.manifest import EntryKind
from omk_precommit.runtimes.kimi_code.agents import kimi_code_agent
from omk_precommit.runtimes.registry import BASE_DIRS, KIMI_CLI, KIMI_CODE, TARGETS, get_target

__all__ = ['BASE_DIRS', 'KIMI_CLI', 'KIMI_CODE', 'TARGETS', 'BundledAsset', 'bundled_assets', 'bundled_by_path']


@dataclass(frozen=True)
class BundledAsset:
    """One file to install: project-relative path, manifest kind, bytes, executable bit."""

    path: str
    kind: EntryKind
    content: bytes
    executable: bool = False

    @property
    def mode(self) -> int:
        return 0o755 if self.executable else 0o644


@functools.cache
def bundled_assets(target: str = KIMI_CLI) -> tuple[BundledAsset, ...]:
    """Every bundled file of ``target``, sorted by path.

    Both targets get the same roles, prompts, hook scripts and skills; only the agent format
    differs: ``agents/<id>/agent.yaml`` + ``system.md`` for kimi-cli, ``agents/<id>.md`` for
    kimi-code.
    """
    base = get_target(target).base_dir
    assets = []
    for agent in default_role_agents():
        if target == KIMI_CODE:
            assets.append(BundledAsset(f'{base}/agents/{agent.id}.md', EntryKind.AGENT_SPEC,
                                       kimi_code_agent(agent).to_markdown().encode()))
            continue
        assets.append(BundledAsset(f'{base}/agents/{agent.id}/agent.yaml', EntryKind.AGENT_SPEC,
                                   agent.spec().to_yaml().encode()))
        assets.append(BundledAsset(f'{base}/agents/{agent.id}/system.md', EntryKind.AGENT_PROMPT,
                                   agent.system_prompt.encode()))
    hooks = default_project_hooks(target=target)
    for script in hooks.scripts:
        assets.append(BundledAsset(f'{base}/hooks/{script.name}', EntryKind.HOOK_SCRIPT,
                                   script.content.encode(), executable=True))
    assets.append(BundledAsset(f'{base}/hooks.toml.example', EntryKind.HOOK_CONFIG, hooks.to_toml().encode()))
    for skill in asset_names('skills'):
        assets.append(BundledAsset(f'{base}/skills/{skill}/SKILL.md', EntryKind.SKILL,
                                   asset_bytes(f'skills/{skill}/SKILL.md')))
    return tuple(sorted(assets, key=lambda a: a.path))


def bundled_by_path(target: str = KIMI_CLI) -> dict[str, BundledAsset]:
    return {asset.path: asset for asset in bundled_assets(target)}
