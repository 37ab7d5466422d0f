"""The Python Kimi CLI (kimi-cli 1.x, archived): ``.kimi/`` in a project, ``$KIMI_SHARE_DIR`` or ``~/.kimi``.

Agents are ``agents/<id>/agent.yaml`` + ``system.md``; hooks may live in a project
``.kimi/config.toml`` that ``kimi --config-file`` reads. Its rules: ``agents``, ``agentspec``,
``skills``, ``config``, ``facts`` beside this module, and the shared hook checks in ``runtimes.hooks``.
"""
from __future__ import annotations

from omk_precommit.runtimes.base import Runtime

TYPE_CHECKING = False  # looked up on every commit: no typing or pathlib at import
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from omk_precommit.bundle.agents import RoleAgent
    from omk_precommit.runtimes.base import AgentFile, CheckGroup


class KimiCli(Runtime):
    name = 'kimi-cli'
    bundle_folder = 'kimi-cli'
    base_dir = '.kimi'
    product = 'Kimi CLI'
    install_hint = 'pip install kimi-cli (archived; Kimi Code is its successor: npm install -g @moonshot-ai/kimi-code)'
    binary_major = 1
    write_tools = ('WriteFile', 'StrReplaceFile')
    shell_tools = ('Shell',)
    strict_hooks = False
    empty_matched_events = ('Stop',)
    matcher_engine = 'python'
    hooks_example_header = (
        '# Hooks recommended by omk-precommit. Copy these tables into the config.toml your\n'
        '# Kimi CLI reads, or run `omk-kimi hooks enable`. Commands run from the project root.\n'
    )
    home_env = 'KIMI_SHARE_DIR'
    default_home = '.kimi'
    home_label = 'Kimi CLI share dir'
    user_dir_env = 'OMK_KIMI_USER_DIR'  # omk 0.5.0 used ~/.config/kimi
    project_config = '.kimi/config.toml'

    # The facts table (and its HookEvent enum) is read by the checks that need it, not by the
    # hooks' hot path, which looks this runtime up on every commit.
    @property
    def tool_names(self) -> tuple[str, ...]:  # type: ignore[override]
        from omk_precommit.runtimes.kimi_cli.facts import TOOL_NAMES

        return TOOL_NAMES

    @property
    def hook_events(self) -> tuple[str, ...]:  # type: ignore[override]
        from omk_precommit.runtimes.kimi_cli.facts import HOOK_EVENTS

        return HOOK_EVENTS

    def user_configs_considered(self) -> tuple[Runtime, ...]:
        # `hooks enable --user` without --target writes the config of the CLI the user has, which may be
        # Kimi Code's; both count as "enabled" for the Kimi CLI's project too.
        from omk_precommit.runtimes.registry import RUNTIMES

        return tuple(RUNTIMES.values())

    def config_table_findings(self, data: dict[str, Any]) -> list[str]:
        from omk_precommit.runtimes.kimi_cli.config import config_table_findings

        return config_table_findings(data)

    def agent_files(self, role: RoleAgent) -> list[AgentFile]:
        from omk_precommit.engine.manifest import EntryKind

        return [(f'agents/{role.id}/agent.yaml', EntryKind.AGENT_SPEC, role.spec().to_yaml().encode()),
                (f'agents/{role.id}/system.md', EntryKind.AGENT_PROMPT, role.system_prompt.encode())]

    def agent_tools(self, role: RoleAgent) -> tuple[str, ...]:
        return role.tools

    def doctor_checks(self, root: Path, managed: frozenset[str]) -> list[CheckGroup]:
        from omk_precommit.runtimes.hooks import check_hooks
        from omk_precommit.runtimes.kimi_cli.agents import check_agents
        from omk_precommit.runtimes.kimi_cli.skills import check_skills

        base_dir = self.base_dir
        return [('agents', lambda: check_agents(root, base_dir, managed)),
                ('hooks', lambda: check_hooks(root, base_dir)),
                ('skills', lambda: check_skills(root, base_dir))]

    def skill_rules_look_at(self, parts: list[str]) -> bool:
        # check_skills looks at the entries of skills/ and at each skill directory's SKILL.md (any
        # case, for the misnamed-file error); what else a skill directory holds it never opens.
        return len(parts) == 1 or (len(parts) == 2 and parts[1].upper() == 'SKILL.MD')


RUNTIME = KimiCli()
