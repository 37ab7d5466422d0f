"""Which tool names a ``PreToolUse`` matcher reaches, evaluated the way the runtime evaluates it.

Both runtimes fire a hook when its matcher is empty or when a regular-expression *search* of it
finds the tool name: kimi-cli 1.52 with Python's ``re.search`` (``HookEngine._match_regex``), Kimi
Code 2.1 with JavaScript's ``new RegExp(matcher).test(name)`` (``matches$1`` in ``dist/main.mjs``).
Tool names are short ASCII words, where the two engines agree on everything both can compile;
what only one of them reads (``(?i)``, ``(?<n>…)``, ``[^]``, ``\\A``) cannot be evaluated in
Python for JavaScript, so the answer is "cannot be judged statically", never a guess.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from omk_precommit.runtimes.base import Runtime

# Syntax JavaScript accepts and Python rejects or reads otherwise: named groups and back-references
# written the JavaScript way, and the JavaScript-only "any character" class.
_JAVASCRIPT_ONLY = re.compile(r'\(\?<[A-Za-z_]|\\k<|\[\^?\]')


class Reach(NamedTuple):
    """The tools a matcher fires for (``tools``), or None with ``why`` it cannot be judged statically."""

    tools: frozenset[str] | None
    why: str = ''


def reached_tools(matcher: str, runtime: Runtime) -> Reach:
    """The built-in tool names of ``runtime`` for which a hook with ``matcher`` fires."""
    names = runtime.tool_names
    if not matcher:
        return Reach(frozenset(names))
    if runtime.matcher_engine == 'javascript' and _JAVASCRIPT_ONLY.search(matcher):
        return Reach(None, 'uses syntax only JavaScript reads, so omk-kimi cannot evaluate it statically')
    try:
        pattern = re.compile(matcher)
    except re.error:
        return Reach(frozenset())  # both runtimes: an invalid regex never matches
    return Reach(frozenset(name for name in names if pattern.search(name)))


def could_match_other_tools(matcher: str) -> bool:
    """True when ``matcher`` may be meant for tools that are not built in (MCP tools are ``mcp__server__tool``)."""
    return 'mcp' in matcher.lower()
