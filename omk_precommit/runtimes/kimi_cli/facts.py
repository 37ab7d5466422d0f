"""What the real Kimi CLI 1.52.0 (``kimi-cli`` on PyPI) ships, recorded as data.

These facts were read from the installed package and are checked against it by
``tests/doctor_kimi_cli_facts_test.py``, so an upgrade of the judge shows up as a failing test
rather than as a silently outdated doctor.
"""
from __future__ import annotations

import enum

KIMI_CLI_VERSION = '1.52.0'

# Every importable ``module:Class`` tool path; ``KimiToolset._load_tool`` accepts exactly these.
KNOWN_TOOLS = frozenset({
    'kimi_cli.tools.agent:Agent',
    'kimi_cli.tools.agent:AgentTool',
    'kimi_cli.tools.ask_user:AskUserQuestion',
    'kimi_cli.tools.background:TaskList',
    'kimi_cli.tools.background:TaskOutput',
    'kimi_cli.tools.background:TaskStop',
    'kimi_cli.tools.dmail:SendDMail',
    'kimi_cli.tools.file:Glob',
    'kimi_cli.tools.file:Grep',
    'kimi_cli.tools.file:ReadFile',
    'kimi_cli.tools.file:ReadMediaFile',
    'kimi_cli.tools.file:StrReplaceFile',
    'kimi_cli.tools.file:WriteFile',
    'kimi_cli.tools.file.glob:Glob',
    'kimi_cli.tools.file.grep_local:Grep',
    'kimi_cli.tools.file.read:ReadFile',
    'kimi_cli.tools.file.read_media:ReadMediaFile',
    'kimi_cli.tools.file.replace:StrReplaceFile',
    'kimi_cli.tools.file.write:WriteFile',
    'kimi_cli.tools.plan:ExitPlanMode',
    'kimi_cli.tools.plan.enter:EnterPlanMode',
    'kimi_cli.tools.shell:Shell',
    'kimi_cli.tools.test:Compare',
    'kimi_cli.tools.test:Panic',
    'kimi_cli.tools.test:Plus',
    'kimi_cli.tools.think:Think',
    'kimi_cli.tools.todo:SetTodoList',
    'kimi_cli.tools.web:FetchURL',
    'kimi_cli.tools.web:SearchWeb',
    'kimi_cli.tools.web.fetch:FetchURL',
    'kimi_cli.tools.web.search:SearchWeb',
})

# The ``name`` each tool class sends to hooks as the PreToolUse matcher value (``WriteFile``, not
# ``kimi_cli.tools.file:WriteFile``); the test tools ``Plus``, ``Compare``, ``Panic`` are lower-case.
TOOL_NAMES = (
    'Agent', 'AskUserQuestion', 'EnterPlanMode', 'ExitPlanMode', 'FetchURL', 'Glob', 'Grep', 'ReadFile',
    'ReadMediaFile', 'SearchWeb', 'SendDMail', 'SetTodoList', 'Shell', 'StrReplaceFile', 'TaskList', 'TaskOutput',
    'TaskStop', 'Think', 'WriteFile', 'compare', 'panic', 'plus',
)

# The built-in agent behind ``extend: default`` (``kimi_cli/agents/default/agent.yaml``).
DEFAULT_AGENT_NAME = ''
DEFAULT_AGENT_PROMPT_ARGS = {'ROLE_ADDITIONAL': ''}
DEFAULT_AGENT_TOOLS = (
    'kimi_cli.tools.agent:Agent',
    'kimi_cli.tools.ask_user:AskUserQuestion',
    'kimi_cli.tools.todo:SetTodoList',
    'kimi_cli.tools.shell:Shell',
    'kimi_cli.tools.background:TaskList',
    'kimi_cli.tools.background:TaskOutput',
    'kimi_cli.tools.background:TaskStop',
    'kimi_cli.tools.file:ReadFile',
    'kimi_cli.tools.file:ReadMediaFile',
    'kimi_cli.tools.file:Glob',
    'kimi_cli.tools.file:Grep',
    'kimi_cli.tools.file:WriteFile',
    'kimi_cli.tools.file:StrReplaceFile',
    'kimi_cli.tools.web:SearchWeb',
    'kimi_cli.tools.web:FetchURL',
    'kimi_cli.tools.plan:ExitPlanMode',
    'kimi_cli.tools.plan.enter:EnterPlanMode',
)
DEFAULT_AGENT_SUBAGENTS = {
    'coder': 'Good at general software engineering tasks.',
    'explore': 'Fast codebase exploration with prompt-enforced read-only behavior.',
    'plan': 'Read-only implementation planning and architecture design.',
}

# Names a system prompt may use as ``${NAME}``: the fields of ``BuiltinSystemPromptArgs`` plus
# the globals every Jinja environment defines.
BUILTIN_PROMPT_ARGS = frozenset({
    'KIMI_NOW', 'KIMI_WORK_DIR', 'KIMI_WORK_DIR_LS', 'KIMI_AGENTS_MD', 'KIMI_SKILLS',
    'KIMI_ADDITIONAL_DIRS_INFO', 'KIMI_OS', 'KIMI_SHELL',
})
JINJA_GLOBALS = frozenset({'range', 'dict', 'lipsum', 'cycler', 'joiner', 'namespace'})



class HookEvent(str, enum.Enum):
    """The hook events the Kimi CLI accepts in ``[[hooks]]`` (``kimi_cli.hooks.config.HookEventType``,
    case-sensitive, PascalCase). Kimi Code accepts all of these and seven more (``KimiCode.hook_events``).
    """

    PRE_TOOL_USE = 'PreToolUse'
    POST_TOOL_USE = 'PostToolUse'
    POST_TOOL_USE_FAILURE = 'PostToolUseFailure'
    USER_PROMPT_SUBMIT = 'UserPromptSubmit'
    STOP = 'Stop'
    STOP_FAILURE = 'StopFailure'
    SESSION_START = 'SessionStart'
    SESSION_END = 'SessionEnd'
    SUBAGENT_START = 'SubagentStart'
    SUBAGENT_STOP = 'SubagentStop'
    PRE_COMPACT = 'PreCompact'
    POST_COMPACT = 'PostCompact'
    NOTIFICATION = 'Notification'


# The ``[[hooks]] event`` values ``hook_rules`` judges Kimi CLI tables by (``KimiCli.hook_events``).
HOOK_EVENTS = tuple(event.value for event in HookEvent)
