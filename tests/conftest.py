from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from omk_precommit.commands.install import install_project_assets
from testing import judges
from testing.bundles import BundlePackage, acme_package
from testing.cache import session_build
from testing.gitrepo import commit_all, git, init_repo
from testing.guard import describe_changes, untouchable_state
from testing.hookrepo import HookRepo, snapshot_hook_repo
from testing.judges import JUDGE_SKIP, KIMI_CLI, KIMI_CODE, JudgeUnavailable, skip_without, used
from testing.kimi_cli import install_kimi_cli
from testing.kimi_code import KimiCode, install_kimi_code
from testing.pathenv import path_without
from testing.tier import TIER_VAR, TIERS, is_full, tier

# No example database in the repository: tests write only to their temporary directories.
settings.register_profile('omk', database=None)
settings.load_profile('omk')


def pytest_configure(config: pytest.Config) -> None:
    if tier() not in TIERS:
        raise pytest.UsageError(f'{TIER_VAR}={tier()!r} is not a test tier: use fast (the default) or full')


def pytest_report_header(config: pytest.Config) -> str:
    if is_full():
        return 'omk test tier: full (every example and trial; the real judges are required)'
    return 'omk test tier: fast (fewer examples and trials; ./scripts/test --full runs everything)'


def pytest_sessionstart(session: pytest.Session) -> None:
    """Full tier: install both judges before the first test; one line and exit 4 if one cannot be."""
    if not is_full() or session.config.option.collectonly:
        return
    missing = []
    for judge, install in ((KIMI_CLI, install_kimi_cli), (KIMI_CODE, install_kimi_code)):
        try:
            install()
        except JudgeUnavailable as e:
            missing.append(f'the {judge} judge cannot be installed: {e}')
    if missing:
        raise pytest.UsageError(f'full test tier: {"; ".join(missing)}')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Report every skip for a missing judge from one place, so ``-ra`` folds them into one line per judge."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and isinstance(report.longrepr, tuple) and JUDGE_SKIP in report.longrepr[2]:
        report.longrepr = (judges.__file__, None, report.longrepr[2])


# The slowest test files, slowest first (measured with --durations): they start first, so that
# under pytest-xdist no worker is left running one of them alone at the end. Order otherwise kept.
SLOWEST_FILES = (
    'precommit_hooks_test.py', 'judges_test.py', 'hot_path_test.py', 'doctor_live_gate_test.py',
    'safety_gate_test.py', 'kimi_code_real_test.py', 'upgrade_release_test.py', 'crash_recovery_test.py',
    'doctor_cache_test.py', 'doctor_corpus_test.py', 'kimi_code_hooks_enable_test.py', 'doctor_hook_test.py',
    'check_cache_test.py', 'multi_runtime_test.py',
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands the judges it used to the controller, which prints them."""
    workeroutput = getattr(session.config, 'workeroutput', None)
    if workeroutput is not None:
        workeroutput['judges'] = dict(used)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    used.update(getattr(node, 'workeroutput', {}).get('judges', {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if used:
        terminalreporter.write_line(f'judges: {"; ".join(used[j] for j in sorted(used))}')


@pytest.fixture(scope='session', autouse=True)
def nothing_written_outside_temp_dirs() -> Iterator[None]:
    """Fail the session if any test changed the real Kimi config dirs or the repository's files."""
    home = Path.home()  # the real one: the per-test isolation below is not active yet
    before = untouchable_state(home)
    yield
    changed = describe_changes(before, untouchable_state(home))
    if changed:
        pytest.fail(f'the tests wrote outside their temporary directories (or someone edited these meanwhile): {changed}')


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs with HOME and the Kimi config locations inside a temp dir."""
    home = tmp_path_factory.mktemp('home')
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.setenv('XDG_CONFIG_HOME', str(home / '.config'))
    monkeypatch.setenv('KIMI_SHARE_DIR', str(home / '.kimi'))
    monkeypatch.setenv('KIMI_CODE_HOME', str(home / '.kimi-code'))
    monkeypatch.setenv('GIT_CONFIG_NOSYSTEM', '1')
    monkeypatch.setenv('GIT_CONFIG_GLOBAL', str(home / '.gitconfig'))
    for var in ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GITHUB_ACTIONS', 'NO_COLOR'):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh git repository with one commit; the current directory is its root."""
    path = init_repo(tmp_path / 'project')
    monkeypatch.chdir(path)
    return path


@pytest.fixture(scope='session')
def kimi_code() -> KimiCode:
    """The real Kimi Code CLI from npm (installed once into the test cache); skips without it (fast tier)."""
    try:
        return KimiCode(install_kimi_code())
    except JudgeUnavailable as e:
        skip_without(KIMI_CODE, str(e))


@pytest.fixture(scope='session')
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    """This repository, committed as a pre-commit hook repo (built once per session; the fast tier
    reuses the one of this working copy from an earlier run)."""
    path = session_build('hook-repo', lambda d: snapshot_hook_repo(d / 'repo'),
                         lambda: tmp_path_factory.mktemp('omk-hook-repo')) / 'repo'
    return HookRepo(path, git(path, 'rev-parse', 'HEAD').stdout.strip())


@pytest.fixture(scope='session')
def runner_homes(hook_repo: HookRepo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One cache per runner: each builds a hook environment once per session (full tier), or once
    per working copy, kept beside its hook repo in the test cache (fast tier)."""
    base = tmp_path_factory.mktemp('runner-homes') if is_full() else hook_repo.path.parent / 'runner-homes'
    return {'PRE_COMMIT_HOME': str(base / 'pre-commit'), 'PREK_HOME': str(base / 'prek')}


@pytest.fixture
def installed(repo: Path) -> Path:
    """``repo`` with the default install committed."""
    install_project_assets(repo)
    commit_all(repo, 'install')
    return repo


@pytest.fixture
def doctor_project(installed: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed install with an AGENTS.md, and no ``kimi`` on PATH: a clean doctor run."""
    monkeypatch.setenv('PATH', path_without('kimi'))
    (installed / 'AGENTS.md').write_text('Run the tests before committing.\n')
    commit_all(installed, 'AGENTS.md')
    return installed


@pytest.fixture(scope='session')
def acme_v1(tmp_path_factory: pytest.TempPathFactory) -> BundlePackage:
    """The team bundle package acme-kimi-assets 1.0.0 (extends omk), pip-installed once per session."""
    return _acme(tmp_path_factory, '1.0.0')


@pytest.fixture(scope='session')
def acme_v2(tmp_path_factory: pytest.TempPathFactory) -> BundlePackage:
    """acme-kimi-assets 2.0.0: its skill and its reviewer prompt changed."""
    return _acme(tmp_path_factory, '2.0.0')


def _acme(tmp_path_factory: pytest.TempPathFactory, version: str) -> BundlePackage:
    def build(path: Path) -> None:
        acme_package(path / 'src', path / 'site', version)

    path = session_build(f'acme-{version}', build, lambda: tmp_path_factory.mktemp(f'acme-{version}'))
    return BundlePackage(path / 'src', path / 'site')
