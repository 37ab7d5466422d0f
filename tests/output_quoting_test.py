"""Printed paths are quoted as git's core.quotePath quotes them and GitHub annotations are escaped,
so no file name can start a line of its own in a CI log (issue 13, "Output")."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.findings import DiagResult, Severity
from omk_precommit.render import text as report_text
from omk_precommit.render.findings import render
from omk_precommit.render.output import github_annotation
from omk_precommit.render.quote import annotation_data, annotation_property, one_line, quote_path
from testing.omk import omk

INJECTION = 'x\n::stop-commands::tok'
# A workflow command is a line that starts with `::` after blanks (the runner trims them).
OUR_ANNOTATION = re.compile(r'::(error|warning) file=[^:,\r\n]*::[^\r\n]*')


def unquote(printed: str) -> str:
    """Inverse of ``quote_path``: git's C-quoting read back, bytes decoded as the file system does."""
    if not printed.startswith('"'):
        return printed
    body, out, i = printed[1:-1], bytearray(), 0
    named = {'a': 7, 'b': 8, 't': 9, 'n': 10, 'v': 11, 'f': 12, 'r': 13, '"': 34, '\\': 92}
    while i < len(body):
        if body[i] != '\\':
            out += body[i].encode('utf-8', 'surrogateescape')
            i += 1
        elif body[i + 1] in named:
            out.append(named[body[i + 1]])
            i += 2
        else:
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
    return out.decode('utf-8', 'surrogateescape')


def runner_lines(output: str) -> list[str]:
    """``output`` split into lines as the GitHub runner splits a log (on CR, LF and CRLF only)."""
    return re.split(r'\r\n|\r|\n', output)


def injected_lines(output: str) -> list[str]:
    """Lines a GitHub runner would read as a workflow command that is not one of our annotations."""
    return [line for line in runner_lines(output)
            if line.lstrip().startswith('::') and not OUR_ANNOTATION.fullmatch(line)]


@pytest.mark.parametrize(('path', 'printed'), [
    ('.kimi/agents/architect/agent.yaml', '.kimi/agents/architect/agent.yaml'),
    ('.kimi/skills/café/SKILL.md', '.kimi/skills/café/SKILL.md'),  # UTF-8 printed as is (git: "caf\303\251")
    ('with space/and:colon,comma', 'with space/and:colon,comma'),
    (INJECTION, '"x\\n::stop-commands::tok"'),
    ('tab\there', '"tab\\there"'),
    ('cr\rlf\n', '"cr\\rlf\\n"'),
    ('bell\a bs\b vt\v ff\f', '"bell\\a bs\\b vt\\v ff\\f"'),
    ('esc\x1b[31mred', '"esc\\033[31mred"'),
    ('del\x7f', '"del\\177"'),
    ('quote"d', '"quote\\"d"'),
    ('back\\slash', '"back\\\\slash"'),
    ('c1\x85next-line', '"c1\\302\\205next-line"'),
    ('line\u2028sep', '"line\\342\\200\\250sep"'),
    (os.fsdecode(b'caf\xe9'), '"caf\\351"'),  # not UTF-8: the byte in octal, as git prints it
    ('::stop-commands::tok', '"::stop-commands::tok"'),
    ('  ::x', '"  ::x"'),
    (':', '":"'),  # printed as `path: message` it would start the line with `::`
    ('a::b', 'a::b'),
])
def test_quote_path_follows_git_core_quotepath_with_utf8_printed_as_is(path, printed):
    assert quote_path(path) == printed
    assert unquote(printed) == path


@pytest.mark.parametrize(('text', 'printed'), [
    ('skill directory has no SKILL.md', 'skill directory has no SKILL.md'),
    (f'add .kimi/skills/{INJECTION}/SKILL.md', 'add .kimi/skills/x\\n::stop-commands::tok/SKILL.md'),
    ('keeps "quotes" and \\ as they are', 'keeps "quotes" and \\ as they are'),
    ('cr\r and esc\x1b', 'cr\\r and esc\\033'),
])
def test_one_line_escapes_controls_in_free_text(text, printed):
    assert one_line(text) == printed


@pytest.mark.parametrize(('raw', 'data', 'prop'), [
    ('plain', 'plain', 'plain'),
    ('100%', '100%25', '100%25'),
    ('a\r\nb', 'a%0D%0Ab', 'a%0D%0Ab'),
    (INJECTION, 'x%0A::stop-commands::tok', 'x%0A%3A%3Astop-commands%3A%3Atok'),
    ('a,b:c', 'a,b:c', 'a%2Cb%3Ac'),
    ('%0A', '%250A', '%250A'),  # an escape in the name is not unescaped by the runner
])
def test_annotation_data_and_properties_are_escaped_per_the_workflow_command_rules(raw, data, prop):
    assert annotation_data(raw) == data
    assert annotation_property(raw) == prop


paths = st.one_of(
    st.text(min_size=1, max_size=30),
    st.binary(min_size=1, max_size=30).map(os.fsdecode),  # names as the file system hands them over
    st.lists(st.sampled_from(['.kimi/', 'x', '\n', '\r', '::', ' ', ':', ',', '%', '"', '\\', '\x1b', 'é', '\u2028']),
             min_size=1, max_size=12).map(''.join),
)


@given(path=paths)
def test_quoting_round_trips_and_never_leaves_a_line_break(path):
    printed = quote_path(path)
    assert unquote(printed) == path
    assert len(printed.splitlines()) == 1
    assert not printed.lstrip().startswith('::')
    printed.encode('utf-8')  # printable on a strict UTF-8 stdout


@given(path=paths, message=paths)
def test_no_printed_line_is_a_workflow_command_unless_it_is_our_annotation(path, message):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), _github_actions():
        print('\n'.join(render([DiagResult(Severity.ERROR, path=path, message=message, fix=message, check='skills')])))
        report_text.print_lines([(path, message, 'red')])
    text = out.getvalue()
    with contextlib.redirect_stdout(out), _github_actions():
        github_annotation('error', path, message)
    printed = out.getvalue()
    # heading, finding, fix, summary, print_lines: five lines even by Python's broad idea of a line break
    assert len(text.splitlines()) == 5, text
    assert injected_lines(printed) == []
    annotation = runner_lines(printed)[-2]  # the last line, before the final newline
    assert OUR_ANNOTATION.fullmatch(annotation), annotation


@contextlib.contextmanager
def _github_actions():
    before = os.environ.get('GITHUB_ACTIONS')
    os.environ['GITHUB_ACTIONS'] = 'true'
    try:
        yield
    finally:
        if before is None:
            del os.environ['GITHUB_ACTIONS']
        else:
            os.environ['GITHUB_ACTIONS'] = before


def test_doctor_quotes_a_skill_directory_named_to_inject_workflow_commands(installed: Path, monkeypatch):
    (installed / '.kimi/skills' / INJECTION).mkdir()
    text = omk(installed, 'doctor')
    assert text.code == 1
    assert '".kimi/skills/x\\n::stop-commands::tok": error: skill directory has no SKILL.md' in text.out
    assert injected_lines(text.out) == []

    monkeypatch.setenv('GITHUB_ACTIONS', 'true')
    ci = omk(installed, 'doctor')
    assert injected_lines(ci.out) == []
    assert '::error file=.kimi/skills/x%0A%3A%3Astop-commands%3A%3Atok::omk-doctor: skill directory' in ci.out


def test_check_quotes_paths_from_a_crafted_manifest(installed: Path, monkeypatch):
    """A manifest naming a file with a line break: refused (exit 2) or reported as drift, the
    name never starts a line of its own."""
    manifest = installed / '.kimi/omk-manifest.json'
    data = json.loads(manifest.read_text())
    data['files'].append({'path': f'.kimi/{INJECTION}', 'kind': 'other', 'checksum': compute_checksum(b'x')})
    manifest.write_text(json.dumps(data))
    monkeypatch.setenv('GITHUB_ACTIONS', 'true')
    result = omk(installed, 'check')
    assert result.code in (1, 2)
    assert injected_lines(result.out) == [] and injected_lines(result.err) == []
    assert 'x\\n::stop-commands::tok' in result.out + result.err  # escaped, whichever line names it
