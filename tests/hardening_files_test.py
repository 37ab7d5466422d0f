"""Files and paths (issue 13): no command loses an edit or reaches outside the asset dir.

Each test names the guarantee it proves; ``docs/guarantees.md`` ("Files and paths") lists them.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.runtimes.bundled import bundled_by_path
from testing.gitrepo import commit_all, git, snapshot
from testing.omk import omk, omk_command
from testing.unprivileged import as_other_user, hand_over, shared_tempdir

MANIFEST = '.kimi/omk-manifest.json'
RELEASE_SPEC = """version: 1
agent:
  extend: default
  name: release-manager
  system_prompt_path: ./system.md
"""


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _manifest(root: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((root / MANIFEST).read_text())


def _save(root: Path, data: object) -> None:
    (root / MANIFEST).write_text(json.dumps(data, indent=2))


def _one_line_refusal(result: object, *needles: str) -> None:
    code, out, err = result  # type: ignore[misc]
    assert code == 2, (out, err)
    assert 'Traceback' not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], err


# 1. A link inside the asset dir back into the project: refused everywhere, backups included.

def _link_up(root: Path) -> None:
    os.symlink('..', root / '.kimi/up')


def test_sync_refuses_manifest_path_through_link_inside_asset_dir_and_keeps_readme(installed: Path) -> None:
    _link_up(installed)
    readme = (installed / 'README.md').read_bytes()
    data = _manifest(installed)
    data['files'].append({'path': '.kimi/up/README.md', 'kind': 'other', 'checksum': compute_checksum(readme)})
    _save(installed, data)
    for args in (('sync',), ('sync', '--force'), ('check',), ('diff',), ('rollback',), ('install',),
                 ('install', '--dry-run'), ('rollback', '--dry-run')):
        _one_line_refusal(omk(installed, *args), '.kimi/up/README.md', 'outside .kimi/')
        assert (installed / 'README.md').read_bytes() == readme, args


def test_rollback_refuses_crafted_backup_entry_through_link_inside_asset_dir(installed: Path) -> None:
    _link_up(installed)
    readme = (installed / 'README.md').read_bytes()
    (installed / 'evil').write_text('attacker text\n')
    (installed / "README.md.omk-backup-20260101T000000000000Z").write_text("attacker text\n")
    data = _manifest(installed)
    data['files'].append({'path': '.kimi/up/README.md', 'kind': 'other', 'checksum': compute_checksum(readme)})
    data['backups'].append({'managed_path': '.kimi/up/README.md',
                            'backup_path': '.kimi/up/README.md.omk-backup-20260101T000000000000Z',
                            'created_at': '2026-01-01T00:00:00Z'})
    _save(installed, data)
    _one_line_refusal(omk(installed, 'rollback'), 'outside .kimi/')
    assert (installed / 'README.md').read_bytes() == readme
    assert (installed / 'README.md.omk-backup-20260101T000000000000Z').exists()


def test_backup_entry_alone_through_link_inside_asset_dir_is_refused(installed: Path) -> None:
    _link_up(installed)
    data = _manifest(installed)
    data['backups'].append({'managed_path': '.kimi/agents/architect/agent.yaml',
                            'backup_path': '.kimi/agents/architect/agent.yaml.omk-backup-1',
                            'created_at': '2026-01-01T00:00:00Z'})
    data['backups'].append({'managed_path': '.kimi/up/README.md',
                            'backup_path': '.kimi/up/README.md.omk-backup-1', 'created_at': '2026-01-01T00:00:00Z'})
    _save(installed, data)
    _one_line_refusal(omk(installed, 'rollback'), 'outside .kimi/')
    _one_line_refusal(omk(installed, 'check'), 'outside .kimi/')


def test_link_inside_asset_dir_that_stays_inside_is_still_accepted(installed: Path) -> None:
    os.symlink('agents', installed / '.kimi/agents-alias')
    data = _manifest(installed)
    entry = next(f for f in data['files'] if f['path'] == '.kimi/agents/architect/system.md')
    data['files'].append({**entry, 'path': '.kimi/agents-alias/architect/system.md'})
    _save(installed, data)
    assert omk(installed, 'check').code == 0


# 7. Duplicate JSON keys and control characters in paths.

@pytest.mark.parametrize('where', ['top', 'file-entry'])
def test_manifest_with_duplicate_json_keys_is_refused(installed: Path, where: str) -> None:
    text = (installed / MANIFEST).read_text()
    if where == 'top':
        text = text.replace('"version": 1,', '"version": 1, "version": 1,', 1)
    else:
        text = text.replace('"kind": "agent_spec",', '"kind": "agent_spec", "kind": "other",', 1)
    (installed / MANIFEST).write_text(text)
    for args in (('check',), ('sync',), ('rollback',)):
        _one_line_refusal(omk(installed, *args), MANIFEST, 'appears twice')


@pytest.mark.parametrize('bad', ['.kimi/a\nb.md', '.kimi/a\rb', '.kimi/x\x1b[31m', '.kimi/tab\there', '.kimi/del\x7f',
                                 '.kimi/c1\x85x', '.kimi/skills/x\n::stop-commands::tok/SKILL.md'])
@pytest.mark.parametrize('field', ['files', 'directories', 'backups'])
def test_manifest_path_with_control_characters_is_refused(installed: Path, bad: str, field: str) -> None:
    data = _manifest(installed)
    if field == 'files':
        data['files'].append({'path': bad, 'kind': 'other', 'checksum': None})
    elif field == 'directories':
        data['directories'].append(bad)
    else:
        data['backups'].append({'managed_path': bad, 'backup_path': bad + '.omk-backup-1', 'created_at': 'x'})
    _save(installed, data)
    for args in (('check',), ('sync',), ('rollback', '--dry-run')):
        _one_line_refusal(omk(installed, *args), 'control character')
    with pytest.raises(Exception, match='control character'):
        AssetManifest.load(installed)


def test_cached_check_refuses_control_characters_too(installed: Path) -> None:
    assert omk(installed, 'check').code == 0  # fills the stat cache with the clean manifest
    data = _manifest(installed)
    data['directories'].append('.kimi/x\ny')
    _save(installed, data)
    _one_line_refusal(omk(installed, 'check'), 'control character')


# 2. An edited .omk-new copy is never overwritten without a backup.

REVIEWER = '.kimi/agents/reviewer/system.md'


def _conflict(root: Path) -> Path:
    """``REVIEWER`` locally edited while the bundle changed: sync writes the bundled one beside it."""
    (root / REVIEWER).write_bytes(b'my team edited this\n')
    data = _manifest(root)
    for entry in data['files']:
        if entry['path'] == REVIEWER:
            entry['checksum'] = compute_checksum(b'an older bundled prompt\n')
    _save(root, data)
    assert omk(root, 'sync', '--sidecar').code == 1
    copy = root / (REVIEWER + '.omk-new')
    assert copy.read_bytes() == bundled_by_path()[REVIEWER].content
    return copy


def test_sync_backs_up_an_edited_omk_new_copy_before_replacing_it(installed: Path) -> None:
    copy = _conflict(installed)
    copy.write_bytes(b'half-way through my merge\n')
    result = omk(installed, 'sync', '--sidecar')
    assert result.code == 1
    assert copy.read_bytes() == bundled_by_path()[REVIEWER].content
    backups = list(copy.parent.glob('system.md.omk-new.omk-backup-*'))
    assert [b.read_bytes() for b in backups] == [b'half-way through my merge\n']
    assert any(b['backup_path'] == backups[0].relative_to(installed).as_posix() for b in _manifest(installed)['backups'])
    assert backups[0].name in result.out


def test_sync_hook_rerunning_on_every_commit_rewrites_nothing_once_the_copy_is_current(installed: Path) -> None:
    copy = _conflict(installed)
    copy.write_bytes(b'half-way through my merge\n')
    omk(installed, 'sync', '--sidecar')
    before = snapshot(installed)
    mtime = copy.stat().st_mtime_ns
    for _ in range(3):  # what the omk-sync hook does on each attempt to commit
        assert omk(installed, 'sync', '--sidecar').code == 1
    assert snapshot(installed) == before and copy.stat().st_mtime_ns == mtime
    assert len(list(copy.parent.glob('system.md.omk-new.omk-backup-*'))) == 1


def test_rollback_keeps_the_backup_of_an_edited_omk_new_copy(installed: Path) -> None:
    copy = _conflict(installed)
    copy.write_bytes(b'half-way through my merge\n')
    omk(installed, 'sync', '--sidecar')
    assert omk(installed, 'rollback').code == 0
    assert [b.read_bytes() for b in copy.parent.glob('system.md.omk-new.omk-backup-*')] == [b'half-way through my merge\n']
    assert (installed / REVIEWER).read_bytes() == b'my team edited this\n'


def test_migrate_backs_up_an_edited_omk_new_copy_before_replacing_it(installed: Path) -> None:
    _write(installed, '.kimi/agents/release/agent.yaml', RELEASE_SPEC)
    _write(installed, '.kimi/agents/release/system.md', 'You cut releases.\n')
    mine = _write(installed, '.kimi-code/agents/release.md', '---\ndescription: mine\n---\nMine.\n')
    assert main(['migrate', '--to', 'kimi-code', '--dir', str(installed)]) == 1
    copy = mine.with_name('release.md.omk-new')
    converted = copy.read_bytes()
    copy.write_text('my merge in progress\n')
    assert main(['migrate', '--to', 'kimi-code', '--dir', str(installed)]) == 1
    assert copy.read_bytes() == converted
    assert [b.read_text() for b in mine.parent.glob('release.md.omk-new.omk-backup-*')] == ['my merge in progress\n']
    assert mine.read_text() == '---\ndescription: mine\n---\nMine.\n'
    before = snapshot(installed)
    assert main(['migrate', '--to', 'kimi-code', '--dir', str(installed)]) == 1
    assert snapshot(installed) == before  # the copy is current: nothing rewritten, no second backup


# 3. Rollback restores the project as it was: pre-existing identical files and symlinks included.

def test_rollback_keeps_a_committed_file_identical_to_the_bundled_one(repo: Path) -> None:
    asset = bundled_by_path()[REVIEWER]
    _write(repo, REVIEWER, asset.content.decode())
    commit_all(repo, 'our own copy of the reviewer prompt')
    install_project_assets(repo)
    entry = next(f for f in _manifest(repo)['files'] if f['path'] == REVIEWER)
    assert entry['preexisting'] is True
    assert not any('preexisting' in f for f in _manifest(repo)['files'] if f['path'] != REVIEWER)
    result = omk(repo, 'rollback')
    assert result.code == 0, result
    assert (repo / REVIEWER).read_bytes() == asset.content
    assert git(repo, 'status', '--porcelain').stdout == ''


def test_rollback_restores_the_original_of_a_preexisting_file_sync_later_updated(repo: Path) -> None:
    original = bundled_by_path()[REVIEWER].content
    _write(repo, REVIEWER, original.decode())
    install_project_assets(repo)
    # The bundle moves on: the recorded version is an older one, which is what is on disk.
    old = b'the prompt as the project had it\n'
    (repo / REVIEWER).write_bytes(old)
    data = _manifest(repo)
    for entry in data['files']:
        if entry['path'] == REVIEWER:
            entry['checksum'] = compute_checksum(old)
    _save(repo, data)
    assert 'backup of the file it replaced' in omk(repo, 'sync').out  # updated, after a backup of the project's bytes
    assert (repo / REVIEWER).read_bytes() == original
    assert omk(repo, 'rollback').code == 0
    assert (repo / REVIEWER).read_bytes() == old


@pytest.mark.parametrize('target', ['../architect/system.md', 'system-real.md'])
def test_rollback_puts_back_a_managed_path_that_was_a_symlink_as_the_same_symlink(repo: Path, target: str) -> None:
    link = repo / REVIEWER
    link.parent.mkdir(parents=True)
    if target == 'system-real.md':
        (link.parent / target).write_text('the real prompt, kept beside the link\n')
    else:
        _write(repo, '.kimi/agents/architect/system.md', 'an architect prompt of our own\n')
    os.symlink(target, link)
    commit_all(repo, 'prompt as a link')
    install_project_assets(repo)
    assert not link.is_symlink()
    result = omk(repo, 'rollback')
    assert result.code == 0, result
    assert link.is_symlink() and os.readlink(link) == target
    assert git(repo, 'status', '--porcelain').stdout == ''


def test_rollback_run_twice_after_restoring_a_link_is_a_no_op(repo: Path) -> None:
    link = repo / REVIEWER
    link.parent.mkdir(parents=True)
    (link.parent / 'mine.md').write_text('mine\n')
    os.symlink('mine.md', link)
    install_project_assets(repo)
    assert omk(repo, 'rollback').code == 0
    assert omk(repo, 'rollback').code == 0
    assert link.is_symlink() and os.readlink(link) == 'mine.md'


# 5. migrate judges every source before it writes anything: one line, exit 2, project untouched.

def _skill_project(root: Path) -> Path:
    assert omk(root, 'install').code == 0
    _write(root, '.kimi/skills/deploy/SKILL.md', '---\nname: deploy\ndescription: Deploy safely.\n---\nRun checks.\n')
    return root / '.kimi/skills/deploy'


def _refused_and_nothing_written(root: Path, result: object, *needles: str) -> None:
    _one_line_refusal(result, *needles, 'nothing was written')
    assert not (root / '.kimi-code').exists()


def test_migrate_refuses_a_fifo_in_a_user_skill_without_waiting_on_it(repo: Path) -> None:
    skill = _skill_project(repo)
    os.mkfifo(skill / 'pipe')
    proc = subprocess.run(omk_command(repo, 'migrate', '--to', 'kimi-code'), capture_output=True, text=True, timeout=60)
    _refused_and_nothing_written(repo, (proc.returncode, proc.stdout, proc.stderr), '.kimi/skills/deploy/pipe', 'FIFO')


def test_migrate_refuses_a_fifo_as_a_user_agents_prompt_without_waiting_on_it(repo: Path) -> None:
    assert omk(repo, 'install').code == 0
    _write(repo, '.kimi/agents/release/agent.yaml', RELEASE_SPEC)
    os.mkfifo(repo / '.kimi/agents/release/system.md')
    proc = subprocess.run(omk_command(repo, 'migrate', '--to', 'kimi-code'), capture_output=True, text=True, timeout=60)
    assert 'release' in proc.stdout and 'FIFO' in proc.stdout and 'Traceback' not in proc.stderr  # reported, not migrated


def test_migrate_refuses_a_skill_name_that_is_not_utf8_before_writing(repo: Path) -> None:
    _skill_project(repo)
    bad = os.path.join(os.fsencode(repo / '.kimi/skills'), b'caf\xe9')
    os.mkdir(bad)
    with open(os.path.join(bad, b'SKILL.md'), 'w') as f:
        f.write('---\nname: cafe\ndescription: x\n---\n')
    _refused_and_nothing_written(repo, omk(repo, 'migrate', '--to', 'kimi-code'), 'caf\\xe9', 'not valid UTF-8')


def test_migrate_refuses_an_agent_name_that_is_not_utf8_before_writing(repo: Path) -> None:
    assert omk(repo, 'install').code == 0
    bad = os.path.join(os.fsencode(repo / '.kimi/agents'), b'r\xff')
    os.mkdir(bad)
    with open(os.path.join(bad, b'agent.yaml'), 'w') as f:
        f.write(RELEASE_SPEC)
    _refused_and_nothing_written(repo, omk(repo, 'migrate', '--to', 'kimi-code'), 'not valid UTF-8')


@pytest.mark.parametrize('what', ['SKILL.md', 'directory'])
def test_migrate_refuses_an_unreadable_skill_file_or_directory_before_writing(what: str) -> None:
    with shared_tempdir() as root:
        skill = _skill_project(root)
        hand_over(root)
        os.chmod(skill / 'SKILL.md' if what == 'SKILL.md' else skill, 0o000)
        result = as_other_user(lambda: omk(root, 'migrate', '--to', 'kimi-code'))
        needle = 'cannot read (Permission denied)' if what == 'SKILL.md' else 'cannot list (Permission denied)'
        _refused_and_nothing_written(root, result, '.kimi/skills/deploy', needle)


# 6. A bare repository is refused; a sparse checkout's excluded paths are skipped and reported.

@pytest.mark.parametrize('how', ['cwd', '--dir', 'cwd-below'])
def test_install_in_a_bare_repository_refuses_instead_of_writing_into_the_git_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str,
) -> None:
    bare = tmp_path / 'project.git'
    subprocess.run(('git', 'init', '-q', '--bare', str(bare)), check=True)
    before = sorted(p.relative_to(bare).as_posix() for p in bare.rglob('*'))
    monkeypatch.chdir(bare / 'refs' if how == 'cwd-below' else bare)
    args = ['install'] + (['--dir', str(bare)] if how == '--dir' else [])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    _one_line_refusal((code, out.getvalue(), err.getvalue()), 'bare repository')
    assert sorted(p.relative_to(bare).as_posix() for p in bare.rglob('*')) == before


def _sparse(repo: Path, *patterns: str, cone: bool = True) -> None:
    git(repo, 'sparse-checkout', 'set', *(() if cone else ('--no-cone',)), *patterns)


def test_sync_in_a_sparse_checkout_without_the_asset_dir_restores_nothing(installed: Path) -> None:
    _write(installed, 'src/main.py', 'print(1)\n')
    commit_all(installed, 'src')
    _sparse(installed, 'src')
    assert not (installed / '.kimi').exists()
    for args in (('sync', '--fail-on-change'), ('sync',), ('install',)):
        result = omk(installed, *args)
        assert result.code == 0, (args, result)
        assert not (installed / '.kimi').exists(), args
    assert 'outside this sparse checkout' in omk(installed, 'sync', '--fail-on-change').out
    assert 'installed: 0 files changed' in omk(installed, 'install').out
    assert git(installed, 'status', '--porcelain').stdout == ''


def test_sync_in_a_sparse_checkout_skips_excluded_managed_paths_and_keeps_created_at(installed: Path) -> None:
    manifest = (installed / MANIFEST).read_bytes()
    _sparse(installed, '/*', '!/.kimi/agents/', cone=False)
    assert not (installed / '.kimi/agents').exists() and (installed / MANIFEST).exists()
    result = omk(installed, 'sync', '--fail-on-change')
    assert result.code == 0, result
    assert 'outside this sparse checkout' in result.out
    assert not (installed / '.kimi/agents').exists()
    assert (installed / MANIFEST).read_bytes() == manifest  # created_at and every entry as they were
    assert git(installed, 'status', '--porcelain').stdout == ''
    check = omk(installed, 'check')
    assert check.code == 0 and '12 outside this sparse checkout' in check.out, check
    doctor = omk(installed, 'doctor')
    assert 'managed file is missing' not in doctor.out and 'outside this sparse checkout' in doctor.out, doctor
    (installed / '.kimi/hooks/notify.sh').write_text('edited\n')  # drift inside the cone still counts
    assert omk(installed, 'check').code == 1
    git(installed, 'checkout', '--', '.kimi/hooks/notify.sh')
    _sparse(installed, '/*', cone=False)  # back to a full checkout: everything is there and clean
    assert omk(installed, 'sync', '--fail-on-change').code == 0


def test_rollback_ignores_a_hooks_record_whose_config_links_out_of_the_asset_dir(installed: Path) -> None:
    table = '[[hooks]]\nevent = "Stop"\ncommand = "x"\n'
    project_file = installed / 'hooks.toml'
    project_file.write_text(table)
    os.symlink('../hooks.toml', installed / '.kimi/config.toml')
    (installed / '.kimi/config.toml.omk-hooks.json').write_text(json.dumps({
        'version': 1, 'cli': 'kimi-cli', 'created_file': True, 'created_parent_dirs': 0,
        'tables': [{'table': {'event': 'Stop', 'command': 'x'}, 'inserted': table}],
    }))
    assert omk(installed, 'rollback').code == 0
    assert project_file.read_text() == table
