"""Curated role packs: the prompts and defaults a team of agents is assembled from."""
from __future__ import annotations

from dataclasses import dataclass

from omk_precommit.bundle.agents import AGENT, READ_TOOLS, SHELL, TODO, WRITE_TOOLS
from omk_precommit.bundle.resources import asset_text

REQUIRED_SECTIONS = ('## Instruction Hierarchy', 'AGENTS.md', '## Anti-Slop', '## Review Discipline')


@dataclass(frozen=True)
class RolePack:
    """A role's id, display name, description, prompt, tools, default skills and worker count."""

    id: str
    name: str
    description: str
    tools: tuple[str, ...]
    default_skills: tuple[str, ...]
    suggested_workers: int

    @property
    def suggested_worker_count(self) -> int:
        """omk 0.5.0's name for ``suggested_workers``."""
        return self.suggested_workers

    @property
    def system_prompt(self) -> str:
        return asset_text(f'role-packs/{self.id}.md')

    @staticmethod
    def all() -> list[RolePack]:
        return list(_PACKS)

    @staticmethod
    def find(role_id: str) -> RolePack | None:
        """The pack whose id is ``role_id`` (case-insensitive), or None."""
        wanted = role_id.strip().lower()
        return next((pack for pack in _PACKS if pack.id == wanted), None)


_SKILLS = ('omk-managed-assets',)
_PACKS = (
    RolePack('architect', 'Architect', 'Turns a request into a plan workers can run in parallel.',
             (*READ_TOOLS, SHELL, TODO), _SKILLS, 1),
    RolePack('executor', 'Executor', 'Implements one slice of the plan and tests it.',
             (*READ_TOOLS, *WRITE_TOOLS, SHELL, TODO), _SKILLS, 3),
    RolePack('verifier', 'Verifier', 'Proves or disproves that the change meets its criteria.',
             (*READ_TOOLS, SHELL, TODO), (), 1),
    RolePack('reviewer', 'Reviewer', 'Reviews the combined diff before it is merged.',
             (*READ_TOOLS, SHELL), (), 1),
    RolePack('integrator', 'Integrator', 'Merges the slices into one consistent change.',
             (*READ_TOOLS, *WRITE_TOOLS, SHELL, TODO, AGENT), _SKILLS, 1),
)
