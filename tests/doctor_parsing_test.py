"""The small readers behind the doctor: hook commands, timeouts, prompt variables, frontmatter."""
from __future__ import annotations

import pytest

from omk_precommit.runtimes.hook_commands import (
    ProgramRef,
    ScriptRef,
    Unresolved,
    quoting_problem,
    referenced_script,
    resolve_command,
)
from omk_precommit.runtimes.hook_rules import lax_int
from omk_precommit.runtimes.kimi_cli.skills import FrontmatterError, parse_frontmatter


@pytest.mark.parametrize(('command', 'expected'), [
    ('.kimi/hooks/safety-check.sh', ScriptRef('.kimi/hooks/safety-check.sh', direct=True)),
    ('./guard.sh --strict', ScriptRef('./guard.sh', direct=True)),
    ('sh .kimi/hooks/x.sh', ScriptRef('.kimi/hooks/x.sh', direct=False)),
    ('python3 -u .kimi/hooks/check.py --quiet', ScriptRef('.kimi/hooks/check.py', direct=False)),
    ('/usr/bin/python3.12 tools/hook.py', ScriptRef('tools/hook.py', direct=False)),
    ('env FOO=1 .kimi/hooks/x.sh', ScriptRef('.kimi/hooks/x.sh', direct=True)),
    ('OMK_QUIET=1 exec .kimi/hooks/x.sh', ScriptRef('.kimi/hooks/x.sh', direct=True)),
    ('.kimi/hooks/a.sh && .kimi/hooks/b.sh', ScriptRef('.kimi/hooks/a.sh', direct=True)),
    ('.kimi/hooks/a.sh|tee log', ScriptRef('.kimi/hooks/a.sh', direct=True)),
    ('"my hooks/x.sh"', ScriptRef('my hooks/x.sh', direct=True)),
    ('true', None),
    ('echo hi >&2; exit 2', None),
    ('python3 -c "print(1)"', None),
    ('python3 -m mypkg.hook', None),
    ('node', None),
    ('$HOME/hooks/x.sh', None),
    ('~/hooks/x.sh', None),
    ('sh hooks/*.sh', None),
    ('', None),
])
def test_referenced_script(command: str, expected: ScriptRef | None) -> None:
    assert referenced_script(command) == expected


def test_unbalanced_quotes_are_a_quoting_problem() -> None:
    assert quoting_problem("echo 'unfinished") == 'no closing quotation'
    assert quoting_problem("echo 'finished'") is None


@pytest.mark.parametrize(('value', 'expected'), [
    (30, 30), (0, 0), (601, 601), (True, 1), (False, 0), (30.0, 30), (1.5, None),
    ('30', 30), (' 30 ', 30), ('+5', 5), ('1_0', 10), ('30.0', 30), ('1e1', None), ('0x10', None), ('', None),
    ('10.', None), ('\uff11\uff10', None), ('10.00', 10), ('1__0', None),
    (None, None), ([30], None),
])
def test_lax_int_reads_what_pydantic_lax_mode_reads(value: object, expected: int | None) -> None:
    assert lax_int(value) == expected


def test_frontmatter_is_read_like_kimi_cli() -> None:
    assert parse_frontmatter('---\nname: a\ndescription: b\n---\nbody') == {'name': 'a', 'description': 'b'}
    assert parse_frontmatter('--- \r\nname: a\r\n---\r\n') == {'name': 'a'}


@pytest.mark.parametrize(('text', 'problem'), [
    ('body only', 'no YAML frontmatter'),
    ('\ufeff---\nname: a\n---\n', 'no YAML frontmatter'),
    ('---\nname: a\n', 'not closed'),
    ('---\n\n---\n', 'empty'),
    ('---\nname: [a\n---\n', 'not valid YAML'),
    ('---\n- a\n---\n', 'mapping'),
])
def test_frontmatter_problems(text: str, problem: str) -> None:
    with pytest.raises(FrontmatterError, match=problem):
        parse_frontmatter(text)


@pytest.mark.parametrize(('command', 'expected'), [
    ('timeout 5 .kimi/hooks/x.sh', ScriptRef('.kimi/hooks/x.sh', direct=True)),
    ('timeout -s KILL 5s .kimi/hooks/x.sh', ScriptRef('.kimi/hooks/x.sh', direct=True)),
    ('env -u HOME X=1 nice -n 5 exec .kimi/hooks/x.sh', ScriptRef('.kimi/hooks/x.sh', direct=True)),
    ('cd .kimi && hooks/x.sh', ScriptRef('.kimi/hooks/x.sh', direct=True)),
    ('cd .kimi/hooks; sh x.sh', ScriptRef('.kimi/hooks/x.sh', direct=False)),
    ("sh -c '.kimi/hooks/x.sh'", ScriptRef('.kimi/hooks/x.sh', direct=True)),
    ('bash -c "timeout 3 python3 .kimi/hooks/x.py"', ScriptRef('.kimi/hooks/x.py', direct=False)),
    ('true', ProgramRef('true')),
    ('$HOOKS/x.sh', Unresolved("the program '$HOOKS/x.sh' is chosen by shell expansion")),
    ('if true; then .kimi/hooks/x.sh; fi', Unresolved("it starts with the shell keyword 'if'")),
    ('cd "$DIR" && x.sh', Unresolved('it changes directory to a place the shell computes')),
    ('timeout 5', Unresolved('a wrapper (timeout, env, nice) is missing its command')),
    ('   ', None),
])
def test_resolve_command_sees_through_wrappers(command: str, expected: object) -> None:
    assert resolve_command(command) == expected
