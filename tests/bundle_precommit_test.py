"""A team bundle through the real pre-commit: the package pinned in the hooks'
``additional_dependencies`` (a local path), installed by pre-commit into the hook environment."""
from __future__ import annotations

from pathlib import Path

from omk_precommit.cli import main
from testing.bundles import ACME_PROMPT, ACME_SKILL, REMOVED_AGENT, BundlePackage
from testing.hookrepo import HookRepo, hooked_project


def _config(hook_repo: HookRepo, deps: str | None) -> str:
    extra = f'        additional_dependencies: [{deps}]\n' if deps else ''
    hooks = ''.join(f'      - id: {hook_id}\n        verbose: true\n{extra}' for hook_id in ('omk-check', 'omk-sync'))
    return f'repos:\n  - repo: {hook_repo.path}\n    rev: {hook_repo.rev}\n    hooks:\n{hooks}'


def test_a_bundle_package_in_additional_dependencies_installs_passes_the_hooks_and_blocks_drift(
    tmp_path: Path, hook_repo: HookRepo, runner_homes: dict[str, str], acme_v1: BundlePackage, monkeypatch,
):
    project = hooked_project(tmp_path / 'project', 'pre-commit', hook_repo, ('omk-check',), runner_homes)
    (project.path / '.pre-commit-config.yaml').write_text(_config(hook_repo, str(acme_v1.source)))
    project.git('commit', '-q', '--no-verify', '-am', 'pin the team bundle')
    with monkeypatch.context() as m:  # the developer's own environment has the package too
        m.syspath_prepend(str(acme_v1.site))
        assert main(['install', '--dir', str(project.path), '--target', 'kimi-cli', '--bundle', 'acme']) == 0
    assert (project.path / ACME_PROMPT).read_text().startswith('You review for ACME.')
    assert (project.path / ACME_SKILL).is_file() and not (project.path / REMOVED_AGENT).exists()

    project.git('add', '-A')
    result = project.commit('install the acme bundle')
    # omk-sync needs the bundle's files: it passes only because pre-commit installed the package.
    assert result.returncode == 0, result.stdout
    assert 'omk-sync' in result.stdout and 'not installed' not in result.stdout

    head = project.head()
    (project.path / ACME_PROMPT).write_text('You review for ACME, loosely.\n')
    project.git('add', ACME_PROMPT)
    result = project.commit('loosen the reviewer')
    assert result.returncode != 0 and project.head() == head
    assert ACME_PROMPT in result.stdout
    project.git('checkout', 'HEAD', '--', ACME_PROMPT)

    # Without the pin the hook environment lacks the bundle: omk-sync says which package to add; omk-check passes.
    (project.path / '.pre-commit-config.yaml').write_text(_config(hook_repo, None))
    project.git('add', '.pre-commit-config.yaml')
    result = project.run_hooks('--all-files')
    assert result.returncode != 0
    assert 'acme-kimi-assets==1.0.0' in result.stdout and 'additional_dependencies' in result.stdout
    check_line = next(line for line in result.stdout.splitlines() if 'omk' in line and 'check' in line.lower())
    assert 'Passed' in check_line, result.stdout
