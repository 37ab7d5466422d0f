"""``omk-kimi migrate --to kimi-code``: the project's Kimi CLI agents and skills, as Kimi Code ones."""
from __future__ import annotations

import json
import os

import pytest

from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from omk_precommit.commands.migrate import migrate_to_kimi_code
from omk_precommit.commands.rollback import rollback
from omk_precommit.commands.sync import sync_project_assets
from omk_precommit.doctor import Severity, diagnose_project
from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.errors import OmkError
from omk_precommit.fastcheck.check import check_drift
from omk_precommit.runtimes.bundled import bundled_by_path
from omk_precommit.runtimes.kimi_cli.agentspec import resolve_agent_spec
from omk_precommit.runtimes.kimi_cli.facts import DEFAULT_AGENT_TOOLS
from omk_precommit.runtimes.kimi_code.rules import check_kimi_code_project, parse_frontmatter
from omk_precommit.runtimes.registry import KIMI_CODE
from testing.gitrepo import snapshot
from testing.kimi_cli import kimi_cli_python, run_judge

ROLES = ('architect', 'executor', 'explore', 'reviewer', 'security', 'verifier')
USER_SPEC = '''version: 1
agent:
  extend: default
  name: Release Manager
  system_prompt_path: ./system.md
  system_prompt_args:
    TEAM: payments
  when_to_use: Cutting a release and writing its notes.
  tools:
    - kimi_cli.tools.file:ReadFile
    - kimi_cli.tools.file.grep_local:Grep
    - kimi_cli.tools.shell:Shell
    - kimi_cli.tools.think:Think
    - kimi_cli.tools.file:WriteFile
  model: kimi-k2
'''
USER_PROMPT = 'You cut releases for the ${TEAM} team, working in ${KIMI_WORK_DIR} on ${ KIMI_OS }.\n'


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def kimi_cli_project(repo):
    """A project with the six bundled Kimi CLI agents plus one of the user's own."""
    install_project_assets(repo)
    write(repo, '.kimi/agents/release/agent.yaml', USER_SPEC)
    write(repo, '.kimi/agents/release/system.md', USER_PROMPT)
    return repo


def agent_front(root, agent_id):
    return parse_frontmatter((root / f'.kimi-code/agents/{agent_id}.md').read_text())


def test_migrate_writes_seven_agent_files_that_pass_doctor_for_kimi_code(kimi_cli_project):
    before = snapshot(kimi_cli_project / '.kimi')
    assert main(['migrate', '--to', 'kimi-code']) == 0
    agents = sorted(p.name for p in (kimi_cli_project / '.kimi-code/agents').iterdir())
    assert agents == sorted(f'{a}.md' for a in (*ROLES, 'release'))
    assert main(['doctor', '--target', 'kimi-code']) == 0
    results = diagnose_project(kimi_cli_project, target='kimi-code')
    assert [r for r in results if r.severity is Severity.ERROR] == []
    assert {r.path for r in results if r.check == 'agents' and r.severity is Severity.OK} == {
        f'.kimi-code/agents/{a}.md' for a in (*ROLES, 'release')}
    assert snapshot(kimi_cli_project / '.kimi') == before


def test_real_kimi_accepts_all_seven_migrated_agents(kimi_code, kimi_cli_project, tmp_path):
    migrate_to_kimi_code(kimi_cli_project)
    found = kimi_code.discover(kimi_cli_project, tmp_path)
    assert {*ROLES, 'release-manager'} <= set(found.profiles), found.stderr
    assert found.warnings == []
    judgement = kimi_code.agent_file(kimi_cli_project / '.kimi-code/agents/release.md', tmp_path)
    assert judgement.ok, judgement.output


def test_unedited_bundled_roles_become_exactly_the_bundled_kimi_code_files(kimi_cli_project):
    report = migrate_to_kimi_code(kimi_cli_project)
    bundle = bundled_by_path(KIMI_CODE)
    for role in ROLES:
        rel = f'.kimi-code/agents/{role}.md'
        assert (kimi_cli_project / rel).read_bytes() == bundle[rel].content
    assert report.carried_edits == [] and report.conflicts == [] and report.skipped == []
    assert check_drift(kimi_cli_project, base_dir=".kimi-code").drifted == []


def test_the_users_agent_is_converted_and_what_did_not_carry_over_is_reported(kimi_cli_project):
    report = migrate_to_kimi_code(kimi_cli_project)
    front, body = agent_front(kimi_cli_project, 'release')
    assert front == {'name': 'release-manager', 'description': 'Cutting a release and writing its notes.',
                     'whenToUse': 'Cutting a release and writing its notes.',
                     'tools': ['Read', 'Grep', 'Bash', 'Write']}
    assert body.strip() == 'You cut releases for the payments team, working in ${cwd} on ${os}.'
    notes = '\n'.join(report.notes)
    assert 'kimi_cli.tools.think:Think dropped' in notes
    assert "model 'kimi-k2' dropped" in notes
    assert "name 'Release Manager' became 'release-manager'" in notes


def test_the_users_agent_is_not_managed_so_check_sync_and_rollback_leave_it_alone(kimi_cli_project):
    migrate_to_kimi_code(kimi_cli_project)
    manifest = AssetManifest.load(kimi_cli_project, '.kimi-code')
    assert manifest is not None
    assert {e.path for e in manifest.files} == set(bundled_by_path(KIMI_CODE))
    mine = kimi_cli_project / '.kimi-code/agents/release.md'
    mine.write_text(mine.read_text() + '\nOne more rule.\n')
    assert check_drift(kimi_cli_project, base_dir=".kimi-code").drifted == []
    assert not sync_project_assets(kimi_cli_project, target=KIMI_CODE).changed
    rollback(kimi_cli_project, target=KIMI_CODE)
    assert mine.exists() and not (kimi_cli_project / '.kimi-code/agents/architect.md').exists()


def test_an_edit_to_a_bundled_role_is_carried_over_and_stays_a_reported_local_edit(kimi_cli_project):
    prompt = kimi_cli_project / '.kimi/agents/architect/system.md'
    prompt.write_text(prompt.read_text() + '\nAlways draw a diagram.\n')
    report = migrate_to_kimi_code(kimi_cli_project)
    assert report.carried_edits == ['.kimi-code/agents/architect.md']
    migrated = kimi_cli_project / '.kimi-code/agents/architect.md'
    assert migrated.read_text().endswith('Always draw a diagram.\n')
    assert [d.path for d in check_drift(kimi_cli_project, base_dir=".kimi-code").drifted] == ['.kimi-code/agents/architect.md']
    sync = sync_project_assets(kimi_cli_project, target=KIMI_CODE)
    assert sync.kept_local == ['.kimi-code/agents/architect.md'] and 'Always draw' in migrated.read_text()


def test_an_existing_different_file_is_kept_and_the_conversion_written_beside_it(kimi_cli_project, capsys):
    mine = write(kimi_cli_project, '.kimi-code/agents/release.md', '---\ndescription: mine\n---\nMine.\n')
    assert main(['migrate', '--to', 'kimi-code']) == 1
    assert mine.read_text() == '---\ndescription: mine\n---\nMine.\n'
    assert 'release-manager' in (kimi_cli_project / '.kimi-code/agents/release.md.omk-new').read_text()
    assert '.kimi-code/agents/release.md: conflict' in capsys.readouterr().out


def test_dry_run_changes_nothing_and_plans_the_same_files(kimi_cli_project):
    before = snapshot(kimi_cli_project)
    planned = migrate_to_kimi_code(kimi_cli_project, dry_run=True)
    assert snapshot(kimi_cli_project) == before
    done = migrate_to_kimi_code(kimi_cli_project)
    assert (planned.created, planned.bundle.created) == (done.created, done.bundle.created)


def test_running_migrate_again_writes_nothing(kimi_cli_project):
    migrate_to_kimi_code(kimi_cli_project)
    before = snapshot(kimi_cli_project)
    again = migrate_to_kimi_code(kimi_cli_project)
    assert again.created == [] and not again.bundle.changed and snapshot(kimi_cli_project) == before


def test_user_skills_are_copied_with_the_frontmatter_kimi_code_requires(kimi_cli_project):
    write(kimi_cli_project, '.kimi/skills/deploy/SKILL.md', '# Deploy safely\n\nRun the checks first.\n')
    script = write(kimi_cli_project, '.kimi/skills/deploy/scripts/check.sh', '#!/bin/sh\nexit 0\n')
    script.chmod(0o755)
    write(kimi_cli_project, '.kimi/skills/notes.md', 'Flat skills need no frontmatter.\n')
    report = migrate_to_kimi_code(kimi_cli_project)
    skill = (kimi_cli_project / '.kimi-code/skills/deploy/SKILL.md').read_text()
    assert parse_frontmatter(skill)[0] == {'name': 'deploy', 'description': 'Deploy safely'}
    assert os.access(kimi_cli_project / '.kimi-code/skills/deploy/scripts/check.sh', os.X_OK)
    assert (kimi_cli_project / '.kimi-code/skills/notes.md').exists()
    assert '.kimi-code/skills/omk-managed-assets/SKILL.md' not in report.created  # bundled: synced, not copied
    assert any('added a description' in n for n in report.notes)
    assert [p for p in check_kimi_code_project(kimi_cli_project) if p.severity == 'error'] == []


def test_an_agent_that_cannot_be_read_is_reported_and_the_rest_migrated(kimi_cli_project, capsys):
    write(kimi_cli_project, '.kimi/agents/broken/agent.yaml', 'version: 1\nagent: [not, a, mapping\n')
    assert main(['migrate', '--to', 'kimi-code']) == 1
    out = capsys.readouterr().out
    assert '.kimi/agents/broken/agent.yaml: not migrated: invalid YAML' in out
    assert (kimi_cli_project / '.kimi-code/agents/release.md').exists()


def test_migrate_without_kimi_cli_assets_is_one_clear_error(repo, capsys):
    assert main(['migrate', '--to', 'kimi-code']) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'nothing to migrate' in err and 'install --target kimi-code' in err


def test_an_agent_inheriting_the_builtin_prompt_gets_kimi_codes_builtin_prompt(repo):
    write(repo, '.kimi/agents/plain/agent.yaml', 'version: 1\nagent:\n  extend: default\n  name: plain\n'
                                                 '  system_prompt_args: {ROLE_ADDITIONAL: Prefer small diffs.}\n')
    migrate_to_kimi_code(repo)
    front, body = agent_front(repo, 'plain')
    assert 'tools' in front and 'Agent' in front['tools'] and 'EnterPlanMode' in front['tools']
    assert body.strip() == '${base_prompt}\n\nPrefer small diffs.'


# --- resolving extend the way kimi-cli does ---------------------------------------------------

EXTEND_CASES = {
    'base/agent.yaml': 'version: 1\nagent:\n  extend: default\n  name: base\n  system_prompt_path: ./system.md\n'
                       '  system_prompt_args: {A: base-a, B: base-b}\n  tools: [kimi_cli.tools.file:ReadFile, '
                       'kimi_cli.tools.shell:Shell, kimi_cli.tools.file:Grep]\n  when_to_use: base use\n',
    'base/system.md': 'Base ${A} ${B}\n',
    'child/agent.yaml': 'version: 1\nagent:\n  extend: ../base/agent.yaml\n  name: child\n'
                        '  system_prompt_args: {B: child-b}\n  exclude_tools: [kimi_cli.tools.shell:Shell]\n'
                        '  subagents:\n    helper: {path: ../base/agent.yaml, description: helps}\n',
    'grandchild/agent.yaml': 'version: 1\nagent:\n  extend: ../child/agent.yaml\n  system_prompt_path: ./system.md\n'
                             '  allowed_tools: [kimi_cli.tools.file:ReadFile]\n  model: k2\n',
    'grandchild/system.md': 'Grand ${A}\n',
    'defaulted/agent.yaml': 'version: 1\nagent:\n  extend: default\n  name: defaulted\n',
}


@pytest.fixture
def extend_tree(repo):
    for rel, text in EXTEND_CASES.items():
        write(repo, f'.kimi/agents/{rel}', text)
    return repo


def resolved_json(root, agent_id):
    spec = resolve_agent_spec(root / f'.kimi/agents/{agent_id}/agent.yaml', root, lenient=True)
    return {'name': spec.name, 'prompt': str(spec.prompt_file) if spec.prompt_file else 'builtin',
            'args': dict(spec.system_prompt_args), 'tools': spec.loaded_tools, 'when_to_use': spec.when_to_use,
            'model': spec.model, 'subagents': None if spec.own_subagents is None else list(spec.own_subagents)}


def test_extend_chains_resolve_like_kimi_cli(extend_tree):
    grand = resolved_json(extend_tree, 'grandchild')
    assert grand['name'] == 'child' and grand['prompt'].endswith('/grandchild/system.md')
    assert grand['args'] == {'ROLE_ADDITIONAL': '', 'A': 'base-a', 'B': 'child-b'}
    assert grand['tools'] == ['kimi_cli.tools.file:ReadFile'] and grand['model'] == 'k2'
    assert grand['subagents'] == ['helper'] and grand['when_to_use'] == 'base use'
    assert resolved_json(extend_tree, 'child')['tools'] == ['kimi_cli.tools.file:ReadFile', 'kimi_cli.tools.file:Grep']
    assert resolved_json(extend_tree, 'defaulted')['tools'] == list(DEFAULT_AGENT_TOOLS)


JUDGE = '''
import json, os, sys
from pathlib import Path
from kimi_cli.agentspec import load_agent_spec
root = Path(sys.argv[1])
out = {}
for agent_id in sys.argv[2:]:
    s = load_agent_spec(root / '.kimi/agents' / agent_id / 'agent.yaml')
    tools = s.allowed_tools if s.allowed_tools is not None else s.tools
    prompt = os.path.realpath(s.system_prompt_path)
    out[agent_id] = {'name': s.name, 'prompt': 'builtin' if '/kimi_cli/agents/default/' in prompt else prompt,
                     'args': s.system_prompt_args, 'tools': [t for t in tools if t not in s.exclude_tools],
                     'when_to_use': s.when_to_use or '', 'model': s.model,
                     'subagents': list(s.subagents)}
print(json.dumps(out))
'''


def test_real_kimi_cli_resolves_the_same_extend_chains(extend_tree):
    kimi_cli_python()  # skips without the judge
    ids = ['base', 'child', 'grandchild', 'defaulted']
    proc = run_judge(JUDGE, str(extend_tree), *ids)
    assert proc.returncode == 0, proc.stderr
    theirs = json.loads(proc.stdout)
    for agent_id in ids:
        ours = resolved_json(extend_tree, agent_id)
        if ours['subagents'] is None:  # ours: "the built-in ones"; kimi-cli lists them
            ours['subagents'] = ['coder', 'explore', 'plan']
        assert ours == theirs[agent_id], agent_id


@pytest.mark.parametrize(('text', 'message'), [
    ('version: 2\nagent: {extend: default, name: x}\n', 'unsupported agent spec version'),
    ('version: 1\nagent: {extend: ../../../../outside.yaml, name: x}\n', 'outside the project root'),
    ('version: 1\nagent: {extend: ./agent.yaml, name: x}\n', 'extend cycle'),
    ('version: 1\nagent: {name: x, tools: []}\n', 'system prompt path is required'),
])
def test_specs_kimi_cli_would_reject_are_refused_with_the_reason(repo, text, message):
    path = write(repo, '.kimi/agents/x/agent.yaml', text)
    with pytest.raises(OmkError, match=message):
        resolve_agent_spec(path, repo, lenient=True)


def test_only_the_lenient_reading_migrate_uses_accepts_a_spec_without_a_name(repo):
    write(repo, '.kimi/agents/x/system.md', 'You help.\n')
    path = write(repo, '.kimi/agents/x/agent.yaml', 'version: 1\nagent: {system_prompt_path: ./system.md, tools: []}\n')
    with pytest.raises(OmkError, match='agent name is required'):
        resolve_agent_spec(path, repo)
    spec = resolve_agent_spec(path, repo, lenient=True)
    assert spec.name == '' and spec.own_subagents is None and spec.prompt_file == (repo / '.kimi/agents/x/system.md').resolve()
