"""The staged doctor's temporary tree leaves out what no check looks at, and changes no verdict.

``doctor --staged`` writes the staged asset dir to a temporary tree, but not the bulk of large
skills: the files no check of the runtime looks at (``Runtime.doctor_looks_at``), judged from
their blob ids instead, unless something the checks read points at them. The judge here is the
doctor itself on a clone of the same commit, where every file is on disk: for random skill trees
(skills that load, are missing, misnamed or broken, sub-skills, support files of every kind,
symlinks into them, agents and hooks pointing into them, managed files edited or missing), the
two must report the same thing.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from omk_precommit import diagnose_project
from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from omk_precommit.doctor.staged import staged_tree
from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.findings import DiagResult
from omk_precommit.engine.fsutil import make_directory_within
from omk_precommit.runtimes.registry import RUNTIMES, get_runtime
from testing.gitrepo import commit_all, git

STAGED_SUMMARY = ('checked as staged in the git index', 'skipped ')
SUPPORT_FILES = ('notes.md', 'scripts/run.sh', 'ref/base.yaml', 'ref/prompt.md', 'data.MD', 'deep/er/SKILL.md',
                 'deep/notes.txt', 'skill.md', 'Skill.MD', 'assets/logo.svg', '.hidden/SKILL.md', 'node_modules/x.md')


def skill_md(name: str, *, sub_skills: bool = False) -> str:
    return (f'---\nname: {name}\ndescription: A skill the tests made.\n'
            + ('has-sub-skill: true\n' if sub_skills else '') + '---\nDo the thing.\n')


def random_assets(rng: random.Random, base_dir: str) -> tuple[dict[str, str], dict[str, str]]:
    """Files (path -> text) and symlinks (path -> target) of a random skills tree under ``base_dir``,
    with an agent, a prompt and a hook pointing into it."""
    files: dict[str, str] = {}
    skills = f'{base_dir}/skills'
    for i in range(14):
        name, where = f's{i}', f'{skills}/s{i}'
        shape = rng.choice(['ok', 'ok', 'missing', 'misnamed', 'broken', 'parent', 'directory-named-skill'])
        if shape == 'ok':
            files[f'{where}/SKILL.md'] = skill_md(name)
        elif shape == 'misnamed':
            files[f'{where}/skill.md'] = skill_md(name)
        elif shape == 'broken':
            files[f'{where}/SKILL.md'] = '---\nname: Not A Name\n---\n'
        elif shape == 'parent':
            files[f'{where}/SKILL.md'] = skill_md(name, sub_skills=True)
            files[f'{where}/child/SKILL.md'] = skill_md('child')
        elif shape == 'directory-named-skill':
            files[f'{where}/SKILL.MD/inside.txt'] = 'a directory with the name of a skill file\n'
        for support in rng.sample(SUPPORT_FILES, rng.randint(0, 5)):
            files.setdefault(f'{where}/{support}', f'support file {support} of {name}\n')
    for i in range(3):
        files[f'{skills}/flat{i}.md'] = skill_md(f'flat{i}') if i else 'no frontmatter\n'
    links = {f'{skills}/to-s0': 's0', f'{skills}/to-ref': 's1/ref', f'{skills}/s2/to-notes': '../s3/notes.md',
             f'{skills}/to-nothing.md': 's9/missing.md'}
    files.setdefault(f'{skills}/s1/ref/base.yaml', 'version: 1\nagent:\n  extend: default\n  name: base\n')
    files.setdefault(f'{skills}/s1/ref/prompt.md', 'You are a test agent.\n')
    files[f'{skills}/s4/scripts/hook.sh'] = 'echo no shebang\n'
    if base_dir == '.kimi':
        files[f'{base_dir}/agents/mine/agent.yaml'] = (
            'version: 1\nagent:\n  extend: ../../skills/s1/ref/base.yaml\n  name: mine\n'
            '  system_prompt_path: ../../skills/s1/ref/prompt.md\n')
    return files, links


def build(root: Path, rng: random.Random, runtime: str) -> None:
    """Install ``runtime``, add a random tree, manage some of it (some managed files then edited or
    removed), point a hook into it, and commit it all."""
    base_dir = get_runtime(runtime).base_dir
    install_project_assets(root, target=runtime)
    (root / 'AGENTS.md').write_text('Run the tests.\n')
    files, links = random_assets(rng, base_dir)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    for rel, target in links.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / rel)
    example = root / base_dir / 'hooks.toml.example'
    example.write_text(example.read_text() + f'\n[[hooks]]\nevent = "Stop"\ncommand = "{base_dir}/skills/s4/scripts/hook.sh"\n')
    manifest_path = root / base_dir / 'omk-manifest.json'
    manifest = json.loads(manifest_path.read_text())
    managed = rng.sample(sorted(files), len(files) // 2)
    for rel in managed:
        manifest['files'].append({'path': rel, 'kind': 'other', 'checksum': compute_checksum(files[rel])})
    manifest['files'].sort(key=lambda e: e['path'])
    manifest_path.write_text(json.dumps(manifest, indent=2) + '\n')
    for rel in rng.sample(managed, 3):
        (root / rel).write_text('edited after omk-kimi wrote it\n')
    for rel in rng.sample(managed, 2):
        (root / rel).unlink()
    commit_all(root, 'assets')


def errors_of(results: list[DiagResult]) -> list[str]:
    return [r.message for r in results if r.severity.value == 'error']


def comparable(results: list[DiagResult], root: Path) -> list[tuple[str, str, str, str, str]]:
    return [(r.check, r.severity.value, r.path or '', r.message.replace(str(root), '<root>'),
             (r.fix or '').replace(str(root), '<root>'))
            for r in results if not r.message.startswith(STAGED_SUMMARY)]


@pytest.mark.parametrize('runtime', sorted(RUNTIMES))
@pytest.mark.parametrize('seed', range(3))
def test_staged_doctor_reports_what_the_doctor_reports_on_a_clone(repo: Path, tmp_path: Path, runtime: str, seed: int):
    build(repo, random.Random(seed), runtime)
    clone = tmp_path / 'clone'
    git(tmp_path, 'clone', '-q', str(repo), str(clone))

    staged = diagnose_project(repo, staged=True, target=runtime)
    on_disk = diagnose_project(clone, target=runtime)

    assert comparable(staged, repo) == comparable(on_disk, clone)
    with staged_tree(repo, get_runtime(runtime)) as tree:
        assert tree.left_out, 'the tree wrote every file: this test would prove nothing'


def test_the_bulk_of_a_large_skill_is_not_written(repo: Path):
    install_project_assets(repo)
    bulk = [f'.kimi/skills/big/files/f{i}.txt' for i in range(50)]
    (repo / '.kimi/skills/big/files').mkdir(parents=True)
    (repo / '.kimi/skills/big/SKILL.md').write_text(skill_md('big'))
    for rel in bulk:
        (repo / rel).write_text(f'{rel}\n')
    commit_all(repo, 'a large skill')

    with staged_tree(repo, get_runtime('kimi-cli')) as tree:
        assert tree.left_out == frozenset(bulk)
        assert (tree.root / '.kimi/skills/big/SKILL.md').is_file()
        assert not (tree.root / '.kimi/skills/big/files').exists()  # no check lists a skill's subfolders
        assert not any((tree.root / rel).exists() for rel in bulk)


def test_a_skill_folder_holding_only_left_out_files_is_still_there(repo: Path):
    install_project_assets(repo)
    (repo / '.kimi/skills/bare/scripts').mkdir(parents=True)
    (repo / '.kimi/skills/bare/scripts/run.sh').write_text('echo\n')
    commit_all(repo, 'a skill without SKILL.md')

    with staged_tree(repo, get_runtime('kimi-cli')) as tree:
        assert tree.left_out == {'.kimi/skills/bare/scripts/run.sh'}
        assert (tree.root / '.kimi/skills/bare').is_dir()
        assert not (tree.root / '.kimi/skills/bare/scripts').exists()
    assert errors_of(diagnose_project(repo, staged=True)) == ['skill directory has no SKILL.md, so Kimi CLI ignores it']


def test_a_managed_file_that_differs_in_the_index_is_written_and_reported(repo: Path):
    install_project_assets(repo)
    rel = '.kimi/skills/big/files/data.txt'
    (repo / rel).parent.mkdir(parents=True)
    (repo / rel).write_text('as omk-kimi wrote it\n')
    manifest_path = repo / '.kimi/omk-manifest.json'
    manifest = json.loads(manifest_path.read_text())
    manifest['files'].append({'path': rel, 'kind': 'other', 'checksum': compute_checksum('as omk-kimi wrote it\n')})
    manifest_path.write_text(json.dumps(manifest))
    commit_all(repo, 'managed')
    (repo / rel).write_text('edited and staged\n')
    git(repo, 'add', rel)
    (repo / rel).write_text('as omk-kimi wrote it\n')  # the working tree is clean again: only the index differs

    with staged_tree(repo, get_runtime('kimi-cli')) as tree:
        assert rel not in tree.left_out
        assert (tree.root / rel).read_text() == 'edited and staged\n'
    edited = [r for r in diagnose_project(repo, staged=True) if r.path == rel]
    assert [r.message for r in edited] == ['managed file was edited since omk-kimi wrote it']
    assert not [r for r in diagnose_project(repo) if r.path == rel and r.check == 'manifest']


@pytest.mark.parametrize(('runtime', 'rel', 'looked_at'), [
    ('kimi-cli', '.kimi/agents/x/agent.yaml', True),
    ('kimi-cli', '.kimi/hooks/a.sh', True),
    ('kimi-cli', '.kimi/omk-manifest.json', True),
    ('kimi-cli', '.kimi/skills/a.md', True),
    ('kimi-cli', '.kimi/skills/a', True),
    ('kimi-cli', '.kimi/skills/a/SKILL.md', True),
    ('kimi-cli', '.kimi/skills/a/skill.MD', True),
    ('kimi-cli', '.kimi/skills/a/notes.md', False),
    ('kimi-cli', '.kimi/skills/a/b/SKILL.md', False),
    ('kimi-cli', '.kimi/skillsx/a/b/c', True),
    ('kimi-code', '.kimi-code/skills/a/SKILL.md', True),
    ('kimi-code', '.kimi-code/skills/a/b/c/SKILL.md', True),
    ('kimi-code', '.kimi-code/skills/a/skill.md', False),
    ('kimi-code', '.kimi-code/skills/a/b/notes.MD', True),
    ('kimi-code', '.kimi-code/skills/a/notes.md', False),
    ('kimi-code', '.kimi-code/skills/a/run.sh', False),
    ('kimi-code', '.kimi-code/agents/a/b.md', True),
    ('kimi-code', '.kimi-code/skills/x.md', True),
])
def test_what_the_checks_look_at(runtime: str, rel: str, looked_at: bool):
    assert get_runtime(runtime).doctor_looks_at(rel) is looked_at


def test_the_doctor_keeps_the_blob_cache_check_staged_keeps(repo: Path):
    install_project_assets(repo)
    for i in range(20):
        (repo / f'.kimi/skills/big/files/f{i}.txt').parent.mkdir(parents=True, exist_ok=True)
        (repo / f'.kimi/skills/big/files/f{i}.txt').write_text(f'file {i}\n')
    (repo / '.kimi/skills/big/SKILL.md').write_text(skill_md('big'))
    manifest_path = repo / '.kimi/omk-manifest.json'
    manifest = json.loads(manifest_path.read_text())
    manifest['files'] += [{'path': f'.kimi/skills/big/files/f{i}.txt', 'kind': 'other',
                           'checksum': compute_checksum(f'file {i}\n')} for i in range(20)]
    manifest_path.write_text(json.dumps(manifest))
    commit_all(repo, 'a large managed skill')
    assert main(['check', '--staged']) == 0
    blobs = repo / '.git' / 'omk-check-blobs.kimi'
    before = blobs.read_bytes()

    with staged_tree(repo, get_runtime('kimi-cli')) as tree:
        assert len(tree.left_out) == 20

    assert blobs.read_bytes() == before  # not rewritten without the fingerprints of the files the doctor read


@pytest.mark.parametrize('rel', ['.kimi/skills/a', '.kimi/skills/../../outside/a', '.kimi/./skills/b', '{outside}/abs'])
def test_a_folder_is_never_made_through_a_symlink_or_out_of_the_tree(tmp_path: Path, rel: str):
    tree, outside = tmp_path / 'tree', tmp_path / 'outside'
    (tree / '.kimi').mkdir(parents=True)
    outside.mkdir()
    os.symlink(outside, tree / '.kimi' / 'skills')
    before = sorted(tmp_path.rglob('*'))

    make_directory_within(tree, rel.format(outside=outside))

    assert sorted(tmp_path.rglob('*')) == before


def test_a_folder_inside_the_tree_is_made(tmp_path: Path):
    make_directory_within(tmp_path, '.kimi/skills/a')
    assert (tmp_path / '.kimi/skills/a').is_dir()


# Found by black-box testing: each of these once gave a staged verdict that differed from a clone's.

def same_as_on_a_clone(repo: Path, tmp_path: Path, runtime: str = 'kimi-cli', *, strict: bool = False) -> list[str]:
    """Commit what is staged, and hold the staged verdict to the doctor's on a clone of it; the errors."""
    staged = diagnose_project(repo, staged=True, target=runtime, strict=strict)
    commit_all(repo, 'the staged files')
    clone = tmp_path / 'clone'
    git(tmp_path, 'clone', '-q', str(repo), str(clone))
    assert comparable(staged, repo) == comparable(diagnose_project(clone, target=runtime, strict=strict), clone)
    return errors_of(staged)


def add_skill(root: Path, rel: str, name: str) -> None:
    (root / rel).mkdir(parents=True, exist_ok=True)
    (root / rel / 'SKILL.md').write_text(skill_md(name))


def add_file(root: Path, rel: str, text: str, mode: int = 0o644) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)
    (root / rel).chmod(mode)


def add_agent(root: Path, *, extend: str = 'default', system_prompt_path: str | None = None) -> None:
    """The Kimi CLI agent ``mine``, extending ``extend``, with its prompt at ``system_prompt_path`` if given."""
    prompt = f'  system_prompt_path: {system_prompt_path}\n' if system_prompt_path else ''
    add_file(root, '.kimi/agents/mine/agent.yaml', f'version: 1\nagent:\n  extend: {extend}\n  name: mine\n{prompt}')


def test_a_dotdot_after_a_symlink_leads_where_the_link_leads(repo: Path, tmp_path: Path):
    install_project_assets(repo)
    skills = '.kimi/skills'
    add_skill(repo, f'{skills}/c', 'c')
    add_skill(repo, f'{skills}/c/sub', 'x')
    add_skill(repo, f'{skills}/c/deep', 'wrong')
    os.symlink('c/sub', repo / skills / 'x')
    os.symlink('x/../deep', repo / skills / 'a')  # the OS follows x first: c/deep, not skills/deep
    add_file(repo, f'{skills}/c/deep/run.sh', '#!/bin/sh\nexit 0\n', 0o755)
    example = repo / '.kimi/hooks.toml.example'
    example.write_text(example.read_text() + f'\n[[hooks]]\nevent = "Stop"\ncommand = "{skills}/x/../deep/run.sh"\n')
    git(repo, 'add', '-A')

    found = same_as_on_a_clone(repo, tmp_path)
    assert "name 'wrong' must equal the skill's directory or file name 'a'" in ' '.join(found)


def test_a_template_prompt_kept_in_a_skill_folder_can_include_its_neighbours(repo: Path, tmp_path: Path):
    install_project_assets(repo)
    add_skill(repo, '.kimi/skills/foo', 'foo')
    add_file(repo, '.kimi/skills/foo/prompts/system.md', 'Hi\n{% include "part.md" %}\n')
    add_file(repo, '.kimi/skills/foo/prompts/part.md', 'the included part\n')
    add_agent(repo, system_prompt_path='../../skills/foo/prompts/system.md')
    git(repo, 'add', '-A')

    assert same_as_on_a_clone(repo, tmp_path) == []


def test_an_extend_chain_is_followed_whatever_the_file_names(repo: Path, tmp_path: Path):
    install_project_assets(repo)
    add_skill(repo, '.kimi/skills/foo', 'foo')
    add_file(repo, '.kimi/skills/foo/specs/base.agent', 'version: 1\nagent:\n  extend: root.yaml\n  name: base\n')
    add_file(repo, '.kimi/skills/foo/specs/root.yaml', 'version: 1\nagent:\n  extend: default\n  name: root\n')
    add_agent(repo, extend='../../skills/foo/specs/base.agent')
    git(repo, 'add', '-A')

    assert same_as_on_a_clone(repo, tmp_path) == []


def test_a_config_linked_to_a_file_of_another_name_is_read_as_a_config(repo: Path, tmp_path: Path):
    install_project_assets(repo)
    add_skill(repo, '.kimi/skills/foo', 'foo')
    add_file(repo, '.kimi/skills/foo/scripts/gate.sh', '#!/bin/sh\nexit 0\n', 0o755)
    add_file(repo, '.kimi/skills/foo/conf/hooks.toml',
             '[[hooks]]\nevent = "Stop"\ncommand = ".kimi/skills/foo/scripts/gate.sh"\n')
    os.symlink('skills/foo/conf/hooks.toml', repo / '.kimi/config.toml')
    git(repo, 'add', '-A')

    same_as_on_a_clone(repo, tmp_path)


def test_a_backup_beside_a_managed_file_in_a_skill_folder_is_found(repo: Path, tmp_path: Path):
    install_project_assets(repo)
    add_skill(repo, '.kimi/skills/foo', 'foo')
    managed, backup = '.kimi/skills/foo/scripts/run.sh', '.kimi/skills/foo/scripts/run.sh.omk-backup-20260101T000000Z'
    add_file(repo, managed, 'echo managed\n')
    add_file(repo, backup, 'echo the original\n')
    manifest_path = repo / '.kimi/omk-manifest.json'
    manifest = json.loads(manifest_path.read_text())
    manifest['files'].append({'path': managed, 'kind': 'other', 'checksum': compute_checksum('echo managed\n')})
    manifest['backups'] = [{'managed_path': managed, 'backup_path': backup, 'created_at': '2026-01-01T00:00:00Z'}]
    (repo / 'AGENTS.md').write_text('Run the tests.\n')
    manifest_path.write_text(json.dumps(manifest))
    git(repo, 'add', '-A')

    assert same_as_on_a_clone(repo, tmp_path, strict=True) == []


def test_a_managed_path_that_is_a_folder_in_the_commit_is_drift_not_missing(repo: Path, tmp_path: Path):
    install_project_assets(repo)
    add_skill(repo, '.kimi/skills/foo', 'foo')
    add_file(repo, '.kimi/skills/foo/scripts/sub/run.sh', 'echo\n')
    manifest_path = repo / '.kimi/omk-manifest.json'
    manifest = json.loads(manifest_path.read_text())
    manifest['files'].append({'path': '.kimi/skills/foo/scripts', 'kind': 'other', 'checksum': '0123456789abcdef'})
    manifest_path.write_text(json.dumps(manifest))
    git(repo, 'add', '-A')

    same_as_on_a_clone(repo, tmp_path)


def test_a_link_to_a_large_left_out_folder_fetches_it_without_an_argument_list(repo: Path, tmp_path: Path):
    install_project_assets(repo)
    add_skill(repo, '.kimi/skills/big', 'big')
    add_skill(repo, '.kimi/skills/other', 'other')
    vendor = repo / '.kimi/skills/big/node_modules/some-package-with-a-long-name/lib'
    vendor.mkdir(parents=True)
    for i in range(3500):  # ~190 KB of paths: more than the 128 KiB argument list below
        (vendor / f'module-number-{i:05d}.js').write_text('')
    os.symlink('../big/node_modules', repo / '.kimi/skills/other/vendor')
    commit_all(repo, 'a vendored package')

    def small_argument_list() -> None:  # the smallest the kernel allows: ARG_MAX is a quarter of the stack, >= 128 KiB
        import resource

        resource.setrlimit(resource.RLIMIT_STACK, (256 * 1024, 256 * 1024))

    done = subprocess.run((sys.executable, '-m', 'omk_precommit', 'doctor', '--staged'), cwd=repo,
                          capture_output=True, text=True, preexec_fn=small_argument_list)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_linked_template_prompt_includes_from_the_folder_of_the_link(repo: Path, tmp_path: Path):
    install_project_assets(repo)
    (repo / 'docs/p').mkdir(parents=True)
    add_file(repo, 'docs/t/system.md', 'Hello\n{% include "part.md" %}\n{% include "sub/more.md" %}\n')
    add_file(repo, 'docs/p/part.md', 'part\n')
    add_file(repo, 'docs/p/sub/more.md', 'more\n')
    os.symlink('../t/system.md', repo / 'docs/p/system.md')  # Jinja's loader is rooted where the spec points
    add_agent(repo, system_prompt_path='../../../docs/p/system.md')
    git(repo, 'add', '-A')

    assert same_as_on_a_clone(repo, tmp_path) == []


def test_chains_longer_than_eight_are_followed(repo: Path, tmp_path: Path):
    install_project_assets(repo)
    for i in range(1, 12):
        parent = f'a{i + 1}.yaml' if i < 11 else 'default'
        add_file(repo, f'docs/a{i}.yaml', f'version: 1\nagent:\n  extend: {parent}\n  name: a{i}\n')
    add_agent(repo, extend='../../../docs/a1.yaml')
    (repo / 'l').mkdir()
    add_file(repo, 'l/l10', '[[hooks]]\nevent = "Stop"\ncommand = ".kimi/hooks/notify.sh"\n')
    for i in range(1, 10):
        os.symlink(f'l{i + 1}', repo / f'l/l{i}')
    os.symlink('../l/l1', repo / '.kimi/config.toml')
    git(repo, 'add', '-A')

    same_as_on_a_clone(repo, tmp_path)


def test_a_submodule_in_the_skills_is_an_empty_folder_as_in_a_clone(repo: Path, tmp_path: Path):
    vendored = tmp_path / 'vendored'
    git(tmp_path, 'init', '-q', str(vendored))
    add_file(vendored, 'SKILL.md', '---\nname: Not Valid\n---\n')
    git(vendored, '-c', 'user.email=t@example.invalid', '-c', 'user.name=t', 'add', '-A')
    git(vendored, '-c', 'user.email=t@example.invalid', '-c', 'user.name=t', 'commit', '-q', '-m', 'skill')
    install_project_assets(repo)
    git(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', str(vendored), '.kimi/skills/vend')
    git(repo, 'add', '-A')

    found = same_as_on_a_clone(repo, tmp_path)
    assert 'skill directory has no SKILL.md, so Kimi CLI ignores it' in found


@pytest.mark.parametrize('command', ['docs/lnk/run.sh', 'docs/x/../run.sh', '.kimi/lnk/root/scripts/run.sh'])
def test_a_script_reached_through_a_link_outside_the_asset_dir_is_found(repo: Path, tmp_path: Path, command: str):
    install_project_assets(repo)
    add_file(repo, 'scripts/run.sh', '#!/bin/sh\nexit 0\n', 0o755)
    add_file(repo, 'scripts/sub/keep', '')
    (repo / 'docs').mkdir()
    os.symlink('../scripts', repo / 'docs/lnk')
    os.symlink('../scripts/sub', repo / 'docs/x')
    (repo / '.kimi/lnk').mkdir()
    os.symlink('../..', repo / '.kimi/lnk/root')
    example = repo / '.kimi/hooks.toml.example'
    example.write_text(example.read_text() + f'\n[[hooks]]\nevent = "Stop"\ncommand = "{command}"\n')
    git(repo, 'add', '-A')

    assert same_as_on_a_clone(repo, tmp_path) == []
