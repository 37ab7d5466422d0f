"""Kimi CLI tool paths and the Kimi Code tool names they became: the one translation table.

The bundled kimi-code agents and ``migrate --to kimi-code`` both translate through
:func:`kimi_code_tool`, so a role gets the same tools on either target.
"""
from __future__ import annotations

# Kimi CLI 1.52.0 tool path -> Kimi Code 2.1.0 built-in tool name. Submodule spellings
# (kimi_cli.tools.file.read:ReadFile) load the same classes in the Kimi CLI, so they map too.
KIMI_CODE_TOOL_NAMES: dict[str, str] = {
    'kimi_cli.tools.file:ReadFile': 'Read',
    'kimi_cli.tools.file.read:ReadFile': 'Read',
    'kimi_cli.tools.file:ReadMediaFile': 'ReadMediaFile',
    'kimi_cli.tools.file.read_media:ReadMediaFile': 'ReadMediaFile',
    'kimi_cli.tools.file:Glob': 'Glob',
    'kimi_cli.tools.file.glob:Glob': 'Glob',
    'kimi_cli.tools.file:Grep': 'Grep',
    'kimi_cli.tools.file.grep_local:Grep': 'Grep',
    'kimi_cli.tools.file:WriteFile': 'Write',
    'kimi_cli.tools.file.write:WriteFile': 'Write',
    'kimi_cli.tools.file:StrReplaceFile': 'Edit',
    'kimi_cli.tools.file.replace:StrReplaceFile': 'Edit',
    'kimi_cli.tools.shell:Shell': 'Bash',
    'kimi_cli.tools.web:SearchWeb': 'WebSearch',
    'kimi_cli.tools.web.search:SearchWeb': 'WebSearch',
    'kimi_cli.tools.web:FetchURL': 'FetchURL',
    'kimi_cli.tools.web.fetch:FetchURL': 'FetchURL',
    'kimi_cli.tools.todo:SetTodoList': 'TodoList',
    'kimi_cli.tools.agent:Agent': 'Agent',
    'kimi_cli.tools.agent:AgentTool': 'Agent',
    'kimi_cli.tools.ask_user:AskUserQuestion': 'AskUserQuestion',
    'kimi_cli.tools.background:TaskList': 'TaskList',
    'kimi_cli.tools.background:TaskOutput': 'TaskOutput',
    'kimi_cli.tools.background:TaskStop': 'TaskStop',
    'kimi_cli.tools.plan:ExitPlanMode': 'ExitPlanMode',
    'kimi_cli.tools.plan.enter:EnterPlanMode': 'EnterPlanMode',
}

# Kimi CLI tools with no Kimi Code counterpart, and why (shown by migrate).
UNMAPPABLE_TOOLS: dict[str, str] = {
    'kimi_cli.tools.think:Think': 'Kimi Code has no Think tool',
    'kimi_cli.tools.dmail:SendDMail': 'Kimi Code has no D-Mail tool',
}

# The built-in tools of Kimi Code 2.1.0 (classes with a `name` in its bundle). An agent may
# also name MCP tools as mcp__<server>__<tool>, globs allowed.
KIMI_CODE_TOOLS = frozenset((
    'Read', 'Write', 'Edit', 'Grep', 'Glob', 'Bash', 'Agent', 'AgentSwarm', 'Skill', 'WebSearch',
    'FetchURL', 'ReadMediaFile', 'TodoList', 'NotifyUser', 'AskUserQuestion', 'TaskList',
    'TaskOutput', 'TaskStop', 'WaitFor', 'CronCreate', 'CronList', 'CronDelete', 'EnterPlanMode',
    'ExitPlanMode', 'CreateGoal', 'GetGoal', 'SetGoalBudget', 'UpdateGoal', 'select_tools',
    'TowerInit', 'TowerStatus', 'TowerTeardown', 'TowerSpawn', 'TowerSend', 'TowerInbox',
    'TowerMission', 'TowerPlan', 'TowerReview', 'TowerMerge', 'TowerFinding',
))


def kimi_code_tool(path: str) -> str | None:
    """The Kimi Code tool name for a Kimi CLI tool path, None when there is none."""
    return KIMI_CODE_TOOL_NAMES.get(path.strip())


def is_known_kimi_code_tool(name: str) -> bool:
    """True for a Kimi Code built-in tool, ``*`` (all tools) or an MCP tool name or glob."""
    return name in KIMI_CODE_TOOLS or name == '*' or name.startswith('mcp__')
