"""Kimi Code CLI (``@moonshot-ai/kimi-code`` 2.x, the Kimi CLI's successor): ``.kimi-code/``, ``$KIMI_CODE_HOME``.

Agents are one Markdown file each (``agents/<id>.md``, YAML frontmatter then the prompt); it
reads hooks only from its home's ``config.toml`` and validates them strictly. Facts read from
``dist/main.mjs`` of 2.1.0; its rules: ``rules``, ``agents``, ``doctor``, ``convert`` beside this module.
"""
from __future__ import annotations

from omk_precommit.runtimes.base import Runtime

TYPE_CHECKING = False  # looked up on every commit: no typing or pathlib at import
if TYPE_CHECKING:
    from pathlib import Path

    from omk_precommit.bundle.agents import RoleAgent
    from omk_precommit.runtimes.base import AgentFile, CheckGroup


class KimiCode(Runtime):
    name = 'kimi-code'
    bundle_folder = 'kimi-code'
    base_dir = '.kimi-code'
    product = 'Kimi Code CLI'
    install_hint = 'npm install -g @moonshot-ai/kimi-code'
    binary_major = 2
    write_tools = ('Write', 'Edit')
    shell_tools = ('Bash',)
    # The built-in tools registered in dist/main.mjs of 2.1.0 (name: "…" of each tool service).
    tool_names = (
        'Agent', 'AgentSwarm', 'AskUserQuestion', 'Bash', 'CreateGoal', 'CronCreate', 'CronDelete', 'CronList',
        'Edit', 'EnterPlanMode', 'ExitPlanMode', 'FetchURL', 'GetGoal', 'Glob', 'Grep', 'Read', 'SetGoalBudget',
        'Skill', 'TaskList', 'TaskOutput', 'TaskStop', 'TodoList', 'UpdateGoal', 'WaitFor', 'WebSearch', 'Write',
    )
    hook_events = (
        'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest', 'PermissionResult',
        'UserPromptSubmit', 'UserPromptQueued', 'TurnStarted', 'Stop', 'StopFailure', 'Interrupt',
        'SessionStart', 'SessionEnd', 'SessionHeartbeat', 'SubagentStart', 'SubagentStop',
        'TaskStarted', 'PreCompact', 'PostCompact', 'Notification',
    )
    strict_hooks = True  # HookDefSchema is a strict zod object
    empty_matched_events = ('Stop', 'Interrupt', 'SessionHeartbeat')
    matcher_engine = 'javascript'
    hooks_example_header = (
        '# Hooks recommended by omk-precommit for the Kimi Code CLI. Kimi Code reads hooks only\n'
        '# from $KIMI_CODE_HOME/config.toml: run `omk-kimi hooks enable --user --target kimi-code`\n'
        '# or copy these tables there. Keep to the keys event, matcher, command and timeout: any\n'
        '# other key makes Kimi Code ignore every hook. Commands run from the directory kimi starts in.\n'
    )
    home_env = 'KIMI_CODE_HOME'
    default_home = '.kimi-code'
    home_label = 'Kimi Code home'
    migrates_from = 'kimi-cli'

    def agent_files(self, role: RoleAgent) -> list[AgentFile]:
        from omk_precommit.engine.manifest import EntryKind
        from omk_precommit.runtimes.kimi_code.agents import kimi_code_agent

        return [(f'agents/{role.id}.md', EntryKind.AGENT_SPEC, kimi_code_agent(role).to_markdown().encode())]

    def agent_tools(self, role: RoleAgent) -> tuple[str, ...]:
        from omk_precommit.runtimes.kimi_code.agents import kimi_code_agent

        return kimi_code_agent(role).tools or ()

    def doctor_checks(self, root: Path, managed: frozenset[str]) -> list[CheckGroup]:
        from omk_precommit.runtimes.kimi_code.doctor import check_kimi_code_assets, check_kimi_code_hooks

        base_dir = self.base_dir
        return [('agents', lambda: check_kimi_code_assets(root, base_dir, managed)),
                ('hooks', lambda: check_kimi_code_hooks(root, base_dir))]

    def skill_rules_look_at(self, parts: list[str]) -> bool:
        # The skill rules (rules.skill_files, ignored_files) look at the entries of skills/, at
        # every SKILL.md however deep, and at every *.MD-like name Kimi Code would skip; the rest
        # of a skill's files (scripts, references, assets) they never open.
        name = parts[-1]
        return len(parts) == 1 or name == 'SKILL.md' or (name.lower().endswith('.md') and not name.endswith('.md'))


RUNTIME = KimiCode()
