"""Our Kimi Code rules, case by case, next to the verdict of the real Kimi Code 2.1.0.

Each table row says whether the real ``kimi`` accepts the file and whether our rules do.
They agree everywhere except on purpose: where JavaScript and Python read a regex or a
number differently, our rules reject what Kimi Code would accept but could misread.
"""
from __future__ import annotations

import pytest

from omk_precommit.runtimes.hook_rules import ERROR, WARNING, check_hooks_toml, regex_portability_problem
from omk_precommit.runtimes.kimi_code.rules import check_agent_file, check_kimi_code_project, check_skill_file
from testing.gitrepo import init_repo

# (file name, content, accepted by the real kimi, accepted by our rules)
AGENT_CASES = [
    ('minimal.md', '---\ndescription: Does one thing.\n---\nYou do one thing.\n', True, True),
    ('comma-tools.md', '---\nname: comma-tools\ndescription: d\ntools: Read, Bash\n---\nBody.\n', True, True),
    ('crlf.md', '---\r\ndescription: d\r\nwhenToUse: When asked.\r\n---\r\nBody.\r\n', True, True),
    ('unknown-tool.md', '---\ndescription: d\ntools: [Read, ReadFile]\nmode: fast\n---\nBody.\n', True, True),
    ('yes-description.md', '---\ndescription: yes\n---\nBody.\n', True, True),
    ('no-frontmatter.md', '# Just a readme\n', False, False),
    ('unclosed.md', '---\ndescription: d\nBody.\n', False, False),
    ('bad-yaml.md', '---\ndescription: [unclosed\n---\nBody.\n', False, False),
    ('list-frontmatter.md', '---\n- a\n- b\n---\nBody.\n', False, False),
    ('bad-name.md', '---\nname: Code_Reviewer\ndescription: d\n---\nBody.\n', False, False),
    ('Bad_Stem.md', '---\ndescription: d\n---\nBody.\n', False, False),
    ('numeric-name.md', '---\nname: 123\ndescription: d\n---\nBody.\n', False, False),
    ('no-description.md', '---\nname: no-description\n---\nBody.\n', False, False),
    ('number-description.md', '---\ndescription: 42\n---\nBody.\n', False, False),
    ('mapping-tools.md', '---\ndescription: d\ntools: {Read: true}\n---\nBody.\n', False, False),
    ('non-string-tool.md', '---\ndescription: d\ntools: [Read, 3]\n---\nBody.\n', False, False),
    ('string-override.md', '---\ndescription: d\noverride: yes\n---\nBody.\n', False, False),
    ('empty-body.md', '---\ndescription: d\n---\n\n  \n', False, False),
]

# (directory, file, content, real kimi, our rules)
SKILL_CASES = [
    ('good', 'SKILL.md', '---\nname: good\ndescription: Does good.\n---\nSteps.\n', True, True),
    ('other-name', 'SKILL.md', '---\nname: Any Name At All\ndescription: d\n---\nSteps.\n', True, True),
    ('', 'flat.md', 'A flat skill needs no frontmatter.\n', True, True),
    ('no-description', 'SKILL.md', '---\nname: no-description\n---\nSteps.\n', False, False),
    ('no-name', 'SKILL.md', '---\ndescription: d\n---\nSteps.\n', False, False),
    ('numeric-name', 'SKILL.md', '---\nname: 123\ndescription: d\n---\nSteps.\n', False, False),
    ('no-frontmatter', 'SKILL.md', '# Skill\nSteps.\n', False, False),
    ('bad-yaml', 'SKILL.md', '---\nname: [x\n---\nSteps.\n', False, False),
]

# ([[hooks]] table body, real kimi doctor, our rules)
HOOK_CASES = [
    ('event = "PreToolUse"\ncommand = "x.sh"\nmatcher = "^(Write|Edit)$"\ntimeout = 10', True, True),
    ('event = "Stop"\ncommand = "x.sh"', True, True),
    ('event = "TurnStarted"\ncommand = "x.sh"\ntimeout = 600', True, True),
    ('event = "PreToolUse"\ncommand = "x.sh"\nbogus = 1', False, False),
    ('event = "PreToolUse"\ncommand = "x.sh"\nfail_mode = "closed"', False, False),
    ('event = "pretooluse"\ncommand = "x.sh"', False, False),
    ('event = "BeforeWrite"\ncommand = "x.sh"', False, False),
    ('event = "Stop"\ncommand = "x.sh"\ntimeout = 0', False, False),
    ('event = "Stop"\ncommand = "x.sh"\ntimeout = 601', False, False),
    ('event = "Stop"\ncommand = "x.sh"\ntimeout = 1.5', False, False),
    ('event = "Stop"\ncommand = "x.sh"\ntimeout = "30"', False, False),
    ('event = "Stop"\ncommand = ""', False, False),
    ('event = "Stop"', False, False),
    ('event = "Stop"\ncommand = "x.sh"\nmatcher = 5', False, False),
    # Deliberately stricter than Kimi Code:
    ('event = "Stop"\ncommand = "x.sh"\ntimeout = 30.0', True, False),        # an int in JS, a float in TOML
    ('event = "PreToolUse"\ncommand = "x.sh"\nmatcher = "("', True, False),      # invalid: never fires
    ('event = "PreToolUse"\ncommand = "x.sh"\nmatcher = "(?i)write"', True, False),  # Python-only syntax
]


def errors(problems):
    return [p for p in problems if p.severity == ERROR]


@pytest.mark.parametrize(('name', 'content', 'kimi_ok', 'ours_ok'), AGENT_CASES, ids=[c[0] for c in AGENT_CASES])
def test_agent_rules(name, content, kimi_ok, ours_ok):
    found = errors(check_agent_file(f'.kimi-code/agents/{name}', content.encode()))
    assert (not found) == ours_ok, found


@pytest.mark.parametrize(('directory', 'name', 'content', 'kimi_ok', 'ours_ok'), SKILL_CASES,
                         ids=[c[0] or c[1] for c in SKILL_CASES])
def test_skill_rules(directory, name, content, kimi_ok, ours_ok):
    rel = '/'.join(p for p in ('.kimi-code/skills', directory, name) if p)
    found = errors(check_skill_file(rel, content.encode()))
    assert (not found) == ours_ok, found


@pytest.mark.parametrize(('table', 'kimi_ok', 'ours_ok'), HOOK_CASES, ids=[c[0].replace('\n', ' ') for c in HOOK_CASES])
def test_hook_rules(table, kimi_ok, ours_ok):
    found = errors(check_hooks_toml('config.toml', f'[[hooks]]\n{table}\n', 'kimi-code'))
    assert (not found) == ours_ok, found


def test_real_kimi_agrees_on_every_agent_and_skill_case(kimi_code, tmp_path):
    project = init_repo(tmp_path / 'project')
    for name, content, _, _ in AGENT_CASES:
        path = project / '.kimi-code/agents' / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode())
    for directory, name, content, _, _ in SKILL_CASES:
        path = project / '.kimi-code/skills' / directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode())
    found = kimi_code.discover(project, tmp_path)
    # Agents: a valid file becomes a profile named after its stem (every case is named so or
    # has no usable name); kimi logs only the first five skipped agents, so profiles decide.
    for name, _, kimi_ok, _ in AGENT_CASES:
        assert (name[:-3] in found.profiles) == kimi_ok, name
    # Skills: each invalid one is logged as skipped.
    skipped = ' '.join(found.warnings)
    for directory, name, _, kimi_ok, _ in SKILL_CASES:
        rel = '/'.join(p for p in ('.kimi-code/skills', directory, name) if p)
        assert (f'/{rel}' not in skipped) == kimi_ok, rel
    ours = {p.path for p in check_kimi_code_project(project) if p.severity == ERROR}
    assert ours == {f'.kimi-code/agents/{n}' for n, _, _, ok in AGENT_CASES if not ok} | {
        '/'.join(p for p in ('.kimi-code/skills', d, n) if p) for d, n, _, _, ok in SKILL_CASES if not ok}


def test_real_kimi_doctor_agrees_on_every_hook_case(kimi_code, tmp_path):
    config = tmp_path / 'config.toml'
    config.write_text(''.join(f'[[hooks]]\n{table}\n\n' for table, _, _ in HOOK_CASES))
    judgement = kimi_code.doctor_config(config, tmp_path)
    for index, (table, kimi_ok, _) in enumerate(HOOK_CASES):
        rejected = f'hooks[{index}]:' in judgement.output or f'hooks[{index}].' in judgement.output
        assert rejected != kimi_ok, (table, judgement.output)


@pytest.mark.parametrize(('text', 'message'), [
    ('[hooks]\nevent = "Stop"\ncommand = "x"\n', 'array of tables'),
    ('hooks = []\n[[hooks]]\nevent = "Stop"\n', 'invalid TOML'),
])
def test_a_broken_hooks_document_is_one_clear_error(kimi_code, tmp_path, text, message):
    found = check_hooks_toml('config.toml', text, 'kimi-code')
    assert [p.severity for p in found] == [ERROR] and message in found[0].message
    config = tmp_path / 'config.toml'
    config.write_text(text)
    assert not kimi_code.doctor_config(config, tmp_path).ok


def test_unknown_hook_key_is_only_a_warning_for_the_kimi_cli():
    found = check_hooks_toml('config.toml', '[[hooks]]\nevent = "Stop"\ncommand = "x"\nfail_mode = "closed"\n', 'kimi-cli')
    assert [p.severity for p in found] == [WARNING]


def test_kimi_code_only_events_are_errors_for_the_kimi_cli():
    assert errors(check_hooks_toml('c.toml', '[[hooks]]\nevent = "TurnStarted"\ncommand = "x"\n', 'kimi-cli'))


def test_a_stop_hook_with_a_matcher_never_fires_and_is_an_error():
    # Like an invalid matcher (above) and like a Stop matcher for the Kimi CLI (tests/corpus/hooks.yaml):
    # a hook that can never fire is an error in a file the project commits (see hook_rules).
    found = check_hooks_toml('c.toml', '[[hooks]]\nevent = "Stop"\ncommand = "x"\nmatcher = "Write"\n', 'kimi-code')
    assert [p.severity for p in found] == [ERROR] and 'never fires' in found[0].message


@pytest.mark.parametrize(('pattern', 'portable'), [
    ('^(Write|Edit)$', True), ('Write|Edit', True), ('[(?P]', True), (r'\(\?i\)', True), ('mcp__.*', True),
    ('(?i)write', False), ('(?P<n>x)', False), (r'\AWrite\Z', False), ('a*+', False), ('(?>a)', False), ('(', False),
])
def test_matchers_must_mean_the_same_in_python_and_javascript(pattern, portable):
    assert (regex_portability_problem(pattern) is None) == portable


def test_agent_warnings_name_what_kimi_code_ignores():
    text = '---\ndescription: d\nwhen_to_use: later\nmodel: k2\ntools: [Read, Shell]\n---\nHi ${KIMI_NOW}\n'
    messages = [p.message for p in check_agent_file('.kimi-code/agents/a.md', text.encode())]
    assert all(p.severity == WARNING for p in check_agent_file('.kimi-code/agents/a.md', text.encode()))
    assert any('whenToUse' in m for m in messages) and any('"model"' in m for m in messages)
    assert any("'Shell' is not a Kimi Code tool" in m for m in messages)
    assert any('${KIMI_NOW}' in m for m in messages)


def test_an_agent_named_like_a_builtin_profile_needs_override():
    plain = check_agent_file('.kimi-code/agents/plan.md', b'---\ndescription: d\n---\nBody.\n')
    assert errors(plain) and 'override: true' in plain[0].message
    assert not check_agent_file('.kimi-code/agents/plan.md', b'---\ndescription: d\noverride: true\n---\nBody.\n')


def test_project_check_reports_a_readme_in_the_agents_dir_and_duplicate_names(tmp_path):
    agents = tmp_path / '.kimi-code/agents'
    (agents / 'team').mkdir(parents=True)
    (agents / 'README.md').write_text('# Our agents\n')
    (agents / 'a.md').write_text('---\nname: same\ndescription: d\n---\nA.\n')
    (agents / 'team/b.md').write_text('---\nname: same\ndescription: d\n---\nB.\n')
    (agents / '.hidden.md').write_text('not scanned')
    found = {(p.path, p.severity) for p in check_kimi_code_project(tmp_path)}
    assert found == {('.kimi-code/agents/README.md', ERROR), ('.kimi-code/agents/team/b.md', WARNING)}
